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

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge, Phase
from lenaguard.rules.dose.hematologic import select_row
from lenaguard.vocab import DoseAction, Frequency, Indication, LabTest
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
    assert needed.summary == "A blood count is needed: no current platelet count and ANC."
    # The weekly blood count during holds and the rows of both missing counts.
    assert [(c.source, c.section) for c in needed.citations] == [
        ("uspi", "§2.1 Tables 1–2, §2.2 Tables 3–4, §2.3, §2.4"),
        ("uspi", "§2.1 Table 1, thrombocytopenia"),
        ("uspi", "§2.1 Table 1, neutropenia"),
    ]


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


# --- second round (issue 7): survivors of the rerun on the current main ------------------------
#
# Expected values from the facts file §3: Table 1 restarts a later fall, or a first neutropenia
# with other toxicity, one step lower; a fall of the other count is other toxicity; at the
# lowest step the label gives no lower dose.

STEPPED_DOWN = [
    ev("2026-09-01", "start", 25),
    ev("2026-09-20", "hold", reason="thrombocytopenia"),
    ev("2026-09-27", "resume", 20),
]
"""Myeloma started at 25 mg, stepped down to 20 mg after a platelet fall (no ANC fall then)."""

HELD_FOR_NEUTROPENIA = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
CBC_SINCE_HOLD = (
    "Check a complete blood count every week while lenalidomide is interrupted for low blood "
    "counts."
)


def _interrupt_detail(findings, test: str) -> str:
    return next(f for f in findings if f.id == f"toxicity.{test}_interrupt").detail


def _restart_sentence(detail: str) -> str:
    """The last sentence of an interrupt finding: 'Restart once …, at <dose>.'"""
    return detail[detail.index("Restart once") :]


def test_both_counts_falling_make_each_the_other_toxicity_of_the_other():
    """First ANC fall at 20 mg, with platelets under 30,000 too: neutropenia is not the only
    toxicity, so the ANC row restarts one step lower (15 mg), not at the initial 25 mg."""
    plan, findings = decide(
        "mm_combination", STEPPED_DOWN, counts(20_000, 800), other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.HOLD
    assert (plan.resume.dose_mg, plan.resume.days_on) == (15, (1, 21))
    assert plan.rule == "dose_modification.mm_combination.platelets"
    assert ids(findings) == ["toxicity.anc_interrupt", "toxicity.platelets_interrupt"]
    assert _restart_sentence(_interrupt_detail(findings, "anc")) == (
        "Restart once ANC is back to 1,000/mcL or more, at 15 mg once daily on days 1–21."
    )


def test_both_counts_falling_on_the_starting_dose_restart_the_anc_row_one_step_lower():
    plan, findings = decide(
        "mm_combination", START_25, counts(20_000, 800), other_toxicity={"grade": 0}
    )
    assert (plan.action, plan.resume.dose_mg) == (DoseAction.HOLD, 20)
    assert _restart_sentence(_interrupt_detail(findings, "anc")) == (
        "Restart once ANC is back to 1,000/mcL or more, at 20 mg once daily on days 1–21."
    )
    assert _restart_sentence(_interrupt_detail(findings, "platelets")) == (
        "Restart once platelet count is back to 30,000/mcL or more, at 20 mg once daily on days "
        "1–21."
    )


def test_an_active_course_held_for_toxicity_and_a_count_waits_for_both():
    """Grade 3 toxicity and ANC under 1,000: the restart needs both conditions, not only the
    toxicity's (the count's restraint is unmet on an active course too)."""
    plan, findings = decide(
        "mm_combination", START_25, counts(150_000, 800), other_toxicity={"grade": 3}
    )
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "other_toxicity.grade_hold"
    assert plan.resume.when == (
        "Toxicity at grade 2 or lower (physician's discretion); ANC is back to 1,000/mcL or "
        f"more. {CBC_SINCE_HOLD}"
    )
    assert plan.reason == (
        "Related toxicity grade 3 is recorded (USPI §2.5, other grade 3/4 toxicities); ANC "
        "800/mcL on 2026-11-18 is under 1,000/mcL (first fall in this course; USPI §2.1 Table 1, "
        "neutropenia): interrupt lenalidomide."
    )
    assert ids(findings) == ["toxicity.anc_interrupt", "toxicity.grade_hold_interrupt"]


def test_a_missing_count_on_an_active_course_is_asked_for_since_the_last_event():
    plan, findings = decide(
        "mm_combination", START_25, counts(20_000, None), other_toxicity={"grade": 0}
    )
    needed = next(f for f in findings if f.id == "input.cbc_needed")
    assert needed.inputs == {"missing": ["anc"], "since": "2026-10-01"}
    assert needed.detail == (
        "The dose rules need a platelet count and an ANC dated on or after 2026-10-01 (the last "
        "timeline event). Without them lenaguard cannot check the interruption and restart rows "
        "of the label's table."
    )


def test_the_interrupt_finding_names_the_restart_dose_days_and_frequency():
    """15 mg every 48 hours (CrCl under 30): the restart is 10 mg every 48 hours, days 1–21."""
    events = [ev("2026-10-01", "start", 15, frequency="every_48h")]
    plan, findings = decide("mm_combination", events, counts(20_000, 2_000))
    assert (plan.resume.dose_mg, plan.resume.frequency) == (10, Frequency.EVERY_48H)
    assert _restart_sentence(_interrupt_detail(findings, "platelets")) == (
        "Restart once platelet count is back to 30,000/mcL or more, at 10 mg every 48 hours on "
        "days 1–21."
    )


def test_the_restart_dose_of_a_first_neutropenia_is_explained_in_the_reason():
    plan, findings = decide(
        "mm_combination", START_25, counts(150_000, 800), other_toxicity={"grade": 0}
    )
    assert plan.reason == (
        "ANC 800/mcL on 2026-11-18 is under 1,000/mcL (first fall in this course; USPI §2.1 "
        "Table 1, neutropenia); the restart dose is the initial starting dose of this course "
        "(25 mg), because this is the first fall and it was the only toxicity: interrupt "
        "lenalidomide."
    )
    assert _restart_sentence(_interrupt_detail(findings, "anc")) == (
        "Restart once ANC is back to 1,000/mcL or more, at 25 mg once daily on days 1–21."
    )
    # The plan rests on the row, the ladder and the weekly blood count during the hold.
    assert [(c.source, c.section) for c in plan.citations] == [
        ("uspi", "§2.1 Table 1, neutropenia"),
        ("uspi", "§2.1 Table 1"),
        ("uspi", "§3"),
        ("uspi", "§2.1 Tables 1–2, §2.2 Tables 3–4, §2.3, §2.4"),
    ]
    assert plan.record is None
    assert plan.options == []


@pytest.mark.parametrize(
    ("events", "toxicity", "restart"),
    [
        # first fall, only toxicity, the starting dose above the current one: the current dose
        (STEPPED_DOWN, {"grade": 0}, "at 20 mg once daily on days 1–21."),
        # first fall with other toxicity: one step lower
        (START_25, {"grade": 1, "kind": "other"}, "at 20 mg once daily on days 1–21."),
    ],
    ids=["only toxicity, started higher", "other toxicity"],
)
def test_the_interrupt_finding_gives_the_days_of_every_first_neutropenia_restart(
    events, toxicity, restart
):
    plan, findings = decide("mm_combination", events, counts(150_000, 800), other_toxicity=toxicity)
    assert plan.resume.days_on == (1, 21)
    assert _restart_sentence(_interrupt_detail(findings, "anc")) == (
        f"Restart once ANC is back to 1,000/mcL or more, {restart}"
    )


def test_a_first_neutropenia_with_other_toxicity_at_the_lowest_dose_reaches_the_floor():
    events = [ev("2026-09-01", "start", 25), ev("2026-10-01", "dose_change", 2.5)]
    plan, findings = decide(
        "mm_combination", events, counts(150_000, 800), other_toxicity={"grade": 1, "kind": "other"}
    )
    assert plan.action is DoseAction.HOLD
    assert (plan.resume.dose_mg, plan.resume.days_on) == (None, None)
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_other_toxicity"
    assert ids(findings) == ["dosing.floor_reached", "toxicity.anc_interrupt"]
    assert "the prescriber decides (the label gives no lower dose)" in plan.resume.when


def test_a_fall_below_the_floor_proposes_no_dose_and_keeps_the_plain_rule():
    """2.5 mg every 48 hours is under the floor (2.5 mg daily): no restart dose of ours."""
    events = [ev("2026-10-01", "start", 2.5, frequency="every_48h")]
    plan, findings = decide("mm_combination", events, counts(20_000, 2_000))
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mm_combination.platelets"
    assert (plan.resume.dose_mg, plan.resume.days_on) == (None, None)
    assert ids(findings) == [
        "dosing.floor_reached",
        "dosing.reduction_steps_for_daily_dosing",
        "toxicity.platelets_interrupt",
    ]


def test_unrecorded_other_toxicity_offers_the_initial_dose_of_an_escalated_course():
    """Started at 10 mg, raised to 15 mg: the only-toxicity option is the initial 10 mg."""
    events = [ev("2026-09-01", "start", 10), ev("2026-10-01", "dose_change", 15)]
    plan, _ = decide("mm_combination", events, counts(150_000, 800))
    assert plan.record == "therapy.other_toxicity"
    assert [(o.when, o.dose_mg, o.days_on) for o in plan.options] == [
        ("neutropenia was the only toxicity", 10, (1, 21)),
        ("there was other toxicity", 10, (1, 21)),
    ]


# --- falls counted across earlier holds ---------------------------------------------------------


def test_an_anc_under_the_later_row_during_an_earlier_hold_is_not_a_fall():
    """MDS after 4 weeks: ANC 700 during a platelet hold is not under the later row's 500, so
    the neutropenia now is the first fall (the first-weeks row, 750, no longer applies)."""
    events = [
        ev("2026-08-01", "start", 10),
        ev("2026-10-01", "hold", reason="thrombocytopenia"),
        ev("2026-10-10", "resume", 5),
    ]
    labs = [
        *counts(150_000, 2_000, "2026-07-31"),
        *counts(20_000, 700, "2026-10-05"),
        *counts(150_000, 400),
    ]
    plan, findings = decide("mds_del5q", events, labs, symptoms=["fever"])
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "dose_modification.mds_del5q.anc.later")
    assert (plan.resume.dose_mg, plan.resume.days_on) == (2.5, (1, 28))
    interrupt = next(f for f in findings if f.id == "toxicity.anc_interrupt")
    assert interrupt.inputs["fall_number"] == 1
    assert ids(findings) == ["toxicity.anc_fever_assumed", "toxicity.anc_interrupt"]


@pytest.mark.parametrize(
    "events",
    [
        # ANC under 1,000 on the day of a platelet hold that ended the next day
        [
            *START_25,
            ev("2026-11-01", "hold", reason="thrombocytopenia"),
            ev("2026-11-02", "resume", 20),
        ],
        # a platelet hold lifted the same day, then a neutropenia hold
        [
            *START_25,
            ev("2026-10-20", "hold", reason="thrombocytopenia"),
            ev("2026-10-20", "resume", 20),
            ev("2026-11-01", "hold", reason="neutropenia"),
            ev("2026-11-08", "resume", 20),
        ],
    ],
    ids=["one-day hold", "same-day resume before a neutropenia hold"],
)
def test_an_earlier_anc_fall_makes_this_neutropenia_a_later_fall(events):
    labs = [lab("anc", 900, "/uL", date="2026-11-01"), *counts(150_000, 800)]
    plan, findings = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mm_combination.anc.later_fall"
    assert (plan.resume.dose_mg, plan.resume.days_on) == (15, (1, 21))
    assert ids(findings) == ["toxicity.anc_interrupt"]


# --- a held course ------------------------------------------------------------------------------


def test_a_held_course_says_what_the_reason_count_is_now():
    plan, findings = decide(
        "mm_combination", HELD_FOR_NEUTROPENIA, counts(150_000, 800), other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_only_toxicity"
    assert plan.reason == (
        "Lenalidomide held since 2026-11-01 for neutropenia (first fall; USPI §2.1 Table 1, "
        "neutropenia); ANC 800/mcL on 2026-11-18; the restart dose is the initial starting dose "
        "of this course (25 mg), because this is the first fall and it was the only toxicity: "
        "keep lenalidomide interrupted."
    )
    assert ids(findings) == ["toxicity.hold_continues"]


def test_a_held_course_without_the_reason_count_says_none_since_the_hold():
    plan, findings = decide(
        "mm_combination", HELD_FOR_NEUTROPENIA, counts(150_000, None), other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.HOLD
    # One sentence: the blood-count request continues it in lower case.
    assert plan.reason == (
        "Lenalidomide held since 2026-11-01 for neutropenia (first fall; USPI §2.1 Table 1, "
        "neutropenia); no ANC since the hold on 2026-11-01; the restart dose is the initial "
        "starting dose of this course (25 mg), because this is the first fall and it was the "
        "only toxicity; no current blood count since the interruption on 2026-11-01: keep "
        "lenalidomide interrupted."
    )
    assert plan.resume.when == (
        f"ANC is back to 1,000/mcL or more; a blood count dated on or after 2026-11-01. "
        f"{CBC_SINCE_HOLD}"
    )
    assert ids(findings) == ["input.cbc_needed", "toxicity.hold_continues"]


def test_a_hold_for_other_toxicity_without_a_count_waits_for_the_blood_count():
    """Toxicity resolved (grade 0), ANC missing: the blood count decides, at the next step."""
    events = [*START_25, ev("2026-11-01", "hold", reason="other_toxicity")]
    plan, findings = decide(
        "mm_combination", events, counts(150_000, None), other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.cbc_needed"
    assert plan.reason == (
        "No current blood count since the interruption on 2026-11-01: keep lenalidomide "
        "interrupted."
    )
    assert plan.resume.when == f"A blood count dated on or after 2026-11-01. {CBC_SINCE_HOLD}"
    assert (plan.resume.dose_mg, plan.resume.days_on) == (20, (1, 21))
    assert ids(findings) == ["input.cbc_needed", "toxicity.hold_continues"]


def test_a_low_reason_count_during_its_own_hold_is_not_a_count_to_watch():
    """Mantle cell, held for neutropenia: ANC 800 (under 1,000, not yet 7 days) is the hold's
    own count, so no 'watch' finding; the hold continues."""
    events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
    plan, findings = decide("mcl", events, counts(150_000, 800))
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "dose_modification.mcl.anc")
    assert plan.resume.dose_mg == 20
    assert ids(findings) == ["toxicity.hold_continues"]


def test_the_count_the_hold_was_recorded_for_comes_first():
    """Held for neutropenia; platelets fell under 30,000 during the hold: the ANC row names
    the rule, and each count is the other's other toxicity (both restart one step lower)."""
    labs = [*counts(20_000, 700, "2026-11-10"), *counts(20_000, 800)]
    plan, findings = decide(
        "mm_combination", HELD_FOR_NEUTROPENIA, labs, other_toxicity={"grade": 0}
    )
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_other_toxicity"
    assert plan.reason == (
        "Lenalidomide held since 2026-11-01 for neutropenia (first fall; USPI §2.1 Table 1, "
        "neutropenia); ANC 800/mcL on 2026-11-18; the platelet count also fell during the "
        "interruption (first fall; USPI §2.1 Table 1, thrombocytopenia); platelet count "
        "20,000/mcL on 2026-11-18: keep lenalidomide interrupted."
    )
    assert (plan.resume.dose_mg, plan.resume.days_on) == (20, (1, 21))
    assert ids(findings) == ["toxicity.hold_continues"]


# --- choosing a row -----------------------------------------------------------------------------


def test_a_baseline_between_the_rows_falls_back_to_the_first_baseline_row():
    """A table whose baseline rows leave a gap (60,000–100,000 removed): the first baseline row,
    and the baseline counts as known."""
    table = default_knowledge().get(DoseModificationKnowledge).table(Indication.MDS_DEL5Q)
    gapped = table.model_copy(
        update={"rows": [r for r in table.rows if r.id != "platelets.first_weeks.baseline_mid"]}
    )
    row, assumed = select_row(gapped, LabTest.PLATELETS, Phase.FIRST_WEEKS, 80_000)
    assert (row.id, assumed) == ("platelets.first_weeks.baseline_high", False)
    row, assumed = select_row(gapped, LabTest.PLATELETS, Phase.FIRST_WEEKS, 50_000)
    assert (row.id, assumed) == ("platelets.first_weeks.baseline_low", False)
