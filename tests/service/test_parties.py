"""Prescribers and pharmacies through HTTP, on SQLite and PostgreSQL: admin-only creation and
certification, who may read which, certification on a date, and the command line's prescriber."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from lenaguard.workflow.accounts.models import User
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.parties.service import pharmacy_certified, prescriber_certified
from tests.service.test_patients import audit_intact, count

D = dt.date


@pytest.mark.parametrize(
    ("certified_on", "expires_on", "on", "certified"),
    [
        (None, None, D(2026, 11, 20), False),
        (D(2026, 11, 21), None, D(2026, 11, 20), False),
        (D(2026, 11, 20), None, D(2026, 11, 20), True),
        (D(2025, 1, 1), D(2026, 11, 20), D(2026, 11, 20), True),
        (D(2025, 1, 1), D(2026, 11, 19), D(2026, 11, 20), False),
        (D(2025, 1, 1), None, D(2030, 1, 1), True),
    ],
)
def test_certified_on_a_date(certified_on, expires_on, on, certified):
    prescriber = Prescriber(
        id="p", name="P", certified_on=certified_on, certification_expires_on=expires_on
    )
    pharmacy = Pharmacy(
        id="h", name="H", certified_on=certified_on, certification_expires_on=expires_on
    )
    assert prescriber_certified(prescriber, on) is certified
    assert pharmacy_certified(pharmacy, on) is certified


def test_an_admin_creates_and_certifies_parties(service):
    admin = service.user("admin")
    today = service.settings.clinic_today()
    created = service.client.post(
        "/api/v1/prescribers",
        json={"name": "Dr. Who", "npi": "1234567893"},
        headers=admin,
    )
    assert created.status_code == 201
    prescriber = created.json()
    assert (prescriber["certified_on"], prescriber["certified_today"]) == (None, False)
    certify = service.client.post(
        f"/api/v1/prescribers/{prescriber['id']}/certification",
        json={
            "certified_on": str(today),
            "certification_expires_on": str(today + dt.timedelta(days=365)),
        },
        headers=admin,
    )
    assert certify.status_code == 200
    assert certify.json()["certified_today"] is True
    got = service.client.get(f"/api/v1/prescribers/{prescriber['id']}", headers=admin).json()
    assert got["certified_on"] == str(today)
    pharmacy = service.client.post(
        "/api/v1/pharmacies",
        json={"name": "Corner Pharmacy", "certified_on": str(today)},
        headers=admin,
    )
    assert pharmacy.status_code == 201 and pharmacy.json()["certified_today"] is True
    lapsed = service.client.post(
        f"/api/v1/pharmacies/{pharmacy.json()['id']}/certification",
        json={
            "certified_on": str(today - dt.timedelta(days=400)),
            "certification_expires_on": str(today - dt.timedelta(days=1)),
        },
        headers=admin,
    )
    assert lapsed.status_code == 200 and lapsed.json()["certified_today"] is False
    with service.database.transaction() as session:
        entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "prescriber"),
        ("certify", "prescriber"),
        ("create", "pharmacy"),
        ("certify", "pharmacy"),
    ]
    assert entries[1].before["certified_on"] is None
    assert entries[1].after["certified_on"] == str(today)
    assert audit_intact(service.database)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "X", "certification_expires_on": "2027-01-01"}, ["certified_on"]),
        (
            {"name": "X", "certified_on": "2027-01-02", "certification_expires_on": "2027-01-01"},
            ["certification_expires_on"],
        ),
        ({"name": "X", "npi": "12"}, ["npi"]),
        ({"name": ""}, ["name"]),
        ({"name": "X", "certified_on": "1000-01-01"}, ["certified_on"]),
        ({"name": "X", "city": "Y"}, ["city"]),
    ],
)
def test_invalid_parties_name_the_field_and_store_nothing(service, body, fields):
    admin = service.user("admin")
    response = service.client.post("/api/v1/prescribers", json=body, headers=admin)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == fields
    assert count(service.database, Prescriber) == 0


def test_only_an_admin_creates_or_certifies(service):
    admin = service.user("admin")
    own = service.client.post("/api/v1/prescribers", json={"name": "Dr. A"}, headers=admin).json()
    prescriber = service.user("prescriber", prescriber_id=own["id"])
    nurse = service.user("nurse", acting_for=[own["id"]])
    for headers in (prescriber, nurse):
        assert (
            service.client.post(
                "/api/v1/prescribers", json={"name": "Dr. B"}, headers=headers
            ).status_code
            == 403
        )
        assert (
            service.client.post(
                "/api/v1/pharmacies", json={"name": "P"}, headers=headers
            ).status_code
            == 403
        )
        certify = service.client.post(
            f"/api/v1/prescribers/{own['id']}/certification",
            json={"certified_on": "2026-01-01"},
            headers=headers,
        )
        assert certify.status_code == 403
    assert count(service.database, Prescriber) == 1
    with service.database.transaction() as session:
        assert session.get(Prescriber, own["id"]).certified_on is None


def test_who_reads_which_party(service):
    admin = service.user("admin")
    ids = [
        service.client.post("/api/v1/prescribers", json={"name": n}, headers=admin).json()["id"]
        for n in ("Dr. A", "Dr. B")
    ]
    pharmacies = [
        service.client.post("/api/v1/pharmacies", json={"name": n}, headers=admin).json()["id"]
        for n in ("P1", "P2")
    ]
    prescriber = service.user("prescriber", prescriber_id=ids[0])
    nurse = service.user("nurse", acting_for=[ids[0]])
    pharmacist = service.user("pharmacist", pharmacy_id=pharmacies[0])

    def get(path, headers):
        return service.client.get(path, headers=headers)

    assert get(f"/api/v1/prescribers/{ids[0]}", prescriber).status_code == 200
    assert get(f"/api/v1/prescribers/{ids[0]}", nurse).status_code == 200
    for headers in (prescriber, nurse, pharmacist):
        other = get(f"/api/v1/prescribers/{ids[1]}", headers)
        unknown = get("/api/v1/prescribers/prs_nobody", headers)
        assert other.status_code == 403
        assert other.json() == unknown.json()
    assert get("/api/v1/prescribers/prs_nobody", admin).status_code == 404
    assert [p["id"] for p in get("/api/v1/prescribers", prescriber).json()["items"]] == [ids[0]]
    assert get("/api/v1/prescribers", pharmacist).json()["items"] == []
    assert get("/api/v1/prescribers", admin).json()["total"] == 2

    assert get(f"/api/v1/pharmacies/{pharmacies[0]}", pharmacist).status_code == 200
    other = get(f"/api/v1/pharmacies/{pharmacies[1]}", pharmacist)
    assert other.status_code == 403
    assert other.json() == get("/api/v1/pharmacies/phm_nobody", pharmacist).json()
    assert [p["id"] for p in get("/api/v1/pharmacies", pharmacist).json()["items"]] == [
        pharmacies[0]
    ]
    assert get("/api/v1/pharmacies", prescriber).json()["total"] == 2
    page = get("/api/v1/pharmacies?limit=1", nurse).json()
    assert (len(page["items"]), page["next_offset"]) == (1, 1)


def test_users_create_prescriber_without_an_id_makes_the_prescriber(tmp_path):
    env = {**os.environ, "LENAGUARD_HOME": str(tmp_path)}
    env.pop("LENAGUARD_DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lenaguard.cli.app",
            "users",
            "create",
            "--role",
            "prescriber",
            "--name",
            "Dr. New",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("prescriber prs_") and "not yet certified" in first_line
    prescriber_id = first_line.split()[1]
    from lenaguard.store import Database

    database = Database(f"sqlite:///{tmp_path / 'lenaguard.sqlite3'}")
    try:
        with database.transaction() as session:
            prescriber = session.get(Prescriber, prescriber_id)
            assert (prescriber.name, prescriber.certified_on) == ("Dr. New", None)
            user = session.execute(select(User)).scalar_one()
            assert user.prescriber_id == prescriber_id
    finally:
        database.dispose()
