"""The audit log: appended in the writer's transaction, hash-chained, and any tampering found."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, select, update

from lenaguard.workflow.audit.models import AuditChain, AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient, record, verify


def _write(database, chain: str, n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        with database.transaction() as session:
            record(
                session,
                chain=chain,
                actor_id=None,
                actor_role="admin",
                action="update",
                entity="case",
                entity_id="pat_1",
                before={"version": i},
                after={"version": i + 1, "dose_mg": 10.0, "note": "ünïcode"},
            )


def _problems(database) -> list[str]:
    with database.transaction() as session:
        _checked, problems = verify(session)
    return [str(problem) for problem in problems]


def test_an_untouched_log_verifies(database):
    _write(database, chain_for_patient("pat_1"), 3)
    _write(database, "system", 2)
    with database.transaction() as session:
        checked, problems = verify(session)
    assert (checked, problems) == (5, [])


def test_an_entry_is_written_only_with_its_transaction(database):
    with pytest.raises(RuntimeError), database.transaction() as session:
        record(
            session,
            chain="system",
            actor_id=None,
            actor_role="admin",
            action="create",
            entity="x",
            entity_id="1",
        )
        raise RuntimeError("the write it describes failed")
    with database.transaction() as session:
        assert session.execute(select(AuditEntry)).first() is None
        assert session.execute(select(AuditChain)).first() is None


def test_an_edited_entry_is_found(database):
    _write(database, "system", 3)
    with database.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(after={"version": 99}))
    assert _problems(database) == ["system #2: content changed after it was written"]


def test_an_edited_actor_is_found(database):
    _write(database, "system", 2)
    with database.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor_role="patient"))
    assert _problems(database) == ["system #1: content changed after it was written"]


def test_a_deleted_entry_is_found(database):
    _write(database, "system", 3)
    with database.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    problems = _problems(database)
    assert "system #3: out of order or missing: expected #2" in problems
    assert "system #3: does not follow the entry before it" in problems


def test_a_deleted_last_entry_is_found(database):
    _write(database, "system", 3)
    with database.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    assert _problems(database) == ["system: last entry is #2 but the head says #3"]


def test_reordered_entries_are_found(database):
    _write(database, "system", 3)
    with database.transaction() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        first, second = rows[0], rows[1]
        saved = (first.seq, first.hash, first.prev_hash, first.after)
        first.seq, first.hash, first.prev_hash, first.after = (
            -1,
            second.hash,
            second.prev_hash,
            second.after,
        )
        session.flush()
        second.seq, second.hash, second.prev_hash, second.after = saved
        session.flush()
        first.seq = 2
    assert _problems(database)  # swapping two entries' contents breaks the chain


def test_concurrent_writers_to_one_chain_keep_it_whole(database):
    chain = chain_for_patient("pat_busy")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: _write(database, chain, 3, start=i * 3), range(8)))
    with database.transaction() as session:
        checked, problems = verify(session)
        head = session.get(AuditChain, chain)
    assert (checked, problems) == (24, [])
    assert head is not None and head.seq == 24


def test_the_cli_exits_1_naming_the_tampered_entry(sqlite_database):
    _write(sqlite_database, "system", 2)
    env = {**os.environ, "LENAGUARD_DATABASE_URL": sqlite_database.url}
    command = [sys.executable, "-m", "lenaguard.cli.app", "audit", "verify"]
    intact = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert intact.returncode == 0 and "intact: 2 entries" in intact.stdout
    with sqlite_database.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(entity="other"))
    tampered = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert tampered.returncode == 1
    assert "TAMPERED system #1: content changed after it was written" in tampered.stdout
