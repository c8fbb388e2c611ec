"""The demo clinic of `lenaguard serve --demo`, on SQLite and PostgreSQL: one patient in every
REMS risk category with a stored case that assesses, tokens that work, and a second load that
adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsRiskCategory
from lenaguard.store import Base
from lenaguard.workflow.demo import DEMO_PATIENTS, clinical_part, load_demo
from lenaguard.workflow.patients.merge import owned_fields_in
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.patients.service import assess_patient, risk_category
from lenaguard.workflow.records.models import PregnancyTest
from tests.service.conftest import settings_for
from tests.service.test_patients import audit_intact


def _row_counts(database) -> dict[str, int]:
    with database.transaction() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_the_demo_has_every_risk_category_and_loads_once(database, tmp_path):
    settings = settings_for(tmp_path, database)
    kb = default_knowledge()
    with database.transaction() as session:
        lines = load_demo(session, settings)
    assert lines[0].startswith("demo data loaded")
    tokens = [line.split()[-1] for line in lines[1:]]
    assert len(tokens) == 5 + len(DEMO_PATIENTS)
    assert all(token.startswith("lg_") for token in tokens)
    today = settings.clinic_today()
    with database.transaction() as session:
        patients = list(session.execute(select(Patient)).scalars())
        categories = {risk_category(p, today, kb).category for p in patients}
        assert categories == set(RemsRiskCategory)
        assert len(patients) == 6
        for patient in patients:
            versions = session.execute(
                select(CaseVersion).where(CaseVersion.patient_id == patient.id)
            ).scalars()
            assert [v.version for v in versions] == [1]
            assessment = assess_patient(session, patient, as_of=today, settings=settings, kb=kb)
            assert assessment.readiness in {"ready", "not_ready", "not_determined"}
        tests = session.execute(select(func.count()).select_from(PregnancyTest)).scalar_one()
        assert tests == 2 * sum(c.reproductive_potential for c in categories)
    before = _row_counts(database)
    with database.transaction() as session:
        again = load_demo(session, settings)
    assert len(again) == 1 and "already loaded" in again[0] and "nothing added" in again[0]
    assert _row_counts(database) == before
    assert audit_intact(database)


def test_demo_tokens_work_and_see_what_their_role_may(service):
    with service.database.transaction() as session:
        lines = load_demo(session, service.settings)
    by_role: dict[str, list[str]] = {}
    for line in lines[1:]:
        by_role.setdefault(line.split()[0], []).append(line.split()[-1])

    def patients(token):
        response = service.client.get(
            "/api/v1/patients", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        return response.json()["total"]

    assert patients(by_role["admin"][0]) == 6
    assert [patients(token) for token in by_role["prescriber"]] == [6, 0]
    assert patients(by_role["nurse"][0]) == 6
    assert patients(by_role["pharmacist"][0]) == 6
    assert [patients(token) for token in by_role["patient"]] == [1] * 6


def test_the_clinical_part_is_an_example_without_workflow_fields_dated_today(tmp_path):
    today = dt.date(2027, 3, 15)
    case = clinical_part("frp-ready.yaml", today)
    assert "as_of" not in case
    assert owned_fields_in(case) == []
    assert case["patient"]["weight_kg"] == 64
    dates = {lab["date"] for lab in case["labs"]}
    # the example's labs were two days before its as_of: so are these before today
    assert dates == {today - dt.timedelta(days=2), today - dt.timedelta(days=10)}
    fallback = clinical_part("frp-ready.yaml", today, examples=tmp_path)
    assert fallback["indication"] == "mm_combination"
    assert owned_fields_in(fallback) == []
