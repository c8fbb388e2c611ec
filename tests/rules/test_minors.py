"""Patients under 18: accepted, flagged as off-label use, REMS child categories and the
guardian's agreement.

The label is for adults (USPI §8.4; facts §1 "Adults only"). The REMS has child risk
categories for females (of reproductive potential or not) and males, and a parent or legal
guardian also signs the patient-physician agreement for a child (facts §5, secondary). Ages
come from `age_years` or from `birth_date` on the assessment date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge, RemsRiskCategory
from lenaguard.rules.safety import minors
from lenaguard.rules.safety.rems import enrollment_agreements, survey_requirement
from lenaguard.vocab import Severity
from tests.factories import make_case

KB = default_knowledge()
AS_OF = dt.date(2026, 11, 20)
ADULT = KB.get(IndicationsKnowledge).adults_only.years
REMS_CHILD_BELOW = KB.get(RemsKnowledge).risk_categories.child_below_age_years
OFF_LABEL = "dosing.pediatric_off_label"
GUARDIAN = "pregnancy.rems_guardian_agreement"

FRP = {"hysterectomy": False, "bilateral_oophorectomy": False, "months_since_last_menses": 0}
NOT_FRP = {"hysterectomy": True}


def _case(sex: str, age: int, reproductive: dict | None = None, **patient):
    fields = {"sex": sex, "age_years": age, "weight_kg": 55, "height_cm": 160, **patient}
    if reproductive is not None:
        fields["reproductive"] = reproductive
    return make_case(patient=fields)


def _ids(case) -> set[str]:
    return {finding.id for finding in assess(case, KB).findings}


def test_the_label_and_the_rems_draw_the_child_line_at_the_same_age():
    assert ADULT == REMS_CHILD_BELOW == 18  # facts §1 "Adults only"; §5 "under 18"


@pytest.mark.parametrize("age", [0, 1, 12, ADULT - 2, ADULT - 1])
@pytest.mark.parametrize("sex", ["female", "male"])
def test_under_the_adult_age_the_use_is_flagged_off_label(sex, age):
    case = _case(sex, age, FRP if sex == "female" else None)
    result = assess(case, KB)  # accepted: no exception
    finding = next(f for f in result.findings if f.id == OFF_LABEL)
    assert finding.severity is Severity.WARNING and not finding.blocking
    assert finding.status is Status.LABEL
    assert any(c.source == "uspi" and "8.4" in c.section for c in finding.citations)
    assert f"is {age}:" in finding.summary and len(finding.summary) < 140
    assert "not established" in finding.detail


@pytest.mark.parametrize("age", [ADULT, ADULT + 1, 65])
@pytest.mark.parametrize("sex", ["female", "male"])
def test_adults_are_not_flagged(sex, age):
    ids = _ids(_case(sex, age, FRP if sex == "female" else None))
    assert OFF_LABEL not in ids and GUARDIAN not in ids


@pytest.mark.parametrize(
    ("sex", "age", "reproductive", "category"),
    [
        ("male", ADULT - 1, None, RemsRiskCategory.MALE_CHILD),
        ("male", 5, None, RemsRiskCategory.MALE_CHILD),
        ("male", ADULT, None, RemsRiskCategory.ADULT_MALE),
        ("female", ADULT - 1, FRP, RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL),
        ("female", ADULT - 1, None, RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL),
        ("female", ADULT - 1, NOT_FRP, RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL),
        ("female", ADULT, FRP, RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL),
        ("female", ADULT, NOT_FRP, RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL),
    ],
)
def test_every_combination_gets_its_rems_category_and_guardian_rule(
    sex, age, reproductive, category
):
    case = _case(sex, age, reproductive)
    result = assess(case, KB)
    assert result.rems_category is category
    ids = {f.id for f in result.findings}
    assert (GUARDIAN in ids) is category.child
    signers = [a.signer for a in enrollment_agreements(category, KB)]
    assert signers == (["patient", "parent_or_guardian"] if category.child else ["patient"])


@pytest.mark.parametrize("category", list(RemsRiskCategory))
def test_each_category_says_whether_it_is_a_child_and_has_a_survey_rule(category):
    assert category.child is ("child" in category.value)
    assert survey_requirement(category, KB).text


def test_the_guardian_finding_is_warning_paperwork_with_the_sources_status():
    finding = next(f for f in assess(_case("male", ADULT - 1), KB).findings if f.id == GUARDIAN)
    assert finding.severity is Severity.WARNING and not finding.blocking
    assert finding.status is KB.get(RemsKnowledge).guardian_agreement.status
    assert "parent or legal guardian" in finding.summary


def test_a_female_child_of_reproductive_potential_keeps_every_pregnancy_rule():
    child = assess(_case("female", ADULT - 2, FRP), KB)
    adult = assess(_case("female", ADULT, FRP), KB)
    pregnancy = {f.id for f in adult.findings if f.category.value == "pregnancy"}
    assert pregnancy <= {f.id for f in child.findings}
    assert not child.ready_to_prescribe  # no pregnancy tests recorded


@pytest.mark.parametrize(("birthday_offset", "child"), [(1, True), (0, False), (-1, False)])
def test_the_age_from_a_birth_date_turns_on_the_birthday(birthday_offset, child):
    """The 18th birthday is the day after, on, or before the assessment date."""
    eighteenth = AS_OF + dt.timedelta(days=birthday_offset)
    born = eighteenth.replace(year=eighteenth.year - ADULT)
    case = make_case(
        patient={"sex": "male", "age_years": None, "birth_date": born.isoformat(), "weight_kg": 60}
    )
    ids = _ids(case)
    assert (OFF_LABEL in ids) is child
    assert (GUARDIAN in ids) is child


def test_the_module_alone_says_nothing_for_an_adult():
    assert minors.evaluate(_case("male", 40), KB).findings == []
