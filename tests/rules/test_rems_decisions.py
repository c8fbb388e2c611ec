"""REMS decisions pinned exactly (issue 7): the whole category result (presumed or not, the
basis in words, status and citations), the validity of an authorization on its issue day, the
errors for what is not a prescription, the survey wording and who signs the enrollment form.

Written against the mutants that survived `python benchmarks/mutation.py rems` (see
docs/mutation.md). Expected values come from the facts file §5 (FRP definition, 24 months of
natural menopause, child under 18; 28-day supply, no refills; surveys before every
prescription for FRP and males, every 6 months for the others).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.case import Reproductive
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import (
    RemsRiskCategory,
    authorization_expires,
    authorization_valid,
    check_prescription,
    enrollment_agreements,
    rems_risk_category,
    survey_requirement,
)
from lenaguard.vocab import Sex

KB = default_knowledge()
C = RemsRiskCategory
CATEGORIES_CITE = ("lenalidomide_rems", "Patient risk categories (names not seen in a REMS copy)")
DEFINITION_CITE = ("uspi", "§8.3 Females and Males of Reproductive Potential (older label version)")
ADULT_30 = "age 30 years: adult (child category below 18 years)"
NO_SURGERY = {"hysterectomy": False, "bilateral_oophorectomy": False}


def summary(result) -> tuple:
    """Everything a category result decides, in one comparable tuple."""
    return (
        result.category,
        result.child,
        result.reproductive_potential,
        result.presumed,
        result.basis,
        result.would_change,
        result.status,
        [(c.source, c.section) for c in result.citations],
    )


@pytest.mark.parametrize(
    ("age", "category", "age_words"),
    [
        (17, C.MALE_CHILD, "age 17 years: child (child category below 18 years)"),
        (18, C.ADULT_MALE, "age 18 years: adult (child category below 18 years)"),
    ],
)
def test_a_male_category_rests_on_sex_and_age_only(age, category, age_words):
    result = rems_risk_category(Sex.MALE, age, Reproductive(hysterectomy=True), KB)
    assert summary(result) == (
        category,
        age == 17,
        None,
        False,
        ["sex male", age_words],
        [],
        Status.UNVERIFIED,
        [CATEGORIES_CITE],
    )


@pytest.mark.parametrize(
    ("history", "words"),
    [
        ({"hysterectomy": True}, "hysterectomy: yes (cannot become pregnant)"),
        (
            {"hysterectomy": False, "bilateral_oophorectomy": True},
            "bilateral oophorectomy: yes (cannot become pregnant)",
        ),
        (
            {**NO_SURGERY, "months_since_last_menses": 30, "amenorrhea_natural": True},
            "natural menopause: no menses for 30 months (at least 24 consecutive months)",
        ),
        (
            {**NO_SURGERY, "months_since_last_menses": 24},
            "no menses for 24 months: naturally postmenopausal (at least 24 consecutive months); "
            "confirm this is natural menopause, since absent periods caused by cancer treatment "
            "(chemotherapy, transplant) do not count, and record "
            "patient.reproductive.amenorrhea_natural",
        ),
    ],
    ids=["hysterectomy", "oophorectomy", "natural menopause", "menopause to confirm"],
)
def test_a_female_who_cannot_become_pregnant_is_not_presumed_and_says_why(history, words):
    result = rems_risk_category(Sex.FEMALE, 30, Reproductive(**history), KB)
    assert summary(result) == (
        C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL,
        False,
        False,
        False,
        ["sex female", ADULT_30, words],
        [],
        Status.UNVERIFIED,
        [CATEGORIES_CITE, DEFINITION_CITE],
    )


def test_amenorrhea_caused_by_treatment_keeps_the_reproductive_potential():
    history = {**NO_SURGERY, "months_since_last_menses": 30, "amenorrhea_natural": False}
    result = rems_risk_category(Sex.FEMALE, 30, Reproductive(**history), KB)
    assert summary(result) == (
        C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL,
        False,
        True,
        False,
        [
            "sex female",
            ADULT_30,
            "hysterectomy: no",
            "bilateral oophorectomy: no",
            "no menses for 30 months, but caused by treatment, not natural menopause: still able "
            "to become pregnant",
        ],
        [],
        Status.UNVERIFIED,
        [CATEGORIES_CITE, DEFINITION_CITE],
    )


def test_recent_menses_with_no_surgery_recorded_is_presumed_and_lists_the_missing_facts():
    result = rems_risk_category(Sex.FEMALE, 15, Reproductive(months_since_last_menses=3), KB)
    assert summary(result) == (
        C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL,
        True,
        True,
        True,
        [
            "sex female",
            "age 15 years: child (child category below 18 years)",
            "last menses 3 months ago: fewer than 24 consecutive months without menses",
            "history incomplete: treated as of reproductive potential until known",
        ],
        [
            "patient.reproductive.hysterectomy: a hysterectomy (true)",
            "patient.reproductive.bilateral_oophorectomy: removal of both ovaries (true)",
        ],
        Status.UNVERIFIED,
        [CATEGORIES_CITE, DEFINITION_CITE],
    )


def test_no_history_at_all_is_presumed_and_asks_for_every_fact():
    result = rems_risk_category(Sex.FEMALE, 30, None, KB)
    assert result.presumed is True
    assert result.basis == [
        "sex female",
        ADULT_30,
        "history incomplete: treated as of reproductive potential until known",
    ]
    assert result.would_change[-1] == (
        "patient.reproductive.months_since_last_menses: natural menopause with no menses for at "
        "least 24 consecutive months"
    )


def test_an_authorization_is_valid_from_its_issue_day():
    issued = dt.date(2026, 11, 20)
    assert authorization_valid(C.ADULT_MALE, issued, None, issued, KB) is True
    assert authorization_valid(C.ADULT_MALE, issued, None, issued - dt.timedelta(days=1), KB) is (
        False
    )


def test_what_is_not_a_prescription_or_an_authorization_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"^days_supply: must be at least one day \(got 0\)$"):
        check_prescription(0, 0, KB)
    with pytest.raises(ValueError, match=r"^refills: must not be negative \(got -1\)$"):
        check_prescription(28, -1, KB)
    with pytest.raises(
        ValueError,
        match=r"^last_pregnancy_test: required for a female of reproductive potential, whose "
        r"authorization runs from her last pregnancy test$",
    ):
        authorization_expires(
            C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL, dt.date(2026, 11, 20), None, KB
        )


def test_each_breach_of_the_prescription_limits_names_its_value():
    found = check_prescription(35, 2, KB, telephone=True)
    assert [(f.id, f.blocking, f.summary, f.inputs) for f in found] == [
        (
            "pregnancy.rems_days_supply",
            True,
            "Supply of 35 days exceeds the REMS maximum of 28 days",
            {"days_supply": 35},
        ),
        (
            "pregnancy.rems_refills",
            True,
            "2 refill(s) written; the REMS allows no refills",
            {"refills": 2},
        ),
        (
            "pregnancy.rems_telephone",
            True,
            "Telephone prescriptions are not allowed under the REMS",
            {"telephone": True},
        ),
    ]


@pytest.mark.parametrize(
    ("category", "text"),
    [
        (C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL, "before every prescription"),
        (C.MALE_CHILD, "before every prescription"),
        (C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL, "at enrollment, then every 6 months"),
    ],
)
def test_the_survey_requirement_says_when_in_words(category, text):
    assert survey_requirement(category, KB).text == text


@pytest.mark.parametrize("category", [C.ADULT_MALE, C.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL])
def test_the_patient_signs_the_patient_agreement(category):
    rems = KB.get(RemsKnowledge)
    (patient,) = [e for e in rems.program_elements if e.participant == "patient"]
    first = enrollment_agreements(category, KB)[0]
    assert (first.signer, first.text, first.status) == (
        "patient",
        patient.requirement,
        patient.status,
    )
    assert first.citations == list(patient.cite)
