"""`GET /healthz`: the service is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from lenaguard._version import __version__
from lenaguard.service.problems import problem
from lenaguard.workflow.web import Db, Kb

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
def healthz(database: Db, kb: Kb) -> JSONResponse:
    try:
        database.ping()
    except Exception:  # any driver error means the database is not usable
        return problem(503, "database unavailable", detail="The database does not answer.")
    return JSONResponse(
        {
            "status": "ok",
            "database": database.dialect,
            "lenaguard_version": __version__,
            "knowledge_version": kb.version,
        }
    )
