"""The whole REMS path for each of the six risk categories, through HTTP only, on SQLite and
PostgreSQL: certify, enroll, authorization refused, agreements, pharmacy, case, counselling,
pregnancy tests, surveys, authorization issued, confirmation, dispense, a refill refused one day
early and dispensed on time.

Every route sees the story's moments (`current_moment`), and the record routes refuse moments in
their future, so each record is posted a minute after the moment it records. The story is set
in the recent past: the first prescription 30 days before the clinic's today.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.clock import current_moment
from tests.service.builders import case_data

ZONE = ZoneInfo("America/New_York")  # the test service's clinic zone
REMS = default_knowledge().get(RemsKnowledge)
SUPPLY = REMS.prescription_limits.max_days_supply
WINDOW = REMS.refill_window.max_days_of_therapy_remaining

FERTILE = {
    "hysterectomy": False,
    "bilateral_oophorectomy": False,
    "months_since_last_menses": 0,
    "menses_regular": True,
}
PEOPLE = {
    RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL: ("female", 38, FERTILE),
    RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL: ("female", 16, FERTILE),
    RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL: (
        "female",
        66,
        {"hysterectomy": True},
    ),
    RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL: (
        "female",
        15,
        {"hysterectomy": True},
    ),
    RemsRiskCategory.ADULT_MALE: ("male", 66, None),
    RemsRiskCategory.MALE_CHILD: ("male", 16, None),
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


class Story:
    """One clinic, told through its routes; `now` is what the dispensing routes see."""

    def __init__(self, service):
        self.client = service.client
        self.app = service.client.app
        admin = service.user("admin")
        real_today = service.settings.clinic_today()
        self.start = real_today - dt.timedelta(days=30)
        certified = str(self.start - dt.timedelta(days=365))
        prescriber = self._ok(
            self.client.post(
                "/api/v1/prescribers",
                json={"name": "Dr. Ada Hill", "certified_on": certified},
                headers=admin,
            )
        )
        pharmacy = self._ok(
            self.client.post(
                "/api/v1/pharmacies",
                json={"name": "Specialty Rx", "certified_on": certified},
                headers=admin,
            )
        )
        self.pharmacy_id = pharmacy["id"]
        self.prescriber = service.user("prescriber", prescriber_id=prescriber["id"])
        self.nurse = service.user("nurse", acting_for=[prescriber["id"]])
        self.pharmacist = service.user("pharmacist", pharmacy_id=pharmacy["id"])

    @staticmethod
    def _ok(response, status: int = 201) -> dict:
        assert response.status_code == status, response.text
        return response.json()

    def now(self, moment: dt.datetime) -> None:
        self.app.dependency_overrides[current_moment] = lambda: moment

    def post(self, url: str, body: dict | None = None, *, headers=None, status: int = 201):
        response = self.client.post(url, json=body, headers=headers or self.nurse)
        return self._ok(response, status)


@pytest.mark.parametrize("category", list(RemsRiskCategory), ids=str)
def test_the_whole_path(service, category):
    story = Story(service)
    day0 = story.start
    sex, age, reproductive = PEOPLE[category]
    story.now(_at(day0, 7))
    child = age < REMS.risk_categories.child_below_age_years
    frp = category.reproductive_potential

    patient = story.post(
        "/api/v1/patients",
        {
            "name": f"Patient {category.value}",
            "sex": sex,
            "birth_date": str(dt.date(day0.year - age - 1, 6, 1)),
            "reproductive": reproductive,
            "guardian_name": "A. Guardian" if child else None,
        },
        headers=story.prescriber,
    )
    assert patient["risk_category"]["category"] == category.value
    pid = patient["id"]
    prescription = {
        "patient_id": pid,
        "indication": "mm_combination",
        "dose_mg": 25,
        "days_supply": SUPPLY,
    }

    story.now(_at(day0, 10))
    refused = story.post(
        "/api/v1/authorizations", prescription, headers=story.prescriber, status=422
    )
    codes = [item["code"] for item in refused["unmet"]]
    assert ("guardian_agreement_missing" in codes) is child
    assert ("pregnancy_test_missing" in codes) is frp
    assert {"patient_agreement_missing", "patient_survey_missing"} <= set(codes)

    signers = ["patient", "parent_or_guardian"] if child else ["patient"]
    for signer in signers:
        story.post(
            f"/api/v1/patients/{pid}/agreements",
            {"signer": signer, "signed_on": str(day0)},
            status=200,
        )
    story.client.put(
        f"/api/v1/patients/{pid}/pharmacy",
        json={"pharmacy_id": story.pharmacy_id},
        headers=story.nurse,
    ).raise_for_status()
    story.client.put(
        f"/api/v1/patients/{pid}/case", json=case_data(day0), headers=story.nurse
    ).raise_for_status()
    for kind in ("rems_education", "contraception"):
        story.post(f"/api/v1/patients/{pid}/counselling", {"kind": kind, "given_on": str(day0)})
    story.post(
        f"/api/v1/patients/{pid}/insurance",
        {"payer": "Medicare Part D", "member_id": "1EG4", "prior_authorization": "approved"},
    )

    def tests(*moments: dt.datetime) -> None:
        for moment in moments:
            story.now(moment + dt.timedelta(minutes=1))
            story.post(
                f"/api/v1/patients/{pid}/pregnancy-tests",
                {"taken_at": moment.isoformat(), "result": "negative", "sensitivity_miu_ml": 25},
            )

    def surveys(moment: dt.datetime) -> None:
        story.now(moment + dt.timedelta(minutes=1))
        for respondent, headers in (("patient", story.nurse), ("prescriber", story.prescriber)):
            story.post(
                f"/api/v1/patients/{pid}/surveys",
                {"respondent": respondent, "taken_at": moment.isoformat()},
                headers=headers,
            )

    if frp:
        tests(_at(day0 - dt.timedelta(days=12), 9), _at(day0, 8))
    surveys(_at(day0, 9))
    story.now(_at(day0, 10))

    readiness = story._ok(
        story.client.get(f"/api/v1/patients/{pid}/readiness", headers=story.nurse), 200
    )
    assert [i["item"] for i in readiness["items"] if i["status"] == "due"] == ["authorization"]
    # the clinical side: a child's case is assessed but Cockcroft-Gault is for adults only
    assert readiness["readiness"] == ("not_ready" if child else "ready")

    def prescribe_and_confirm() -> tuple[dict, dict]:
        authorization = story.post("/api/v1/authorizations", prescription, headers=story.prescriber)
        assert authorization["risk_category"] == category.value
        confirmation = story.post(
            f"/api/v1/authorizations/{authorization['number']}/confirmations",
            headers=story.pharmacist,
        )
        return authorization, confirmation

    def dispense(confirmation: dict, status: int = 201) -> dict:
        return story.post(
            "/api/v1/dispenses",
            {
                "confirmation_number": confirmation["number"],
                "capsule_strength_mg": 25,
                "quantity": 21,
                "days_supply": SUPPLY,
            },
            headers=story.pharmacist,
            status=status,
        )

    first, confirmation = prescribe_and_confirm()
    fill = dispense(confirmation)
    assert fill["authorization_number"] == first["number"]

    opens = dt.date.fromisoformat(fill["next_fill_from"])
    assert opens == day0 + dt.timedelta(days=SUPPLY - WINDOW)
    early = _at(opens - dt.timedelta(days=1), 10)
    if frp:  # weekly on treatment; the last within the hours before the new prescription
        tests(*(_at(day0 + dt.timedelta(days=d), 9) for d in (7, 14)))
        tests(early - dt.timedelta(hours=2))
    surveys(early - dt.timedelta(minutes=30))
    story.now(early)
    _, second = prescribe_and_confirm()
    too_early = dispense(second, status=409)
    assert too_early["title"] == "too early for a new fill"
    assert str(opens) in too_early["errors"][0]["message"]

    story.now(_at(opens, 9))  # yesterday's confirmation is still within its 24 hours
    refill = dispense(second)
    assert refill["dispensed_on"] == str(opens)
    listed = story._ok(
        story.client.get(f"/api/v1/patients/{pid}/dispenses", headers=story.prescriber), 200
    )
    assert [d["dispensed_on"] for d in listed["items"]] == [str(opens), str(day0)]
