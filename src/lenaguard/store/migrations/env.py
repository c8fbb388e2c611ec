"""Alembic environment: runs on the connection lenaguard hands over (or the configured URL)."""

from alembic import context
from sqlalchemy import create_engine

import lenaguard.workflow.tables  # noqa: F401  (registers every table on Base.metadata)
from lenaguard.store.base import Base

config = context.config
target = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as own:
        _run(own)
