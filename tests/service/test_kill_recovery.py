"""kill -9 during writes: after a restart, every acknowledged write is there, nothing is half
stored, and the audit chain verifies — on SQLite and on PostgreSQL.

A real `lenaguard serve` (two workers) takes enrollments and case versions from four writer
threads; the whole process group is killed with SIGKILL mid-stream, then a new server starts
on the same database.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import httpx
import yaml
from sqlalchemy import func, select

from lenaguard.store import Database
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import create_user, issue_token
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import verify
from lenaguard.workflow.parties.models import Prescriber
from lenaguard.workflow.patients.models import CaseVersion, Patient
from tests.service.server import ServerProcess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mm-newly-diagnosed.yaml"
WRITERS = 4
KILL_AFTER_ACKS = 40


def _case_without_workflow_fields() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text())
    for key in ("sex", "birth_date", "age_years", "reproductive"):
        data["patient"].pop(key, None)
    data.pop("as_of", None)
    return json.loads(json.dumps(data, default=str))  # YAML dates as ISO text


def _seed(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        session.add(Prescriber(id="prs_kill", name="Dr Kill", certified_on=dt.date(2020, 1, 1)))
        session.flush()
        user = create_user(session, role=Role.PRESCRIBER, name="Dr Kill", prescriber_id="prs_kill")
        token = issue_token(session, user, days=1)
    return {"Authorization": f"Bearer {token}"}


def _writer(url: str, headers: dict, case: dict, acked: list, stop: threading.Event) -> None:
    """Enroll a patient, then store two case versions; remember what the server acknowledged."""
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                enrolled = client.post(
                    "/api/v1/patients",
                    json={"name": f"Kill {n}", "sex": "male", "birth_date": "1960-05-01"},
                )
                if enrolled.status_code != 201:
                    continue
                patient_id = enrolled.json()["id"]
                acked.append(("patient", patient_id, None))
                for _ in range(2):
                    stored = client.put(f"/api/v1/patients/{patient_id}/case", json=case)
                    if stored.status_code in (200, 201):
                        acked.append(("case", patient_id, stored.json()["version"]))
            except httpx.HTTPError:
                return  # the server is gone


def test_kill_9_loses_no_acknowledged_write_and_leaves_nothing_half_stored(database, tmp_path):
    headers = _seed(database)
    env = {
        "LENAGUARD_DATABASE_URL": database.url,
        "LENAGUARD_HOME": str(tmp_path),
        "LENAGUARD_TIMEZONE": "America/New_York",
    }
    acked: list[tuple[str, str, int | None]] = []
    stop = threading.Event()
    server = ServerProcess(env, workers=2, log=tmp_path / "server.log")
    case = _case_without_workflow_fields()
    threads = [
        threading.Thread(target=_writer, args=(server.url, headers, case, acked, stop))
        for _ in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()  # mid-stream: requests are in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) >= KILL_AFTER_ACKS, (server.log.read_text() if server.log else "")[-2000:]

    restarted = ServerProcess(env, workers=1, log=tmp_path / "server2.log")
    try:
        with httpx.Client(base_url=restarted.url, headers=headers, timeout=10) as client:
            assert client.get("/healthz").status_code == 200
            for kind, patient_id, version in acked:
                if kind == "patient":
                    assert client.get(f"/api/v1/patients/{patient_id}").status_code == 200
                else:
                    current = client.get(f"/api/v1/patients/{patient_id}/case")
                    assert current.status_code == 200
                    assert current.json()["version"] >= version
    finally:
        restarted.stop()

    with database.transaction() as session:
        checked, problems = verify(session)
        patients = session.scalar(select(func.count()).select_from(Patient))
        versions = session.scalar(select(func.count()).select_from(CaseVersion))
        created = session.scalar(
            select(func.count()).where(
                AuditEntry.entity == "patient", AuditEntry.action == "create"
            )
        )
        case_writes = session.scalar(
            select(func.count()).where(
                AuditEntry.entity == "case", AuditEntry.action.in_(("create", "update"))
            )
        )
    assert problems == [], problems
    assert checked > 0
    # nothing half stored: every stored row has its audit entry and every entry its row
    assert patients == created
    assert versions == case_writes
