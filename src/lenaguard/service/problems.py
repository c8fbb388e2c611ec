"""RFC 9457 problem details for every error the service returns.

The core's error tree maps onto HTTP statuses here, once: a case or input error is 422 with
each field named, a workflow refusal carries its own status (403, 404, 409, 422) and its unmet
requirements, request validation errors name the field, and anything unexpected is a 500 with no
internals shown.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lenaguard.errors import LenaguardError, WorkflowError

__all__ = ["PROBLEM_JSON", "install", "location", "problem"]

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("lenaguard.service")


def problem(status: int, title: str, **members: Any) -> JSONResponse:
    """A problem document: `type` about:blank, the status, a title, extension members."""
    body = {"type": "about:blank", "title": title, "status": status}
    body.update({key: value for key, value in members.items() if value is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def location(loc: tuple[Any, ...]) -> str:
    """A request validation error's location as one field name (`body.x`, `query.limit`)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        kind, rest = parts[0], parts[1:]
        if kind != "body" and rest:
            return f"{kind}.{'.'.join(rest)}"
        parts = rest
    return ".".join(parts) or "(request)"


async def _lenaguard_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LenaguardError)
    status = exc.status if isinstance(exc, WorkflowError) else 422
    body = exc.to_problem()
    title = body.pop("title")
    return problem(status, title, **body)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": location(tuple(item.get("loc", ()))), "message": item.get("msg", "invalid")}
        for item in exc.errors()
    ]
    return problem(422, "invalid request", errors=errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    titles = {401: "authentication required", 404: "not found", 405: "method not allowed"}
    return problem(exc.status_code, titles.get(exc.status_code, detail or "error"), detail=detail)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    _log.exception("internal error", exc_info=exc)
    return problem(500, "internal error", detail="The error was logged; nothing was stored.")


def install(app: FastAPI) -> None:
    """Register the problem handlers on an app."""
    app.add_exception_handler(LenaguardError, _lenaguard_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
