"""Who is looking at a page, and the route class that turns every refusal into a page.

A page accepts the session cookie made at `/login` or the API's Bearer token. A browser without
either is sent to the login page (and back afterwards); a form posted with the cookie must
carry its CSRF token. `PageRoute` answers errors as HTML pages in the site's layout — a 403 or
404 names no internals, a 422 lists each field and what is allowed — where the API answers
problem documents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from lenaguard.errors import AccessDenied, LenaguardError, WorkflowError
from lenaguard.service.problems import location
from lenaguard.web.security import CSRF_FIELD, SESSION_COOKIE, csrf_matches, csrf_token
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal, authenticate, session_principal
from lenaguard.workflow.web import Db

__all__ = [
    "LoginRequired",
    "PageCaller",
    "PageRoute",
    "PostedBy",
    "page_principal",
    "local_path",
    "require_role",
]

_log = logging.getLogger("lenaguard.web")


class LoginRequired(Exception):
    """No valid session or token: the browser goes to the login page."""


class CsrfRefused(AccessDenied):
    """A form posted with the session cookie but without its CSRF token."""


def local_path(value: str | None, default: str = "/") -> str:
    """`value` when it is a path on this site (never another host), else `default`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value if len(value) <= 2000 else default


def page_principal(request: Request, database: Db) -> Principal:
    """The caller of a page: a Bearer token, else the session cookie."""
    header = request.headers.get("authorization", "")
    principal: Principal | None = None
    if header[:7].lower() == "bearer ":
        with database.reading() as session:
            principal = authenticate(session, header[7:].strip())
        request.state.csrf_token = None  # browsers never send a Bearer token on their own
    else:
        key = request.cookies.get(SESSION_COOKIE)
        if key:
            with database.reading() as session:
                principal = session_principal(session, key)
            request.state.csrf_token = csrf_token(key) if principal else None
    if principal is None:
        raise LoginRequired
    request.state.principal = principal
    return principal


PageCaller = Annotated[Principal, Depends(page_principal)]


async def _posted_by(request: Request, principal: PageCaller) -> Principal:
    """The caller of a form post, with its CSRF token checked (cookie sessions only)."""
    expected = getattr(request.state, "csrf_token", None)
    if expected is not None:
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        if not csrf_matches(expected, sent if isinstance(sent, str) else None):
            raise CsrfRefused(
                "this form has expired or did not come from lenaguard; open the page again"
            )
    return principal


PostedBy = Annotated[Principal, Depends(_posted_by)]


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse (403 page) a caller whose role is not one of `roles`."""
    if principal.role not in roles:
        raise AccessDenied("your role may not open this page")


def _error_page(
    request: Request, status: int, title: str, problems: list[dict[str, str]] | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "problems": problems or []},
        status_code=status,
    )


class PageRoute(APIRoute):
    """A route of the web pages: errors become pages, a missing sign-in a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    target = request.url.path
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except WorkflowError as exc:
                return _error_page(
                    request,
                    exc.status,
                    exc.title,
                    [problem.to_json() for problem in exc.problems],
                )
            except LenaguardError as exc:
                return _error_page(
                    request, 422, exc.title, [problem.to_json() for problem in exc.problems]
                )
            except RequestValidationError as exc:
                problems = [
                    {
                        "field": location(tuple(item.get("loc", ()))),
                        "message": item.get("msg", "invalid"),
                    }
                    for item in exc.errors()
                ]
                return _error_page(request, 422, "invalid request", problems)
            except StarletteHTTPException as exc:
                detail = exc.detail if isinstance(exc.detail, str) else "error"
                return _error_page(request, exc.status_code, detail)
            except Exception:
                _log.exception("page error at %s", request.url.path)
                return _error_page(
                    request,
                    500,
                    "Something went wrong on our side",
                    [{"field": "", "message": "The error was logged; nothing was stored."}],
                )

        return page_handler
