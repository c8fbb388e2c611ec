"""Blood-count decisions pinned exactly (issue 7): whether drug is given, at which dose and on
which days, and the exact finding set, in the cases mutation testing found unpinned.

Written against the mutants that survived `python benchmarks/mutation.py hematologic` (see
docs/mutation.md): one count missing while the other is low; the other count falling during a
hold through each kind of trigger (fraction of baseline, fever, 7 days, platelet transfusion);
a transfusion before the last resume; courses started on non-default days or every 48 hours.
Expected values come from the facts file §3 (dose-modification tables).
"""

from __future__ import annotations

import pytest

from lenaguard.vocab import DoseAction, Frequency
from tests.factories import lab
from tests.rules.count_cases import LAB_DAY, counts, decide, ev, ids, transfusion

# --- an active course with one count missing ----------------------------------------------------


START_25 = [ev("2026-10-01", "start", 25)]


@pytest.mark.parametrize(
    ("labs", "action", "resume_mg", "rule", "found"),
    [
        (
            [lab("platelets", 29_999, "/uL")],
            DoseAction.HOLD,
            20,
            "platelets",
            ["input.cbc_needed", "toxicity.platelets_interrupt"],
        ),
        (
            [lab("anc", 999, "/uL")],
            DoseAction.HOLD,
            25,
            "anc.first_fall_only_toxicity",
            ["input.cbc_needed", "toxicity.anc_interrupt"],
        ),
        (
            [lab("platelets", 30_000, "/uL")],
            DoseAction.CONTINUE,
            None,
            "continue",
            ["input.cbc_needed"],
        ),
        ([lab("anc", 1_000, "/uL")], DoseAction.CONTINUE, None, "continue", ["input.cbc_needed"]),
    ],
)
def test_one_count_missing_while_the_other_is_low_still_interrupts(
    labs, action, resume_mg, rule, found
):
    plan, findings = decide("mm_combination", START_25, labs, other_toxicity={"grade": 0})
    assert plan.action is action
    assert plan.rule == f"dose_modification.mm_combination.{rule}"
    if action is DoseAction.HOLD:
        assert plan.dose_mg is None
        assert (plan.resume.dose_mg, plan.resume.days_on) == (resume_mg, (1, 21))
    else:
        assert (plan.dose_mg, plan.days_on) == (25, (1, 21))
    assert ids(findings) == found
    needed = next(f for f in findings if f.id == "input.cbc_needed")
    present = {entry["test"] for entry in labs}
    assert needed.inputs["missing"] == [t for t in ("platelets", "anc") if t not in present]


def test_both_counts_missing_on_an_active_course_asks_for_both():
    plan, findings = decide("mm_combination", START_25, [])
    assert plan.action is DoseAction.CONTINUE
    needed = next(f for f in findings if f.id == "input.cbc_needed")
    assert needed.inputs["missing"] == ["platelets", "anc"]


# --- the other count falls during a hold --------------------------------------------------------


MDS_START = "2026-10-24"  # first weeks on 10 mg run to 2026-11-20


def _mds_anc_hold(platelets_during_hold: float, baseline_platelets: float = 80_000):
    """MDS in its first weeks, held for neutropenia; the ANC has recovered by LAB_DAY."""
    events = [ev(MDS_START, "start", 10), ev("2026-11-05", "hold", reason="neutropenia")]
    labs = [
        *counts(baseline_platelets, 2_000, "2026-10-23"),
        *counts(platelets_during_hold, 600, "2026-11-10"),
        *counts(45_000, 1_200),
    ]
    return decide("mds_del5q", events, labs)


def test_platelets_at_half_the_baseline_during_an_anc_hold_must_recover_too():
    """Baseline 80,000: a fall to 40,000 (half) is a fall; restart needs 50,000 (Table 3)."""
    plan, findings = _mds_anc_hold(40_000)
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mds_del5q.platelets.first_weeks.baseline_mid"
    assert plan.resume.dose_mg == 5
    assert ids(findings) == ["input.high_tumor_burden_unknown", "toxicity.hold_continues"]


def test_platelets_above_half_the_baseline_during_an_anc_hold_do_not_hold_the_restart():
    plan, findings = _mds_anc_hold(40_001)
    assert plan.action is DoseAction.RESUME
    assert (plan.dose_mg, plan.days_on) == (5, (1, 28))
    assert plan.rule == "dose_modification.mds_del5q.anc.first_weeks.baseline_high"
    assert ids(findings) == ["dosing.restart", "input.high_tumor_burden_unknown"]


FL_PLATELET_HOLD = [
    ev("2026-10-01", "start", 20),
    ev("2026-11-01", "hold", reason="thrombocytopenia"),
]


@pytest.mark.parametrize(
    ("anc", "fever", "action", "found"),
    [
        (999, True, DoseAction.HOLD, ["toxicity.anc_fever_assumed", "toxicity.hold_continues"]),
        (999, False, DoseAction.RESUME, ["dosing.restart", "toxicity.anc_low_watch"]),
        (1_000, True, DoseAction.RESUME, ["dosing.restart"]),
    ],
)
def test_anc_with_fever_during_a_platelet_hold_keeps_the_hold(anc, fever, action, found):
    symptoms = ["fever"] if fever else []
    plan, findings = decide("fl", FL_PLATELET_HOLD, counts(60_000, anc), symptoms=symptoms)
    assert plan.action is action
    if action is DoseAction.HOLD:
        assert plan.rule == "dose_modification.fl.anc"
        assert plan.resume.dose_mg == 15
    else:
        assert (plan.dose_mg, plan.days_on) == (15, (1, 21))
    assert ids(findings) == found


def test_fever_counts_only_for_the_latest_count_of_the_hold():
    """An earlier low ANC with fever reported now is not a fever-triggered fall."""
    labs = [lab("anc", 900, "/uL", date="2026-11-10"), *counts(60_000, 1_000)]
    plan, findings = decide("fl", FL_PLATELET_HOLD, labs, symptoms=["fever"])
    assert plan.action is DoseAction.RESUME
    assert "also fell" not in plan.reason
    assert ids(findings) == ["dosing.restart"]


@pytest.mark.parametrize(("first_low", "held"), [("2026-11-11", True), ("2026-11-12", False)])
def test_anc_low_for_seven_days_during_a_platelet_hold_keeps_the_hold(first_low, held):
    labs = [lab("anc", 900, "/uL", date=first_low), *counts(60_000, 900)]
    plan, _ = decide("fl", FL_PLATELET_HOLD, labs)
    assert plan.action is (DoseAction.HOLD if held else DoseAction.RESUME)
    if held:
        assert plan.rule == "dose_modification.fl.anc"


MDS_LATE_ANC_HOLD = [ev("2026-08-01", "start", 10), ev("2026-11-05", "hold", reason="neutropenia")]


@pytest.mark.parametrize(
    ("transfused_on", "kind", "held"),
    [
        ("2026-11-20", "platelets", True),  # on the assessment date itself
        ("2026-11-08", "platelets", True),
        ("2026-08-01", "platelets", True),  # first day of the dosing period
        ("2026-07-31", "platelets", False),  # before the course's dosing period
        ("2026-11-08", "rbc", False),
        (None, None, False),
    ],
)
def test_platelets_under_50000_with_a_transfusion_during_an_anc_hold(transfused_on, kind, held):
    labs = [*counts(45_000, 600, "2026-11-10"), *counts(45_000, 1_200, "2026-11-20")]
    transfusions = [] if transfused_on is None else [transfusion(transfused_on, kind)]
    plan, findings = decide("mds_del5q", MDS_LATE_ANC_HOLD, labs, transfusions=transfusions)
    if held:
        assert plan.action is DoseAction.HOLD
        assert plan.rule == "dose_modification.mds_del5q.platelets.later"
        assert ids(findings) == ["toxicity.hold_continues"]
    else:
        assert plan.action is DoseAction.RESUME
        assert (plan.dose_mg, plan.days_on) == (5, (1, 28))
        assert ids(findings) == ["dosing.restart", "toxicity.platelets_low_watch"]


def _after_an_earlier_resume(transfused_on: str):
    events = [
        ev("2026-08-01", "start", 10),
        ev("2026-09-01", "hold", reason="thrombocytopenia"),
        ev("2026-09-15", "resume", 5),
        ev("2026-11-05", "hold", reason="neutropenia"),
    ]
    labs = [*counts(45_000, 600, "2026-11-10"), *counts(45_000, 1_200)]
    return decide("mds_del5q", events, labs, transfusions=[transfusion(transfused_on)])


def test_a_platelet_transfusion_before_the_last_resume_does_not_count():
    plan, findings = _after_an_earlier_resume("2026-09-05")
    assert plan.action is DoseAction.RESUME
    assert (plan.dose_mg, plan.days_on) == (2.5, (1, 28))
    assert ids(findings) == ["dosing.restart", "toxicity.platelets_low_watch"]


@pytest.mark.parametrize("transfused_on", ["2026-09-15", "2026-09-20"])
def test_a_platelet_transfusion_since_the_last_resume_counts(transfused_on):
    plan, findings = _after_an_earlier_resume(transfused_on)
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mds_del5q.platelets.later"
    assert plan.resume.dose_mg == 2.5
    assert "fall number 2" in plan.reason  # the September hold was the first platelet fall
    assert ids(findings) == ["toxicity.hold_continues"]


# --- courses started on non-default days or every 48 hours --------------------------------------


def _mm_first_neutropenia(start: dict, **extra):
    events = [start, ev("2026-11-01", "hold", reason="neutropenia")]
    return decide("mm_combination", events, counts(150_000, 1_200), **extra)


@pytest.mark.parametrize(
    ("start", "dose", "frequency", "days"),
    [
        (ev("2026-10-01", "start", 25, days_on=[1, 14]), 25, "daily", (1, 14)),
        (ev("2026-10-01", "start", 25), 25, "daily", (1, 21)),
        (ev("2026-10-01", "start", 15, frequency="every_48h"), 15, "every_48h", (1, 21)),
        (
            ev("2026-10-01", "start", 15, frequency="every_48h", days_on=[1, 14]),
            15,
            "every_48h",
            (1, 14),
        ),
    ],
)
def test_only_toxicity_restart_is_the_course_start_on_its_own_days(start, dose, frequency, days):
    plan, _ = _mm_first_neutropenia(start, other_toxicity={"grade": 0})
    assert plan.action is DoseAction.RESUME
    assert (plan.dose_mg, plan.frequency, plan.days_on) == (dose, Frequency(frequency), days)
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_only_toxicity"


@pytest.mark.parametrize(
    ("start", "only", "other"),
    [
        (
            ev("2026-10-01", "start", 25, days_on=[1, 14]),
            (25, "daily", (1, 14)),
            (15, "daily", (1, 21)),
        ),
        (ev("2026-10-01", "start", 25), (25, "daily", (1, 21)), (20, "daily", (1, 21))),
        (
            ev("2026-10-01", "start", 15, frequency="every_48h", days_on=[1, 14]),
            (15, "every_48h", (1, 14)),
            (5, "every_48h", (1, 21)),
        ),
    ],
)
def test_unrecorded_other_toxicity_offers_both_label_restarts(start, only, other):
    plan, findings = _mm_first_neutropenia(start)
    assert plan.action is DoseAction.RESUME
    assert plan.record == "therapy.other_toxicity"
    options = [(o.when, o.dose_mg, o.frequency.value, o.days_on) for o in plan.options]
    assert options == [
        ("neutropenia was the only toxicity", *only),
        ("there was other toxicity", *other),
    ]
    assert (plan.dose_mg, plan.frequency.value, plan.days_on) == other
    assert "dosing.anc_restart_dose_choice" in ids(findings)


# --- falls counted across earlier holds ---------------------------------------------------------


def _interrupt(findings, test: str):
    return next(f for f in findings if f.id == f"toxicity.{test}_interrupt")


def test_every_earlier_fall_is_counted_whatever_the_hold_reason():
    """Neutropenia, then a platelet hold in which the ANC fell too: the next is fall 3."""
    events = [
        ev("2026-08-01", "start", 25),
        ev("2026-08-20", "hold", reason="neutropenia"),
        ev("2026-08-27", "resume", 20),
        ev("2026-09-20", "hold", reason="thrombocytopenia"),
        ev("2026-09-27", "resume", 15),
        ev("2026-10-20", "hold", reason="neutropenia"),
        ev("2026-10-27", "resume", 10),
    ]
    labs = [*counts(20_000, 800, "2026-09-22"), *counts(150_000, 999)]
    plan, findings = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
    assert plan.action is DoseAction.HOLD
    assert plan.resume.dose_mg == 5
    assert plan.rule == "dose_modification.mm_combination.anc.later_fall"
    assert _interrupt(findings, "anc").inputs == {
        "anc": 999,
        "date": LAB_DAY,
        "current_dose_mg": 10,
        "fall_number": 4,
    }
    assert "(fall number 4 in this course;" in plan.reason


@pytest.mark.parametrize(
    ("low_on", "counted"),
    [("2026-09-20", True), ("2026-09-21", True), ("2026-09-22", False)],
)
def test_a_fall_during_a_hold_counts_up_to_the_day_before_the_resume(low_on, counted):
    """Platelet hold 09-20, resumed 09-22: an ANC under 1,000 on 09-20 or 09-21 is a fall."""
    events = [
        ev("2026-09-01", "start", 25),
        ev("2026-09-20", "hold", reason="thrombocytopenia"),
        ev("2026-09-22", "resume", 20),
    ]
    labs = [*counts(150_000, 800, low_on), *counts(150_000, 999)]
    plan, findings = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
    assert plan.action is DoseAction.HOLD
    number = _interrupt(findings, "anc").inputs["fall_number"]
    assert number == (2 if counted else 1)
    # a later fall steps down; a first fall that was the only toxicity goes back to the start
    assert plan.resume.dose_mg == (15 if counted else 20)


def _mds_after_a_first_weeks_platelet_hold(baseline_anc: float, anc_during_hold: float):
    """MDS from 10-24 on 10 mg; platelet hold 10-30 to 11-06 (first weeks), then 5 mg; on
    LAB_DAY the ANC is under 500 with fever: an interrupt whose fall number depends on whether
    the ANC fell during the first-weeks hold (by the row its baseline selects)."""
    events = [
        ev(MDS_START, "start", 10),
        ev("2026-10-30", "hold", reason="thrombocytopenia"),
        ev("2026-11-06", "resume", 5),
    ]
    labs = [
        *counts(120_000, baseline_anc, "2026-10-23"),
        *counts(40_000, anc_during_hold, "2026-11-02"),
        *counts(150_000, 450),
    ]
    return decide("mds_del5q", events, labs, symptoms=["fever"])


@pytest.mark.parametrize(
    ("baseline_anc", "anc_during_hold", "fall_number"),
    [
        (2_000, 749, 2),  # baseline ≥ 1,000: first-weeks row interrupts under 750
        (2_000, 750, 1),
        (800, 749, 1),  # baseline < 1,000: first-weeks row interrupts only under 500
        (800, 499, 2),
    ],
)
def test_an_earlier_fall_is_judged_by_the_row_of_its_phase_and_baseline(
    baseline_anc, anc_during_hold, fall_number
):
    plan, findings = _mds_after_a_first_weeks_platelet_hold(baseline_anc, anc_during_hold)
    assert plan.action is DoseAction.HOLD
    assert plan.resume.dose_mg == 2.5
    assert _interrupt(findings, "anc").inputs["fall_number"] == fall_number


def test_phase_is_judged_on_the_date_of_the_count_not_the_assessment_date():
    """Day 28 of the first 10 mg dose is within the first 4 weeks even when assessed later."""
    events = [ev(MDS_START, "start", 10)]
    labs = [*counts(120_000, 2_000, "2026-10-23"), *counts(49_999, 2_000, "2026-11-20")]
    plan, _ = decide("mds_del5q", events, labs, as_of="2026-11-21")
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mds_del5q.platelets.first_weeks.baseline_high"


# --- restart dose after a first neutropenia -----------------------------------------------------


@pytest.mark.parametrize(
    ("other_toxicity", "dose", "rule"),
    [
        ({"grade": 0}, 25, "first_fall_only_toxicity"),
        ({"grade": 1, "kind": "other"}, 20, "first_fall_other_toxicity"),
        ({"grade": 2, "kind": "other"}, 20, "first_fall_other_toxicity"),
    ],
)
def test_any_grade_of_other_toxicity_means_the_next_lower_restart(other_toxicity, dose, rule):
    plan, findings = _mm_first_neutropenia(
        ev("2026-10-01", "start", 25), other_toxicity=other_toxicity
    )
    assert plan.action is DoseAction.RESUME
    assert (plan.dose_mg, plan.days_on) == (dose, (1, 21))
    assert plan.rule == f"dose_modification.mm_combination.anc.{rule}"
    assert ids(findings) == ["dosing.restart"]


def test_a_start_above_the_dose_before_the_hold_restarts_at_the_dose_before():
    events = [
        ev("2026-09-01", "start", 25, days_on=[1, 14]),
        ev("2026-09-20", "hold", reason="thrombocytopenia"),
        ev("2026-09-27", "resume", 20),
        ev("2026-11-01", "hold", reason="neutropenia"),
    ]
    plan, findings = decide(
        "mm_combination", events, counts(150_000, 1_500), other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.RESUME
    assert (plan.dose_mg, plan.days_on) == (20, (1, 21))
    assert ids(findings) == ["dosing.anc_restart_dose_choice", "dosing.restart"]
    choice = next(f for f in findings if f.id == "dosing.anc_restart_dose_choice")
    assert choice.summary == (
        "The initial starting dose is above the dose given before this interruption: "
        "lenaguard proposes the dose before it."
    )
    assert choice.inputs == {"fall_number": 1}
    assert "the dose given before the interruption, because this is the first fall" in (plan.reason)


def test_unrecorded_other_toxicity_says_why_the_dose_is_the_lower_one():
    plan, findings = _mm_first_neutropenia(ev("2026-10-01", "start", 25))
    choice = next(f for f in findings if f.id == "dosing.anc_restart_dose_choice")
    assert choice.summary == (
        "The restart dose after this first neutropenia depends on other toxicity, "
        "which is not recorded."
    )
    assert choice.detail == (
        "Other toxicity is not recorded (therapy.other_toxicity). If neutropenia was the only "
        "toxicity the label allows a restart at the initial starting dose; until that is "
        "recorded lenaguard proposes the next lower dose."
    )
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_other_toxicity_unknown"


def test_a_later_platelet_fall_keeps_the_plain_row_rule():
    events = [
        ev("2026-09-01", "start", 25),
        ev("2026-09-20", "hold", reason="thrombocytopenia"),
        ev("2026-09-27", "resume", 20),
    ]
    plan, findings = decide("mm_combination", events, counts(29_999, 2_000))
    assert plan.rule == "dose_modification.mm_combination.platelets"
    assert _interrupt(findings, "platelets").inputs["fall_number"] == 2


# --- a held course with one count missing -------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "missing"),
    [
        ([lab("platelets", 60_000, "/uL")], ["anc"]),
        ([lab("anc", 2_000, "/uL")], ["platelets"]),
    ],
)
def test_a_hold_is_not_lifted_without_both_counts(labs, missing):
    """Platelet hold: even with the platelets recovered, no restart without a current ANC."""
    events = [*START_25, ev("2026-11-01", "hold", reason="thrombocytopenia")]
    plan, findings = decide("mm_combination", events, labs)
    assert plan.action is DoseAction.HOLD
    assert plan.resume.dose_mg == 20
    assert plan.resume.days_on == (1, 21)
    needed = next(f for f in findings if f.id == "input.cbc_needed")
    assert needed.inputs["missing"] == missing
    assert needed.inputs["since"] == "2026-11-01"
