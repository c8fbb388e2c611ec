"""Starting-dose decisions pinned exactly (issue 7): the whole plan (dose, frequency, days,
cycle, dialysis timing, rule), the exact finding set of core cases, and the maintenance hold.

Written against the mutants that survived `python benchmarks/mutation.py starting_dose` (see
docs/mutation.md). Expected values come from the facts file §1–§2 (label doses and schedules,
the renal table, maintenance start at ANC ≥ 1,000/mcL and/or platelets ≥ 75,000/mcL).
"""

from __future__ import annotations

import pytest

from lenaguard.errors import FieldValueError
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.base import Citation
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.results import DosePlan, ResumePlan
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.rules.dose.renal_reliability import RenalCaveat
from lenaguard.rules.dose.starting_dose import (
    RENAL_NOT_SETTLED_RULE,
    _note_findings,
    _start_requirement,
    renal_start_not_settled,
    renal_starting_dose,
    starting_dose,
    starting_dose_notes,
)
from lenaguard.vocab import DoseAction, Frequency, Indication, RenalBand
from tests.factories import lab, make_case

KB = default_knowledge()
INDICATIONS = KB.get(IndicationsKnowledge)

# Male, 65 y, 80 kg (factory): CrCl = 75 × 80 / (72 × SCr).
SCR = {"normal": 1.0, "moderate": 1.85, "severe": 3.0, "dialysis": 6.0}


def _dose(indication: str, band: str, *counts):
    labs = [lab("creatinine", SCR[band], "mg/dL"), *counts]
    case = make_case(indication=indication, patient={"on_dialysis": band == "dialysis"}, labs=labs)
    renal, _ = assess_renal(case, KB)
    return starting_dose(case, renal, KB)


def _ids(findings) -> list[str]:
    return sorted(finding.id for finding in findings)


# --- the plan's reason says where the dose comes from -------------------------------------------


def test_normal_band_reason_names_the_label_dose_and_the_band_range():
    plan, _ = _dose("fl", "normal")
    assert "normal renal band (≥ 60 mL/min): start 20 mg once daily" in plan.reason
    assert plan.reason.endswith(
        "of each 28-day cycle, from the label starting dose, no renal adjustment."
    )
    assert "dialysis" not in plan.reason


def test_adjusted_band_reason_names_the_renal_table_without_dialysis_timing():
    plan, _ = _dose("mm_combination", "moderate")
    assert plan.reason.endswith("of each 28-day cycle, from the label's renal starting-dose table.")
    assert "after dialysis" not in plan.reason


def test_dialysis_reason_says_to_give_it_after_dialysis():
    plan, _ = _dose("mm_combination", "dialysis")
    assert plan.after_dialysis is True
    assert (
        "of each 28-day cycle; on dialysis days give it after dialysis, from the label's renal "
        "starting-dose table" in plan.reason
    )


# --- the lookup with a clearance ---------------------------------------------------------------


@pytest.mark.parametrize("indication", ["mm_combination", "fl", "mds_del5q"])
@pytest.mark.parametrize("crcl", [3, 5, 45, 90])
def test_dialysis_lookup_accepts_any_clearance_and_rests_on_the_dialysis_band(indication, crcl):
    with_crcl = renal_starting_dose(indication, "dialysis", KB, crcl_ml_min=crcl)
    without = renal_starting_dose(indication, "dialysis", KB)
    assert with_crcl.dose_mg == without.dose_mg
    assert with_crcl.after_dialysis is True
    assert with_crcl.status is without.status
    assert with_crcl.citations == without.citations


@pytest.mark.parametrize(("band", "crcl"), [("moderate", 60), ("normal", 59.9), ("severe", 30)])
def test_lookup_outside_the_band_names_the_field_and_the_band(band, crcl):
    with pytest.raises(FieldValueError) as caught:
        renal_starting_dose("mm_combination", band, KB, crcl_ml_min=crcl)
    assert caught.value.field == "crcl_ml_min"
    assert caught.value.message == f"{crcl:g} is not in the {band} band"


# --- escalation notes: exact inputs --------------------------------------------------------------


def test_renal_escalation_note_carries_the_band_and_the_start_dose():
    notes = starting_dose_notes("mm_combination", "moderate", KB)
    assert _ids(notes) == ["dosing.renal_escalation"]
    assert notes[0].inputs == {"band": "moderate", "start_dose_mg": 10}
    assert notes[0].detail.endswith("the dose-modification rules.")


def test_maintenance_escalation_note_carries_the_start_dose():
    notes = starting_dose_notes("mm_maintenance", "normal", KB)
    assert _ids(notes) == ["dosing.escalation"]
    assert notes[0].inputs == {"start_dose_mg": 10}


# --- indication notes ----------------------------------------------------------------------------


def test_indication_note_names_the_indication():
    _, findings = _dose("mm_combination", "normal")
    assert _ids(findings) == ["dosing.indication_note"]
    assert findings[0].inputs == {"indication": "mm_combination"}


def test_second_and_later_notes_get_numbered_ids():
    entry = INDICATIONS.entry(Indication.MM_COMBINATION)
    note = entry.notes[0]
    three = entry.model_copy(update={"notes": [note, note, note]})
    findings = _note_findings(three, Indication.MM_COMBINATION)
    assert [f.id for f in findings] == [
        "dosing.indication_note",
        "dosing.indication_note_2",
        "dosing.indication_note_3",
    ]


# --- exact finding sets of core starting cases ---------------------------------------------------


@pytest.mark.parametrize(
    ("indication", "band", "dose", "frequency", "ids"),
    [
        ("mm_combination", "normal", 25, "daily", ["dosing.indication_note"]),
        (
            "mm_combination",
            "moderate",
            10,
            "daily",
            ["dosing.indication_note", "dosing.renal_escalation"],
        ),
        ("mm_combination", "severe", 15, "every_48h", ["dosing.indication_note"]),
        ("fl", "normal", 20, "daily", []),
        ("fl", "moderate", 10, "daily", ["dosing.renal_escalation"]),
        ("mds_del5q", "dialysis", 2.5, "daily", []),
    ],
)
def test_core_starting_cases_give_exactly_these_findings(indication, band, dose, frequency, ids):
    plan, findings = _dose(indication, band)
    assert plan.action is DoseAction.START
    assert (plan.dose_mg, plan.frequency) == (dose, Frequency(frequency))
    assert _ids(findings) == ids


# --- maintenance: counts before the first dose --------------------------------------------------


def _maintenance(band: str, anc, platelets):
    counts = []
    if anc is not None:
        counts.append(lab("anc", anc, "/uL"))
    if platelets is not None:
        counts.append(lab("platelets", platelets, "/uL"))
    return _dose("mm_maintenance", band, *counts)


@pytest.mark.parametrize(
    ("anc", "platelets", "decision"),
    [
        (1000, 74_999, "start"),
        (999, 75_000, "start"),
        (999, 74_999, "hold"),
        (1000, None, "start"),
        (None, 75_000, "start"),
        (999, None, "needed"),
        (None, 74_999, "needed"),
        (None, None, "needed"),
    ],
)
def test_maintenance_start_on_both_sides_of_each_count(anc, platelets, decision):
    plan, findings = _maintenance("normal", anc, platelets)
    expected_action = DoseAction.HOLD if decision == "hold" else DoseAction.START
    assert plan.action is expected_action
    counts_id = {
        "start": "dosing.start_counts_met",
        "hold": "dosing.start_counts_not_met",
        "needed": "dosing.start_counts_needed",
    }[decision]
    assert _ids(findings) == sorted(["dosing.escalation", counts_id])
    counts = next(f for f in findings if f.id == counts_id)
    assert counts.inputs == {"anc_per_ul": anc, "platelets_per_ul": platelets}


def test_maintenance_counts_are_named_with_their_values_and_dates():
    _, findings = _maintenance("normal", 800, 50_000)
    held = next(f for f in findings if f.id == "dosing.start_counts_not_met")
    assert held.detail.endswith(
        "Latest counts: ANC 800/mcL on 2026-11-18; platelets 50,000/mcL on 2026-11-18."
    )


def test_missing_maintenance_counts_ask_for_a_blood_count():
    _, findings = _maintenance("normal", None, None)
    needed = next(f for f in findings if f.id == "dosing.start_counts_needed")
    assert "ANC not available; platelets not available" in needed.detail
    assert needed.detail.endswith("Obtain a complete blood count before the first dose.")


@pytest.mark.parametrize(
    ("band", "resume_mg", "after_dialysis"),
    [("normal", 10, False), ("severe", 2.5, False), ("dialysis", 2.5, True)],
)
def test_maintenance_hold_keeps_the_planned_schedule(band, resume_mg, after_dialysis):
    plan, _ = _maintenance(band, 500, 40_000)
    assert plan.action is DoseAction.HOLD
    assert (plan.dose_mg, plan.frequency) == (None, None)
    assert (plan.days_on, plan.cycle_days) == ((1, 28), 28)
    assert plan.after_dialysis is after_dialysis
    assert plan.rule == "starting_dose.maintenance_counts"
    assert plan.resume.dose_mg == resume_mg
    assert plan.resume.days_on == (1, 28)
    assert plan.resume.frequency is Frequency.DAILY


def test_a_held_start_resumes_at_the_planned_frequency():
    """The hold keeps the plan's frequency for the restart (every 48 h here)."""
    case = make_case(
        indication="mm_maintenance",
        labs=[lab("anc", 500, "/uL"), lab("platelets", 40_000, "/uL")],
    )
    requirement = INDICATIONS.entry(Indication.MM_MAINTENANCE).start_requirement
    every_48h = renal_starting_dose("mm_combination", RenalBand.SEVERE, KB)
    hold, _ = _start_requirement(case, requirement, every_48h)
    assert hold.action is DoseAction.HOLD
    assert hold.resume.frequency is Frequency.EVERY_48H
    assert hold.resume.dose_mg == every_48h.dose_mg
    assert hold.resume.days_on == every_48h.days_on == hold.days_on


# --- a start whose renal dose is not settled (renal reliability caveats) ------------------------


def _caveat(finding_id: str, reason: str, settle: str, entry) -> RenalCaveat:
    return RenalCaveat(finding_id=finding_id, reason=reason, settle_when=settle, entries=(entry,))


def test_a_start_not_settled_holds_with_no_dose_and_keeps_the_schedule():
    renal_kb = KB.get(RenalKnowledge)
    plan = DosePlan(
        action=DoseAction.START,
        dose_mg=15,
        frequency=Frequency.EVERY_48H,
        days_on=(1, 21),
        cycle_days=28,
        after_dialysis=True,
        reason="CrCl 25 mL/min: 15 mg every 48 hours",
        rule="starting_dose.mm_combination.severe",
        status=Status.LABEL,
        citations=[Citation(source="uspi", section="§2.6")],
    )
    caveats = [
        _caveat("renal.aki", "creatinine rising", "a stable creatinine", renal_kb.cockcroft_gault),
        _caveat("renal.stale", "creatinine old", "a new creatinine", renal_kb.not_studied),
    ]
    held = renal_start_not_settled(plan, caveats)
    assert held.model_dump(exclude={"status", "citations"}) == DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=None,
        days_on=(1, 21),
        cycle_days=28,
        after_dialysis=True,
        resume=ResumePlan(
            when=(
                "a stable creatinine; a new creatinine; then choose the starting dose from the "
                "renal table on a reliable clearance"
            ),
            dose_mg=None,
            frequency=Frequency.EVERY_48H,
            days_on=(1, 21),
        ),
        reason=(
            "Renal starting dose not settled: creatinine rising; creatinine old (see renal.aki, "
            "renal.stale). On today's values, not settled: CrCl 25 mL/min: 15 mg every 48 hours"
        ),
        rule=RENAL_NOT_SETTLED_RULE,
        status=Status.LABEL,
        citations=[Citation(source="uspi", section="§2.6")],
    ).model_dump(exclude={"status", "citations"})
    entries = (renal_kb.cockcroft_gault, renal_kb.not_studied)
    assert held.citations[0] == Citation(source="uspi", section="§2.6")
    assert set(held.citations[1:]) == {c for entry in entries for c in entry.cite} - {
        Citation(source="uspi", section="§2.6")
    }


def test_a_maintenance_start_waiting_for_counts_keeps_its_condition_and_adds_the_renal_one():
    renal_kb = KB.get(RenalKnowledge)
    plan = DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        days_on=(1, 28),
        resume=ResumePlan(when="ANC 1,000/mcL or more", dose_mg=10, frequency=Frequency.EVERY_48H),
        reason="ANC 800/mcL",
        rule="starting_dose.mm_maintenance.counts",
        status=Status.LABEL,
        citations=[Citation(source="uspi", section="§2.1")],
    )
    caveat = _caveat(
        "renal.aki", "creatinine rising", "a stable creatinine", renal_kb.cockcroft_gault
    )
    held = renal_start_not_settled(plan, [caveat])
    assert held.resume == ResumePlan(
        when=(
            "ANC 1,000/mcL or more, and a stable creatinine; then choose the starting dose from "
            "the renal table on a reliable clearance"
        ),
        dose_mg=None,
        frequency=Frequency.EVERY_48H,
        days_on=(1, 28),
    )


def test_a_start_not_settled_with_no_frequency_resumes_daily():
    renal_kb = KB.get(RenalKnowledge)
    plan = DosePlan(
        action=DoseAction.START,
        dose_mg=10,
        reason="CrCl 45 mL/min: 10 mg",
        rule="starting_dose.mm_combination.moderate",
        status=Status.LABEL,
        citations=[Citation(source="uspi", section="§2.6")],
    )
    caveat = _caveat(
        "renal.aki", "creatinine rising", "a stable creatinine", renal_kb.cockcroft_gault
    )
    assert renal_start_not_settled(plan, [caveat]).resume.frequency is Frequency.DAILY
