"""Persistence: the SQLAlchemy base, the database handle and the Alembic migrations.

`Database(url)` opens SQLite (the embedded default) or PostgreSQL; `database.transaction()` is
the one way to write, so every write is one transaction. `upgrade(url)` brings a database to the
newest schema with Alembic.
"""

from lenaguard.store.base import Base, Json, UtcDateTime, utcnow
from lenaguard.store.database import Database
from lenaguard.store.migrate import current_revision, head_revision, upgrade

__all__ = [
    "Base",
    "Database",
    "Json",
    "UtcDateTime",
    "current_revision",
    "head_revision",
    "upgrade",
    "utcnow",
]
