"""Build the FastAPI app: settings, database and knowledge on `app.state`, routers, handlers.

`create_app()` reads the environment (`Settings.from_env()`), opens the database and brings it
to the newest schema; tests pass their own settings or database. `lenaguard serve` runs
`create_app` as a uvicorn factory in each worker process: the app keeps no state of its own
beyond the database, so any number of workers or replicas can share one PostgreSQL.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from lenaguard._version import __version__
from lenaguard.caseio import default_knowledge
from lenaguard.knowledge import KnowledgeBase
from lenaguard.service import ask_api, assess_api, cds_api, docs, health, problems
from lenaguard.service.limits import BodySizeLimit
from lenaguard.settings import Settings
from lenaguard.store import Database, upgrade
from lenaguard.workflow.web import NotAuthenticated

__all__ = ["create_app"]

DESCRIPTION = """\
lenaguard's REST API: assessments of lenalidomide cases (the same JSON as `lenaguard assess
--json`) and the Lenalidomide REMS workflow of a clinic and its specialty pharmacy — enrollment,
pregnancy tests, counselling, surveys, insurance, prescription authorizations, pharmacy
confirmations and dispenses, first-prescription readiness and the worklist.

Authenticate with `Authorization: Bearer <token>` (tokens from `lenaguard users create`).
Errors are RFC 9457 problem documents (`application/problem+json`); a 422 names each field.
"""


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    kb: KnowledgeBase | None = None,
    migrate: bool = True,
) -> FastAPI:
    """The lenaguard web service."""
    settings = settings or Settings.from_env()
    database = database or Database(settings.database_url)
    if migrate:
        upgrade(database)
    app = FastAPI(
        title="lenaguard",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served below from the vendored Swagger UI: no CDN, works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.knowledge = kb or default_knowledge()
    problems.install(app)

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(_request: Request, _exc: Exception) -> JSONResponse:
        return problems.problem(
            401,
            "authentication required",
            detail="Send Authorization: Bearer <token> with a valid, unexpired API token.",
        )

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(assess_api.router)
    app.include_router(ask_api.router)
    cds_api.install(app)
    for router in _workflow_routers():
        app.include_router(router)
    from lenaguard import web  # the pages import the workflow's dependencies

    web.install(app)
    return app


def _workflow_routers() -> list:
    """The REMS workflow's routers, one per domain package that has views."""
    import importlib

    found = []
    for name in ("parties", "patients", "records", "dispensing", "readiness", "worklist"):
        try:
            module = importlib.import_module(f"lenaguard.workflow.{name}.views")
        except ModuleNotFoundError as exc:
            if (
                exc.name != f"lenaguard.workflow.{name}.views"
                and exc.name != f"lenaguard.workflow.{name}"
            ):
                raise
            continue
        found.append(module.router)
    return found
