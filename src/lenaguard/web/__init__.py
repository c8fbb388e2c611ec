"""lenaguard's web pages: server-rendered HTML in the service's own FastAPI app.

Pages are grouped in modules named `*_pages.py`, each with a `router` whose routes use
`PageRoute`; `install` adds them all, the static files (CSS, the vendored htmx, the pages'
own scripts — no CDN, nothing built at install) and the security headers. The pages call the
same core and workflow services as the REST API: they add no clinical logic of their own.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from lenaguard.web.security import PageSecurityHeaders

__all__ = ["STATIC", "install", "page_modules"]

STATIC = Path(__file__).resolve().parent / "static"


def page_modules() -> list[str]:
    """The page modules of this package, in name order (`session_pages` first)."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).resolve().parent)])
        if info.name.endswith("_pages")
    )
    return sorted(names, key=lambda name: name != "session_pages")


def install(app: FastAPI) -> None:
    """Add the web pages, their static files and the security headers to `app`."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    paths: set[str] = set()
    for name in page_modules():
        module = importlib.import_module(f"lenaguard.web.{name}")
        app.include_router(module.router)
        paths |= {getattr(route, "path", "") for route in module.router.routes}
    app.state.page_paths = frozenset(paths)
    app.add_middleware(PageSecurityHeaders)
