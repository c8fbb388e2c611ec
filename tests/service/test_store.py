"""The schema: migrations build exactly the tables the models declare, on both databases."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lenaguard.store import Base, current_revision, head_revision
from lenaguard.workflow.parties.models import Prescriber


def test_migrations_match_the_models(database):
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_moments_come_back_aware_in_utc(database):
    moment = dt.datetime(2026, 11, 30, 9, 15, 7, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with database.transaction() as session:
        session.add(Prescriber(id="prs_1", name="Dr A", created_at=moment))
    with database.transaction() as session:
        stored = session.get(Prescriber, "prs_1").created_at
    assert stored == moment and stored.tzinfo == dt.UTC


def test_a_failed_transaction_stores_nothing(database):
    try:
        with database.transaction() as session:
            session.add(Prescriber(id="prs_2", name="Dr B"))
            session.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.transaction() as session:
        assert session.get(Prescriber, "prs_2") is None
