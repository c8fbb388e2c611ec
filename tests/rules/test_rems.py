"""REMS conditions as pure functions: risk category, prescription limits, dates and surveys.

Expected values are the facts file's (§5): FRP = no hysterectomy, no bilateral oophorectomy and
not naturally postmenopausal for >= 24 consecutive months; child < 18; at most a 28-day supply,
no refills, no telephone prescriptions; authorization 7 days from the last pregnancy test (FRP)
or 30 days from issue (others); dispense within 24 hours of the confirmation number; a new fill
only when <= 7 days of therapy remain; surveys before every prescription (FRP, males) or at
enrollment and then every 6 months (females not of reproductive potential).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.case import Reproductive
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import (
    RemsRiskCategory,
    add_months,
    authorization_expires,
    authorization_valid,
    check_prescription,
    dispense_counselling,
    dispense_deadline,
    next_periodic_survey,
    refill_allowed,
    rems_risk_category,
    requires_pregnancy_tests,
    survey_requirement,
)
from lenaguard.vocab import Category, Severity, Sex

KB = default_knowledge()
C = RemsRiskCategory
FRP_HISTORY = Reproductive(
    hysterectomy=False, bilateral_oophorectomy=False, months_since_last_menses=1
)


# ---------------------------------------------------------------- risk categories


@pytest.mark.parametrize(
    ("sex", "age", "reproductive", "expected"),
    [
        (Sex.FEMALE, 30, FRP_HISTORY, C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL),
        (Sex.FEMALE, 15, FRP_HISTORY, C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL),
        (
            Sex.FEMALE,
            30,
            Reproductive(hysterectomy=True),
            C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL,
        ),
        (
            Sex.FEMALE,
            15,
            Reproductive(bilateral_oophorectomy=True),
            C.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL,
        ),
        (Sex.MALE, 45, None, C.ADULT_MALE),
        (Sex.MALE, 12, None, C.MALE_CHILD),
    ],
)
def test_each_of_the_six_categories(sex, age, reproductive, expected):
    result = rems_risk_category(sex, age, reproductive, KB)
    assert result.category is expected
    assert result.status is Status.UNVERIFIED  # the category names are unverified (§5)
    assert result.citations


def test_category_names_are_the_six_of_the_facts_file():
    names = {rems_risk_category(*args, KB).name for args in _six()}
    assert names == {
        "Adult female of reproductive potential",
        "Female child of reproductive potential",
        "Adult female not of reproductive potential",
        "Female child not of reproductive potential",
        "Adult male",
        "Male child",
    }


def _six():
    return [
        (Sex.FEMALE, 30, FRP_HISTORY),
        (Sex.FEMALE, 15, FRP_HISTORY),
        (Sex.FEMALE, 30, Reproductive(hysterectomy=True)),
        (Sex.FEMALE, 15, Reproductive(hysterectomy=True)),
        (Sex.MALE, 45, None),
        (Sex.MALE, 12, None),
    ]


@pytest.mark.parametrize(("age", "child"), [(17, True), (18, False), (0, True), (120, False)])
def test_child_means_under_18(age, child):
    female = rems_risk_category(Sex.FEMALE, age, FRP_HISTORY, KB)
    male = rems_risk_category(Sex.MALE, age, None, KB)
    assert female.child is child and male.child is child
    assert (female.category is C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL) is child
    assert (male.category is C.MALE_CHILD) is child


@pytest.mark.parametrize(("months", "frp"), [(23, True), (24, False), (25, False), (0, True)])
def test_natural_menopause_needs_24_consecutive_months(months, frp):
    history = Reproductive(
        hysterectomy=False, bilateral_oophorectomy=False, months_since_last_menses=months
    )
    for age in (16, 50):
        result = rems_risk_category(Sex.FEMALE, age, history, KB)
        assert result.reproductive_potential is frp
        assert result.presumed is False
        assert result.category.reproductive_potential is frp


def test_hysterectomy_or_oophorectomy_rules_out_reproductive_potential_whatever_else():
    for history in (
        Reproductive(hysterectomy=True, months_since_last_menses=0),
        Reproductive(bilateral_oophorectomy=True, hysterectomy=False, months_since_last_menses=0),
    ):
        result = rems_risk_category(Sex.FEMALE, 40, history, KB)
        assert result.category is C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
        assert result.would_change == []


def test_unknown_history_counts_as_reproductive_potential_and_names_what_would_change_it():
    result = rems_risk_category(Sex.FEMALE, 16, None, KB)
    assert result.category is C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL
    assert result.presumed is True
    joined = " ".join(result.would_change)
    assert "patient.reproductive.hysterectomy" in joined
    assert "patient.reproductive.bilateral_oophorectomy" in joined
    assert "patient.reproductive.months_since_last_menses" in joined
    assert "24" in joined


def test_partly_known_history_lists_only_the_missing_facts():
    history = Reproductive(hysterectomy=False, months_since_last_menses=3)
    result = rems_risk_category(Sex.FEMALE, 40, history, KB)
    assert result.presumed is True
    assert len(result.would_change) == 1
    assert "bilateral_oophorectomy" in result.would_change[0]


def test_known_menopause_decides_even_when_surgery_is_unknown():
    history = Reproductive(months_since_last_menses=30)
    result = rems_risk_category(Sex.FEMALE, 60, history, KB)
    assert result.category is C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
    assert result.presumed is False


def test_reproductive_history_is_ignored_for_males():
    result = rems_risk_category(Sex.MALE, 40, FRP_HISTORY, KB)
    assert result.category is C.ADULT_MALE
    assert result.reproductive_potential is None


def test_a_negative_age_is_refused():
    with pytest.raises(ValueError, match="age_years"):
        rems_risk_category(Sex.MALE, -1, None, KB)


def test_pregnancy_tests_apply_to_the_two_frp_categories_only():
    assert {c for c in C if requires_pregnancy_tests(c)} == {
        C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL,
        C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL,
    }


_histories = st.builds(
    Reproductive,
    hysterectomy=st.none() | st.booleans(),
    bilateral_oophorectomy=st.none() | st.booleans(),
    months_since_last_menses=st.none() | st.integers(min_value=0, max_value=600),
    menses_regular=st.none() | st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    sex=st.sampled_from(list(Sex)),
    age=st.integers(min_value=0, max_value=120),
    history=st.none() | _histories,
)
def test_category_follows_the_definition_for_any_input(sex, age, history):
    result = rems_risk_category(sex, age, history, KB)
    assert result.child is (age < 18)
    assert result.category.female is (sex is Sex.FEMALE)
    if sex is Sex.MALE:
        assert result.reproductive_potential is None
        return
    known = history or Reproductive()
    ruled_out = (
        known.hysterectomy is True
        or known.bilateral_oophorectomy is True
        or (known.months_since_last_menses is not None and known.months_since_last_menses >= 24)
    )
    assert result.reproductive_potential is (not ruled_out)
    assert result.presumed is (not ruled_out and bool(result.would_change))
    if result.presumed:
        assert result.would_change


# ---------------------------------------------------------------- prescription limits


def test_a_28_day_prescription_without_refills_complies():
    assert check_prescription(28, 0, KB) == []
    assert check_prescription(1, 0, KB) == []


def test_29_days_is_over_the_limit_and_blocks():
    (finding,) = check_prescription(29, 0, KB)
    assert finding.id == "pregnancy.rems_days_supply"
    assert finding.category is Category.PREGNANCY
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert "28" in finding.summary
    assert finding.status is Status.LABEL_OLD


def test_any_refill_blocks():
    (finding,) = check_prescription(28, 1, KB)
    assert finding.id == "pregnancy.rems_refills"
    assert finding.blocking
    assert "no refills" in finding.summary


def test_telephone_prescriptions_block():
    (finding,) = check_prescription(28, 0, KB, telephone=True)
    assert finding.id == "pregnancy.rems_telephone"
    assert finding.blocking


def test_every_breach_is_reported():
    found = check_prescription(90, 3, KB, telephone=True)
    assert {f.id for f in found} == {
        "pregnancy.rems_days_supply",
        "pregnancy.rems_refills",
        "pregnancy.rems_telephone",
    }


@pytest.mark.parametrize(("days", "refills"), [(0, 0), (-5, 0), (28, -1)])
def test_impossible_prescriptions_are_refused(days, refills):
    with pytest.raises(ValueError):
        check_prescription(days, refills, KB)


# ---------------------------------------------------------------- authorization, dispensing, refills


def test_frp_authorization_runs_7_days_from_the_last_pregnancy_test():
    test_day = dt.date(2026, 11, 18)
    expires = authorization_expires(
        C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL, dt.date(2026, 11, 20), test_day, KB
    )
    assert expires == dt.date(2026, 11, 24)  # test day is day 1 of 7
    child = authorization_expires(
        C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL, dt.date(2026, 11, 20), test_day, KB
    )
    assert child == expires


@pytest.mark.parametrize(
    "category",
    [
        C.ADULT_MALE,
        C.MALE_CHILD,
        C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL,
        C.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL,
    ],
)
def test_other_authorizations_run_30_days_from_issue(category):
    issued = dt.date(2026, 11, 20)
    assert authorization_expires(category, issued, None, KB) == dt.date(2026, 12, 19)
    # the pregnancy test date does not matter for them
    assert authorization_expires(category, issued, dt.date(2026, 1, 1), KB) == dt.date(2026, 12, 19)


def test_frp_authorization_needs_the_test_date():
    with pytest.raises(ValueError, match="last_pregnancy_test"):
        authorization_expires(
            C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL, dt.date(2026, 11, 20), None, KB
        )


def test_authorization_validity_edges():
    frp = C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
    issued, tested = dt.date(2026, 11, 20), dt.date(2026, 11, 20)
    assert authorization_valid(frp, issued, tested, dt.date(2026, 11, 26), KB)
    assert not authorization_valid(frp, issued, tested, dt.date(2026, 11, 27), KB)
    assert not authorization_valid(frp, issued, tested, dt.date(2026, 11, 19), KB)
    male = C.ADULT_MALE
    assert authorization_valid(male, issued, None, dt.date(2026, 12, 19), KB)
    assert not authorization_valid(male, issued, None, dt.date(2026, 12, 20), KB)


def test_dispense_within_24_hours_of_the_confirmation_number():
    confirmed = dt.datetime(2026, 11, 20, 9, 30)
    assert dispense_deadline(confirmed, KB) == dt.datetime(2026, 11, 21, 9, 30)
    aware = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)
    assert dispense_deadline(aware, KB) == dt.datetime(2026, 11, 21, 23, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("remaining", "allowed"), [(8, False), (7, True), (1, True), (0, True)])
def test_a_new_fill_only_when_7_days_or_fewer_remain(remaining, allowed):
    assert refill_allowed(remaining, KB) is allowed


# ---------------------------------------------------------------- surveys and counselling


@pytest.mark.parametrize(
    "category",
    [
        C.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL,
        C.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL,
        C.ADULT_MALE,
        C.MALE_CHILD,
    ],
)
def test_frp_and_males_survey_before_every_prescription(category):
    requirement = survey_requirement(category, KB)
    assert requirement.before_every_prescription is True
    assert requirement.every_months is None
    assert requirement.status is Status.UNVERIFIED
    assert next_periodic_survey(category, dt.date(2026, 1, 15), None, KB) is None


@pytest.mark.parametrize(
    "category",
    [C.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL, C.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL],
)
def test_females_not_of_reproductive_potential_survey_every_6_months(category):
    requirement = survey_requirement(category, KB)
    assert requirement.before_every_prescription is False
    assert requirement.every_months == 6
    assert "6 months" in requirement.text
    enrolled = dt.date(2026, 1, 15)
    assert next_periodic_survey(category, enrolled, None, KB) == dt.date(2026, 7, 15)
    assert next_periodic_survey(category, enrolled, dt.date(2026, 8, 31), KB) == dt.date(
        2027, 2, 28
    )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 31), 0, dt.date(2026, 3, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_counselling_at_each_dispense_is_paperwork_and_unverified():
    finding = dispense_counselling(KB)
    assert finding.severity is Severity.INFO
    assert finding.blocking is False
    assert finding.status is Status.UNVERIFIED
    assert "Medication Guide" in finding.summary


# ---------------------------------------------------------------- the knowledge carries the facts file


def test_rems_knowledge_numbers_and_statuses_match_the_facts_file():
    rems = KB.get(RemsKnowledge)
    assert rems.goals.status is Status.LABEL
    assert len(rems.goals.items) == 2
    assert all(element.status is Status.SECONDARY for element in rems.program_elements)
    assert rems.risk_categories.child_below_age_years == 18
    assert rems.risk_categories.status is Status.UNVERIFIED
    assert rems.authorization_on_prescription.status is Status.SECONDARY
    limits = rems.prescription_limits
    assert (limits.max_days_supply, limits.max_refills) == (28, 0)
    assert limits.telephone_prescriptions_allowed is False
    assert limits.status is Status.LABEL_OLD
    validity = rems.authorization_validity
    assert validity.reproductive_potential_days_from_last_test == 7
    assert validity.other_days_from_issue == 30
    assert validity.status is Status.SECONDARY
    assert rems.dispensing.within_hours_of_confirmation == 24
    assert rems.dispensing.status is Status.SECONDARY
    assert rems.refill_window.max_days_of_therapy_remaining == 7
    assert rems.refill_window.status is Status.SECONDARY
    assert rems.surveys.periodic_every_months == 6
    assert rems.surveys.status is Status.UNVERIFIED
    assert rems.dispense_counselling.status is Status.UNVERIFIED


def test_pregnancy_knowledge_numbers_and_statuses_match_the_facts_file():
    facts = KB.get(PregnancyKnowledge)
    assert facts.reproductive_potential.natural_menopause_months == 24
    assert facts.reproductive_potential.status is Status.LABEL_OLD
    assert facts.contraindication.status is Status.LABEL
    assert (facts.contraception.weeks_before, facts.contraception.weeks_after) == (4, 4)
    assert facts.contraception.status is Status.LABEL
    assert facts.initial_tests.first_window_days_before == (10, 14)
    assert facts.initial_tests.second_within_hours == 24
    assert facts.initial_tests.status is Status.LABEL
    assert facts.test_sensitivity.detection_limit_max_miu_ml == 50
    assert facts.test_sensitivity.status is Status.LABEL_OLD
    ongoing = facts.ongoing_tests
    assert ongoing.weekly_phase_weeks == 4
    assert ongoing.weekly_interval_days == 7
    assert ongoing.regular_menses_interval_weeks == 4
    assert ongoing.irregular_menses_interval_weeks == 2
    assert ongoing.status is Status.LABEL
    assert facts.missed_period.status is Status.LABEL
    assert facts.pregnancy_on_therapy.fda_medwatch_phone == "1-800-FDA-1088"
    assert facts.pregnancy_on_therapy.manufacturer_phone == "1-888-423-5436"
    assert facts.pregnancy_on_therapy.status is Status.LABEL
    assert facts.lactation.status is Status.LABEL_OLD
    assert facts.male_condom.status is Status.LABEL
    assert facts.male_after_stopping.weeks_after == 4
    assert facts.male_after_stopping.status is Status.UNVERIFIED
    assert facts.blood_donation.weeks_after == 4
    assert facts.blood_donation.status is Status.LABEL


class TestAmenorrheaCause:
    """Facts §5: only *natural* menopause for ≥ 24 consecutive months ends reproductive potential."""

    def _category(self, **reproductive):
        from lenaguard.case import Reproductive
        from lenaguard.knowledge import default_knowledge
        from lenaguard.rules.safety.rems import rems_risk_category
        from lenaguard.vocab import Sex

        return rems_risk_category(Sex.FEMALE, 52, Reproductive(**reproductive), default_knowledge())

    def test_natural_menopause_of_24_months_ends_reproductive_potential_without_a_caveat(self):
        result = self._category(
            hysterectomy=False,
            bilateral_oophorectomy=False,
            months_since_last_menses=24,
            amenorrhea_natural=True,
        )
        assert result.reproductive_potential is False
        assert not any("confirm" in line for line in result.basis)

    def test_amenorrhea_caused_by_treatment_keeps_reproductive_potential(self):
        result = self._category(
            hysterectomy=False,
            bilateral_oophorectomy=False,
            months_since_last_menses=36,
            amenorrhea_natural=False,
        )
        assert result.reproductive_potential is True
        assert any("caused by treatment" in line for line in result.basis)

    def test_unknown_cause_asks_to_confirm_natural_menopause(self):
        result = self._category(
            hysterectomy=False, bilateral_oophorectomy=False, months_since_last_menses=24
        )
        assert result.reproductive_potential is False
        assert any("amenorrhea_natural" in line for line in result.basis)

    def test_23_natural_months_are_not_enough(self):
        result = self._category(
            hysterectomy=False,
            bilateral_oophorectomy=False,
            months_since_last_menses=23,
            amenorrhea_natural=True,
        )
        assert result.reproductive_potential is True
