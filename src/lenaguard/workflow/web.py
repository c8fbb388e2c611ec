"""What every route of the workflow and the service depends on: settings, database, knowledge,
the authenticated caller, and one page shape for every list.

The workflow's views (one `views.py` per domain package) and the service's own routers import
these; the service assembles them in `create_app`. Routes stay thin: parse, open one
transaction, call a service function, shape the answer.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from lenaguard.errors import AccessDenied
from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.store import Database
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal, authenticate

__all__ = [
    "Caller",
    "Config",
    "Db",
    "Kb",
    "NotAuthenticated",
    "Page",
    "Paging",
    "require",
]

_bearer = HTTPBearer(auto_error=False, description="An API token from `lenaguard users create`.")


class NotAuthenticated(Exception):
    """No valid token: answered 401 by the app."""


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def get_knowledge(request: Request) -> KnowledgeBase:
    return request.app.state.knowledge


Config = Annotated[Settings, Depends(get_settings)]
Db = Annotated[Database, Depends(get_database)]
Kb = Annotated[KnowledgeBase, Depends(get_knowledge)]


def get_principal(
    database: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by the Bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated
    with database.reading() as session:
        principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise NotAuthenticated
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def require(principal: Principal, *roles: Role) -> None:
    """Refuse (403) a caller whose role is not one of `roles`."""
    if principal.role not in roles:
        raise AccessDenied("your role may not do this")


T = TypeVar("T")

MAX_PAGE = 100


class PageParams(BaseModel):
    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(_paging)]


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, the total count, and where the next page starts."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last.")

    @classmethod
    def of(cls, items: list[T], total: int, paging: PageParams) -> Page[T]:
        following = paging.offset + len(items)
        return cls(
            items=items,
            total=total,
            limit=paging.limit,
            offset=paging.offset,
            next_offset=following if following < total else None,
        )
