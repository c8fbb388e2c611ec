"""Append to the audit log and verify it.

`record(...)` appends one entry to a chain inside the caller's transaction, so the entry commits
with the change it describes or not at all. The chain's head row is made if new (INSERT … ON
CONFLICT DO NOTHING) and locked (SELECT … FOR UPDATE on PostgreSQL; SQLite writers are serialised
by BEGIN IMMEDIATE), so concurrent writers to one chain queue rather than fork it.
`verify(session)` recomputes every chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from lenaguard.store.base import utcnow
from lenaguard.workflow.audit.models import AuditChain, AuditEntry

__all__ = ["GENESIS", "AuditProblem", "chain_for_patient", "chain_for_user", "record", "verify"]

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"


def chain_for_patient(patient_id: str) -> str:
    return f"patient:{patient_id}"


def chain_for_user(user_id: str) -> str:
    """A user's own chain: their sign-ins and sign-outs, and the lists they read."""
    return f"user:{user_id}"


def _canonical(value: Any) -> Any:
    """JSON-ready copy of a value: dates as ISO text, everything else as JSON has it."""
    return json.loads(json.dumps(value, default=_iso, sort_keys=True))


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _digest(entry: AuditEntry) -> str:
    body = {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ensure_chain(session: Session, chain: str) -> None:
    """Create the chain's head if it is new; a concurrent creator's row wins quietly."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"chain": chain, "seq": 0, "head_hash": GENESIS}
    session.execute(insert(AuditChain).values(**values).on_conflict_do_nothing())


def record(
    session: Session,
    *,
    chain: str,
    actor_id: str | None,
    actor_role: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry (who, what, the record before and after) to `chain`."""
    _ensure_chain(session, chain)
    head = session.execute(
        select(AuditChain).where(AuditChain.chain == chain).with_for_update()
    ).scalar_one()
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None if before is None else _canonical(before),
        after=None if after is None else _canonical(after),
        prev_hash=head.head_hash,
    )
    entry.hash = _digest(entry)
    head.seq, head.head_hash = entry.seq, entry.hash
    session.add(entry)
    session.flush()
    return entry


class AuditProblem(NamedTuple):
    """One place where the log is not what was written."""

    chain: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = self.chain if self.seq is None else f"{self.chain} #{self.seq}"
        return f"{where}: {self.message}"


def verify(session: Session) -> tuple[int, list[AuditProblem]]:
    """(entries checked, problems): every chain recomputed from its first entry to its head."""
    problems: list[AuditProblem] = []
    checked = 0
    heads = {h.chain: h for h in session.execute(select(AuditChain)).scalars()}
    chains = set(heads) | set(session.execute(select(AuditEntry.chain).distinct()).scalars())
    for chain in sorted(chains):
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.id)
        ).scalars()
        prev, expected_seq = GENESIS, 1
        for entry in entries:
            checked += 1
            if entry.seq != expected_seq:
                problems.append(
                    AuditProblem(
                        chain, entry.seq, f"out of order or missing: expected #{expected_seq}"
                    )
                )
            if entry.prev_hash != prev:
                problems.append(
                    AuditProblem(chain, entry.seq, "does not follow the entry before it")
                )
            if _digest(entry) != entry.hash:
                problems.append(
                    AuditProblem(chain, entry.seq, "content changed after it was written")
                )
            prev, expected_seq = entry.hash, entry.seq + 1
        head = heads.get(chain)
        if head is None:
            problems.append(AuditProblem(chain, None, "chain head missing"))
        elif head.seq != expected_seq - 1 or head.head_hash != prev:
            problems.append(
                AuditProblem(
                    chain, None, f"last entry is #{expected_seq - 1} but the head says #{head.seq}"
                )
            )
    return checked, problems
