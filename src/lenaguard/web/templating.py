"""One Jinja2 environment for every page: autoescaped, with what every page shows.

Templates live in `lenaguard/web/templates/` (one folder per group of pages); every page
extends `base.html`. `render` adds the signed-in caller, the CSRF token for forms, the
navigation the caller's role may use and the version, so no page forgets them.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from lenaguard._version import __version__
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal

__all__ = ["NavItem", "navigation", "render", "templates"]

HERE = Path(__file__).resolve().parent

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    roles: frozenset[Role]


_CLINIC = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
_STAFF = _CLINIC | {Role.PHARMACIST}
_EVERYONE = _STAFF | {Role.PATIENT}

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/assess", "Assess a case", _STAFF),
    NavItem("/worklist", "Worklist", _STAFF),
    NavItem("/patients", "Patients", _EVERYONE),
    NavItem("/evidence", "Evidence", _STAFF),
    NavItem("/handout", "Patient handout", _STAFF),
)
"""The main navigation; a page group adds nothing here without its route existing."""


def navigation(principal: Principal | None, paths: Set[str]) -> list[NavItem]:
    """The items this caller's role may open, among the routes the app has."""
    if principal is None:
        return []
    return [item for item in NAVIGATION if principal.role in item.roles and item.href in paths]


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page `name` with `context` and what every page shows."""
    principal: Principal | None = getattr(request.state, "principal", None)
    paths = getattr(request.app.state, "page_paths", frozenset())
    full = {
        "principal": principal,
        "csrf_token": getattr(request.state, "csrf_token", None),
        "nav": navigation(principal, paths),
        "current_path": request.url.path,
        "version": __version__,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, full, status_code=status_code, headers=headers)
