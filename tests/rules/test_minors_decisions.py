"""Findings for a patient under 18 pinned whole (issue 7): the off-label finding and the
guardian's agreement with the REMS child category it rests on, for each child category.

Written against the mutants that survived `python benchmarks/mutation.py minors` (see
docs/mutation.md). Facts §1 "Adults only" (the label is for patients 18 and over) and §5 (the
REMS child categories; a parent or legal guardian also signs for a child).
"""

from __future__ import annotations

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.safety import minors
from lenaguard.vocab import Severity
from tests.factories import make_case

KB = default_knowledge()
FRP = {"hysterectomy": False, "bilateral_oophorectomy": False, "months_since_last_menses": 0}


def child(sex: str, reproductive: dict | None = None, age: int = 15):
    patient = {"sex": sex, "age_years": age, "weight_kg": 55, "height_cm": 160}
    if reproductive is not None:
        patient["reproductive"] = reproductive
    return make_case(patient=patient)


def by_id(case) -> dict:
    return {finding.id: finding for finding in minors.evaluate(case, KB).findings}


@pytest.mark.parametrize(
    ("sex", "reproductive", "category"),
    [
        ("male", None, "male_child"),
        ("female", {"hysterectomy": True}, "female_child_not_reproductive_potential"),
        ("female", FRP, "female_child_reproductive_potential"),
    ],
)
def test_a_child_gets_the_off_label_finding_and_the_guardian_agreement(sex, reproductive, category):
    found = by_id(child(sex, reproductive))
    assert sorted(found) == ["dosing.pediatric_off_label", "pregnancy.rems_guardian_agreement"]
    off_label = found["dosing.pediatric_off_label"]
    assert (off_label.severity, off_label.blocking) == (Severity.WARNING, False)
    assert off_label.summary == (
        "The patient is 15: lenalidomide is labelled for adults (18 and over), so this use is "
        "off-label."
    )
    assert off_label.detail.endswith(
        "The label's starting doses, dose changes and monitoring are written for patients aged 18 "
        "and over; lenaguard applies them as written, and the prescriber decides whether and how "
        "they apply to this patient."
    )
    assert off_label.inputs == {"age_years": 15, "adult_from_years": 18}
    guardian = found["pregnancy.rems_guardian_agreement"]
    assert (guardian.severity, guardian.blocking) == (Severity.WARNING, False)
    assert guardian.summary == (
        "A parent or legal guardian must also sign the REMS patient-physician agreement."
    )
    assert guardian.detail.startswith("The patient is 15, a child for the REMS. ")
    assert guardian.detail.endswith(" The enrollment is not complete without it.")
    assert guardian.inputs == {"age_years": 15, "rems_category": category}


def test_an_adult_gets_neither_finding():
    assert by_id(child("female", FRP, age=18)) == {}
