"""What every route depends on: the settings, the database, the knowledge base and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lenaguard.errors import AccessDenied
from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.store import Database
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal, authenticate

__all__ = [
    "Caller",
    "Db",
    "Kb",
    "Config",
    "NotAuthenticated",
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
    with database.transaction() as session:
        principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise NotAuthenticated
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def require(principal: Principal, *roles: Role) -> None:
    """Refuse (403) a caller whose role is not one of `roles`."""
    if principal.role not in roles:
        raise AccessDenied("your role may not do this")
