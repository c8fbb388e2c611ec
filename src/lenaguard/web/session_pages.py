"""Sign in, sign out, and the start page.

Signing in takes an API token from `lenaguard users create` (no passwords yet) and makes a
web session; the token itself never goes into a cookie. Signing out ends the session at once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from lenaguard.web.auth import LoginRequired, PageRoute, PostedBy, local_path, page_principal
from lenaguard.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_matches,
    new_login_csrf,
)
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.service import end_web_session, start_web_session
from lenaguard.workflow.web import Config, Db

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_TOKEN_CHARS = 200


def _login_page(
    request: Request, next_path: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        {"next": next_path, "login_csrf": token, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, local_path(next))


@router.post("/login")
def login(
    request: Request,
    database: Db,
    settings: Config,
    token: Annotated[str, Form(max_length=MAX_TOKEN_CHARS)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = local_path(next)
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        return _login_page(
            request,
            target,
            error="The sign-in form had expired. Please paste your token again.",
            status_code=400,
        )
    with database.transaction() as session:
        started = start_web_session(session, token.strip(), hours=settings.session_hours)
    if started is None:
        return _login_page(
            request,
            target,
            error="That token is not valid: it is unknown, expired or revoked. "
            "Ask your lenaguard administrator for a new one.",
            status_code=401,
        )
    key, _principal = started
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, database: Db, _principal: PostedBy) -> Response:
    key = request.cookies.get(SESSION_COOKIE)
    if key:
        with database.transaction() as session:
            end_web_session(session, key)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, database: Db) -> Response:
    try:
        page_principal(request, database)
    except LoginRequired:
        return RedirectResponse("/login", status_code=303)
    return render(request, "home.html")
