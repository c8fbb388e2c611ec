"""The clearance of a case (`case_crcl`, used by the VTE scores) and the Devine height limit,
pinned exactly (issue 7). Cockcroft-Gault: (140 − age) × weight / (72 × creatinine), × 0.85
for a female (facts file §2); Devine ideal weight 50 kg (male) + 2.3 kg per inch over 60 in.
"""

from __future__ import annotations

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.clearance import case_crcl, crcl_weight
from lenaguard.vocab import Sex, WeightPolicy
from tests.factories import lab, make_case

RENAL = default_knowledge().get(RenalKnowledge)


def creatinine(value: float = 1.0) -> list[dict]:
    return [lab("creatinine", value, "mg/dL")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, 75 * 80 / 72),  # male, 65 years, 80 kg, creatinine 1.0 mg/dL
        ({"patient": {"sex": "female"}}, 0.85 * 75 * 80 / 72),
        # ideal weight at 175 cm: 50 + 2.3 × (175 / 2.54 − 60) kg
        ({"renal": {"weight_policy": "ideal"}}, 75 * (50 + 2.3 * (175 / 2.54 - 60)) / 72),
        ({"patient": {"weight_kg": 60}}, 75 * 60 / 72),
        ({"patient": {"age_years": 80}}, 60 * 80 / 72),
    ],
    ids=["male", "female", "ideal weight", "60 kg", "80 years"],
)
def test_the_clearance_of_a_case_uses_its_sex_weight_policy_weight_and_age(overrides, expected):
    case = make_case(labs=creatinine(), **overrides)
    assert case_crcl(case, RENAL) == pytest.approx(expected)


def test_the_clearance_of_a_case_reads_the_latest_creatinine():
    case = make_case(labs=[lab("creatinine", 2.0, "mg/dL", date="2026-11-01"), *creatinine(1.5)])
    assert case_crcl(case, RENAL) == pytest.approx(75 * 80 / (72 * 1.5))


def test_no_creatinine_no_clearance():
    assert case_crcl(make_case(labs=[]), RENAL) is None


def test_the_ideal_weight_of_a_patient_exactly_60_inches_tall_needs_no_note():
    weight, words = crcl_weight(WeightPolicy.IDEAL, Sex.MALE, 80, 152.4, RENAL)
    assert weight == pytest.approx(50)
    assert words == "ideal body weight 50 kg (Devine, male, height 152.4 cm) (ideal-weight policy)"
    _, shorter = crcl_weight(WeightPolicy.IDEAL, Sex.MALE, 80, 152.3, RENAL)
    assert "shorter than the formula's 152.4 cm, so the base weight" in shorter
