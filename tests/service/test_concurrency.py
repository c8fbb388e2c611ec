"""Concurrency against a real `lenaguard serve` (two worker processes) on SQLite and PostgreSQL:
many clients dispensing one confirmation get exactly one 201 and 409s for the rest, and
concurrent authorizations get unique numbers.

Each client is a thread with its own HTTP connection; a barrier releases them together. The
server runs on the wall clock, so the records are made as of the real now.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.settings import Settings
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.models import Authorization, Dispense
from tests.service import builders as b
from tests.service.server import running_server

CLIENTS = 24
ZONE = "America/New_York"


class _Db:
    def __init__(self, database):
        self.database = database


@pytest.fixture
def server(database, tmp_path):
    env = {
        "LENAGUARD_DATABASE_URL": database.url,
        "LENAGUARD_HOME": str(tmp_path),
        "LENAGUARD_TIMEZONE": ZONE,
    }
    with running_server(env, workers=2, log=tmp_path / "server.log") as process:
        yield process


def _together(calls) -> list[httpx.Response]:
    """Run each call in its own thread with its own connection, all released at once."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _now_and_today() -> tuple[dt.datetime, dt.date]:
    now = dt.datetime.now(dt.UTC)
    settings = Settings(home=".", database_url="sqlite://", timezone_name=ZONE)
    return now, settings.clinic_date(now)


def test_one_confirmation_dispensed_by_many_clients_is_dispensed_once(database, server):
    now, today = _now_and_today()
    clinic = b.clinic(_Db(database))
    patient = b.ready_patient(
        _Db(database), clinic, RemsRiskCategory.ADULT_MALE, today=today, when=now
    )
    with httpx.Client(base_url=server.url, timeout=60) as client:
        number = client.post(
            "/api/v1/authorizations",
            json={"patient_id": patient.id, "indication": "mcl", "dose_mg": 25, "days_supply": 28},
            headers=clinic.headers["prescriber"],
        ).json()["number"]
        confirmation = client.post(
            f"/api/v1/authorizations/{number}/confirmations",
            headers=clinic.headers["pharmacist"],
        ).json()["number"]
    body = {
        "confirmation_number": confirmation,
        "capsule_strength_mg": 25,
        "quantity": 21,
        "days_supply": 28,
    }

    def dispense(client: httpx.Client) -> httpx.Response:
        return client.post(
            f"{server.url}/api/v1/dispenses", json=body, headers=clinic.headers["pharmacist"]
        )

    responses = _together([dispense] * CLIENTS)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (CLIENTS - 1)
    titles = {r.json()["title"] for r in responses if r.status_code == 409}
    assert titles <= {"confirmation already used", "authorization already dispensed"}
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Dispense)).scalar_one() == 1


def test_concurrent_authorizations_get_unique_numbers(database, server):
    now, today = _now_and_today()
    clinic = b.clinic(_Db(database))
    categories = list(RemsRiskCategory)
    patients = [
        b.ready_patient(_Db(database), clinic, categories[i % 6], today=today, when=now)
        for i in range(CLIENTS)
    ]

    def authorize(patient_id: str):
        def call(client: httpx.Client) -> httpx.Response:
            return client.post(
                f"{server.url}/api/v1/authorizations",
                json={
                    "patient_id": patient_id,
                    "indication": "mm_combination",
                    "dose_mg": 25,
                    "days_supply": 28,
                },
                headers=clinic.headers["prescriber"],
            )

        return call

    responses = _together([authorize(patient.id) for patient in patients])
    assert [r.status_code for r in responses] == [201] * CLIENTS, [
        r.text for r in responses if r.status_code != 201
    ]
    numbers = [r.json()["number"] for r in responses]
    assert len(set(numbers)) == CLIENTS
    with database.transaction() as session:
        stored = session.execute(select(Authorization.number)).scalars()
        assert sorted(stored) == sorted(numbers)


def test_the_unique_keys_turn_a_race_the_checks_missed_into_409(service, monkeypatch):
    """Were the used-confirmation checks to miss a concurrent dispense, the database's unique
    key refuses the second one, and the answer is the same 409."""
    clinic = b.clinic(service)
    today = dt.date(2026, 11, 20)
    clinic.moment(b.at(today, 10))
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=today)
    number = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": patient.id, "indication": "mcl", "dose_mg": 25, "days_supply": 28},
        headers=clinic.headers["prescriber"],
    ).json()["number"]
    confirmation = service.client.post(
        f"/api/v1/authorizations/{number}/confirmations", headers=clinic.headers["pharmacist"]
    ).json()["number"]
    body = {
        "confirmation_number": confirmation,
        "capsule_strength_mg": 25,
        "quantity": 21,
        "days_supply": 28,
    }
    first = service.client.post(
        "/api/v1/dispenses", json=body, headers=clinic.headers["pharmacist"]
    )
    assert first.status_code == 201
    monkeypatch.setattr(dispensing, "dispense_of_confirmation", lambda session, cid: None)
    monkeypatch.setattr(dispensing, "dispense_of_authorization", lambda session, aid: None)
    monkeypatch.setattr(dispensing, "latest_dispense", lambda session, pid: None)
    second = service.client.post(
        "/api/v1/dispenses", json=body, headers=clinic.headers["pharmacist"]
    )
    assert second.status_code == 409
    assert second.json()["title"] == "confirmation already used"
    with service.database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Dispense)).scalar_one() == 1
