"""Schemathesis over the published OpenAPI schema: generated requests never get a 5xx.

Bounded (a few dozen examples per operation, no shrinking deadline) so it runs in CI. Requests
carry an admin's token, so they reach the handlers rather than stopping at authentication; the
app runs on SQLite, where every route also exists for PostgreSQL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from lenaguard.service import create_app
from lenaguard.store import Database
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import create_user, issue_token
from tests.service.conftest import settings_for

EXAMPLES_PER_OPERATION = 25


def _app():
    """The app over a fresh SQLite file, with an admin's token on `app.state`."""
    home = Path(tempfile.mkdtemp(prefix="lenaguard-fuzz-"))
    database = Database(f"sqlite:///{home / 'fuzz.sqlite3'}")
    app = create_app(settings_for(home, database), database=database)
    with database.transaction() as session:
        admin = create_user(session, role=Role.ADMIN, name="Fuzz Admin")
        token = issue_token(session, admin, days=1)
    app.state.fuzz_headers = {"Authorization": f"Bearer {token}"}
    return app


# Loaded when the module is collected: schemathesis' lazy fixture loader does not run on pytest 9.
APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case):
    case.call_and_validate(headers=APP.state.fuzz_headers, checks=[not_a_server_error])
