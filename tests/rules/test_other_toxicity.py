"""Other toxicity, severe skin reactions and contraindications (facts file §3 'Other toxicity').

Precedence: a reason to stop for good outranks holds, which outrank the blood-count rows.
"""

from __future__ import annotations

from typing import Any

import pytest

from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from lenaguard.rules.dose.other_toxicity import contraindication_findings
from lenaguard.vocab import DoseAction, Severity
from tests.factories import lab, make_case

GOOD = [
    lab("platelets", 150_000, "/uL", date="2026-11-18"),
    lab("anc", 2_000, "/uL", date="2026-11-18"),
]
START = [{"date": "2026-10-01", "event": "start", "dose_mg": 25}]
HELD = [*START, {"date": "2026-11-01", "event": "hold", "reason": "other_toxicity"}]


def decide(
    events=START,
    toxicity: dict | None = None,
    *,
    indication: str = "mm_combination",
    labs=GOOD,
    **extra: Any,
):
    therapy: dict[str, Any] = {"events": events}
    if toxicity is not None:
        therapy["other_toxicity"] = toxicity
    case = make_case(indication=indication, therapy=therapy, labs=labs, **extra)
    return ongoing_dose(case, default_knowledge())


def ids(findings) -> set[str]:
    return {finding.id for finding in findings}


class TestGradeThreeFour:
    @pytest.mark.parametrize("grade", [3, 4])
    def test_grade_3_and_4_hold_and_plan_next_lower(self, grade):
        plan, findings = decide(toxicity={"grade": grade, "kind": "other"})
        assert plan.action is DoseAction.HOLD
        assert plan.resume.dose_mg == 20
        assert "grade 2 or lower" in plan.resume.when
        assert plan.status is Status.LABEL_OLD
        assert plan.rule == "other_toxicity.grade_hold"
        assert "toxicity.grade_hold_interrupt" in ids(findings)

    def test_grade_2_does_not_hold(self):
        plan, _ = decide(toxicity={"grade": 2, "kind": "other"})
        assert plan.action is DoseAction.CONTINUE
        assert plan.dose_mg == 25

    def test_held_restarts_at_next_lower_once_grade_2(self):
        plan, _ = decide(HELD, {"grade": 2, "kind": "other"})
        assert plan.action is DoseAction.RESUME
        assert plan.dose_mg == 20

    def test_held_stays_held_at_grade_3(self):
        plan, findings = decide(HELD, {"grade": 3, "kind": "other"})
        assert plan.action is DoseAction.HOLD
        assert plan.resume.dose_mg == 20
        assert "toxicity.hold_continues" in ids(findings)

    def test_held_without_a_recorded_grade_asks_for_it(self):
        plan, findings = decide(HELD)
        assert plan.action is DoseAction.HOLD
        assert "input.other_toxicity_grade_needed" in ids(findings)

    def test_held_for_toxicity_also_needs_a_current_blood_count(self):
        old_counts = [
            lab("platelets", 150_000, "/uL", date="2026-10-30"),
            lab("anc", 2_000, "/uL", date="2026-10-30"),
        ]
        plan, findings = decide(HELD, {"grade": 1, "kind": "other"}, labs=old_counts)
        assert plan.action is DoseAction.HOLD
        assert "input.cbc_needed" in ids(findings)

    def test_toxicity_hold_and_low_counts_restart_needs_both(self):
        low = [
            lab("platelets", 20_000, "/uL", date="2026-11-18"),
            lab("anc", 2_000, "/uL", date="2026-11-18"),
        ]
        plan, findings = decide(HELD, {"grade": 1, "kind": "other"}, labs=low)
        assert plan.action is DoseAction.HOLD
        assert "30,000" in plan.resume.when

    def test_at_the_floor_the_prescriber_decides(self):
        events = [
            {"date": "2026-10-01", "event": "start", "dose_mg": 2.5},
            {"date": "2026-11-01", "event": "hold", "reason": "other_toxicity"},
        ]
        plan, findings = decide(events, {"grade": 1, "kind": "other"})
        assert plan.action is DoseAction.HOLD
        assert plan.resume.dose_mg is None
        assert "dosing.floor_reached" in ids(findings)

    def test_grade_recorded_before_the_last_event_is_flagged(self):
        plan, findings = decide(toxicity={"grade": 3, "kind": "other", "date": "2026-09-01"})
        assert plan.action is DoseAction.HOLD
        assert "input.other_toxicity_outdated" in ids(findings)


class TestRash:
    @pytest.mark.parametrize("grade", [2, 3])
    def test_grade_2_3_consider_interrupting_or_stopping(self, grade):
        plan, findings = decide(toxicity={"grade": grade, "kind": "rash"})
        finding = next(f for f in findings if f.id == "toxicity.rash_consider_interrupting")
        assert finding.severity is Severity.WARNING
        assert finding.status is Status.LABEL_OLD
        # grade 3 is also an 'other grade 3-4 toxicity': hold
        assert plan.action is (DoseAction.HOLD if grade == 3 else DoseAction.CONTINUE)

    def test_grade_1_rash_no_advice(self):
        _, findings = decide(toxicity={"grade": 1, "kind": "rash"})
        assert "toxicity.rash_consider_interrupting" not in ids(findings)

    @pytest.mark.parametrize(
        ("kind", "grade", "status"),
        [
            ("rash", 4, Status.LABEL_OLD),
            ("angioedema", 2, Status.LABEL_OLD),
            ("anaphylaxis", 3, Status.UNVERIFIED),
            ("exfoliative_rash", 2, Status.LABEL_OLD),
            ("bullous_rash", 2, Status.LABEL_OLD),
            ("sjs", 3, Status.LABEL_OLD),
            ("ten", 4, Status.LABEL_OLD),
            ("dress", 2, Status.UNVERIFIED),
        ],
    )
    def test_permanent_stop(self, kind, grade, status):
        plan, findings = decide(toxicity={"grade": grade, "kind": kind})
        assert plan.action is DoseAction.STOP
        assert plan.dose_mg is None and plan.resume is None
        assert plan.status is status
        assert plan.rule == f"other_toxicity.permanent_stop.{kind}"
        stop = next(f for f in findings if f.id == f"toxicity.permanent_stop_{kind}")
        assert stop.blocking and stop.severity is Severity.CRITICAL

    @pytest.mark.parametrize(
        "kind",
        ["angioedema", "anaphylaxis", "exfoliative_rash", "bullous_rash", "sjs", "ten", "dress"],
    )
    @pytest.mark.parametrize("grade", [0, 1, 2, 3, 4])
    def test_permanent_stop_kinds_stop_at_any_grade(self, kind, grade):
        # Facts §3: these kinds stop lenalidomide for good, whatever the grade now.
        plan, findings = decide(HELD, {"grade": grade, "kind": kind})
        assert plan.action is DoseAction.STOP
        stop = next(f for f in findings if f.id == f"toxicity.permanent_stop_{kind}")
        assert f"(grade {grade} now)" in stop.summary

    @pytest.mark.parametrize(("grade", "action"), [(3, DoseAction.HOLD), (4, DoseAction.STOP)])
    def test_rash_grade_3_holds_and_grade_4_stops(self, grade, action):
        # Facts §3: grade 4 rash → stop for good; grade 3 is another grade 3–4 toxicity → hold.
        plan, _ = decide(toxicity={"grade": grade, "kind": "rash"})
        assert plan.action is action
        if action is DoseAction.HOLD:
            assert plan.rule == "other_toxicity.grade_hold"
            assert plan.resume.dose_mg == 20

    def test_permanent_stop_outranks_a_hold_and_low_counts(self):
        low = [
            lab("platelets", 10_000, "/uL", date="2026-11-18"),
            lab("anc", 300, "/uL", date="2026-11-18"),
        ]
        plan, _ = decide(
            [*START, {"date": "2026-11-01", "event": "hold", "reason": "neutropenia"}],
            {"grade": 3, "kind": "sjs"},
            labs=low,
        )
        assert plan.action is DoseAction.STOP

    @pytest.mark.parametrize("symptom", ["blistering_rash", "peeling_skin"])
    def test_reported_blistering_or_peeling_skin_holds_until_seen(self, symptom):
        plan, findings = decide(symptoms=[symptom])
        assert plan.action is DoseAction.HOLD
        assert plan.resume.dose_mg is None
        assert "toxicity.suspected_severe_rash" in ids(findings)

    def test_a_plain_rash_symptom_does_not_hold(self):
        plan, _ = decide(symptoms=["rash"])
        assert plan.action is DoseAction.CONTINUE


class TestContraindications:
    def test_severe_hypersensitivity_stops(self):
        plan, findings = decide(conditions={"lenalidomide_hypersensitivity": True})
        assert plan.action is DoseAction.STOP
        assert plan.status is Status.LABEL
        finding = next(
            f for f in findings if f.id == "toxicity.contraindication_lenalidomide_hypersensitivity"
        )
        assert finding.blocking
        assert any(c.section.startswith("§4") for c in finding.citations)

    def test_prior_grade_4_rash_on_thalidomide_is_not_a_contraindication(self):
        # USPI §5.9 advises against lenalidomide; §4 does not list it: no stop path
        plan, findings = decide(conditions={"prior_thalidomide_grade4_rash": True})
        assert plan.action is DoseAction.CONTINUE
        assert not [f for f in findings if "contraindication" in f.id]

    def test_false_conditions_change_nothing(self):
        plan, _ = decide(
            conditions={
                "lenalidomide_hypersensitivity": False,
                "prior_thalidomide_grade4_rash": False,
            }
        )
        assert plan.action is DoseAction.CONTINUE

    def test_before_the_first_dose_unknown_conditions_are_reported(self):
        findings = contraindication_findings(make_case(), default_knowledge(), started=False)
        # only the §4 contraindication; the thalidomide-rash history is asked for elsewhere
        assert {"input.lenalidomide_hypersensitivity_unknown"} == ids(findings)
        assert all(f.severity is Severity.INFO for f in findings)


class TestHepatotoxicity:
    def test_recorded_hepatotoxicity_holds_until_baseline_and_a_lower_dose(self):
        plan, _ = decide(toxicity={"grade": 1, "kind": "hepatotoxicity"})
        assert plan.action is DoseAction.HOLD
        assert plan.resume.dose_mg == 20
        assert "baseline" in plan.resume.when
        assert plan.status is Status.SECONDARY

    def test_held_for_hepatotoxicity_restarts_only_at_grade_0(self):
        plan, _ = decide(HELD, {"grade": 1, "kind": "hepatotoxicity"})
        assert plan.action is DoseAction.HOLD
        plan, _ = decide(HELD, {"grade": 0, "kind": "hepatotoxicity"})
        assert plan.action is DoseAction.RESUME
        assert plan.dose_mg == 20

    def test_enzymes_above_the_lab_limit_are_flagged_not_acted_on(self):
        labs = [
            *GOOD,
            lab("alt", 41, "U/L", date="2026-11-18", reference_range={"high": 40}),
        ]
        plan, findings = decide(labs=labs)
        assert plan.action is DoseAction.CONTINUE
        assert "toxicity.liver_enzymes_raised" in ids(findings)
        labs[-1] = lab("alt", 40, "U/L", date="2026-11-18", reference_range={"high": 40})
        _, findings = decide(labs=labs)
        assert "toxicity.liver_enzymes_raised" not in ids(findings)


@pytest.mark.parametrize("indication", ["mcl", "fl", "mzl"])
class TestTumorFlare:
    @pytest.mark.parametrize("grade", [3, 4])
    def test_grade_3_4_withhold_until_grade_1(self, indication, grade):
        plan, _ = decide(toxicity={"grade": grade, "kind": "tumor_flare"}, indication=indication)
        assert plan.action is DoseAction.HOLD
        assert "grade 1 or lower" in plan.resume.when
        assert plan.status is Status.UNVERIFIED

    @pytest.mark.parametrize("grade", [1, 2])
    def test_grade_1_2_may_continue(self, indication, grade):
        plan, findings = decide(
            toxicity={"grade": grade, "kind": "tumor_flare"}, indication=indication
        )
        assert plan.action is DoseAction.CONTINUE
        assert "toxicity.tumor_flare_continue" in ids(findings)

    def test_held_restart_needs_grade_1_not_2(self, indication):
        start = 25 if indication == "mcl" else 20
        events = [
            {"date": "2026-10-01", "event": "start", "dose_mg": start},
            {"date": "2026-11-01", "event": "hold", "reason": "other_toxicity"},
        ]
        plan, findings = decide(events, {"grade": 2, "kind": "tumor_flare"}, indication=indication)
        assert plan.action is DoseAction.HOLD
        assert "toxicity.tumor_flare_continue" not in ids(findings)
        plan, _ = decide(events, {"grade": 1, "kind": "tumor_flare"}, indication=indication)
        assert plan.action is DoseAction.RESUME
        assert plan.dose_mg == start - 5


def test_tumor_flare_in_myeloma_follows_the_general_grade_rule():
    held = [*START, {"date": "2026-11-01", "event": "hold", "reason": "other_toxicity"}]
    plan, _ = decide(held, {"grade": 2, "kind": "tumor_flare"})
    assert plan.action is DoseAction.RESUME


@pytest.mark.parametrize(
    ("indication", "start"), [("mm_combination", 25), ("mm_maintenance", 10), ("mds_del5q", 10)]
)
def test_tumor_flare_rows_are_for_mcl_fl_mzl_only(indication, start):
    # Facts §3: the tumor flare rows are MCL/FL/MZL; elsewhere grade 3 holds under the general
    # rule (restart at grade 2 or lower) and grade 2 gets no "may continue" advice.
    events = [{"date": "2026-10-01", "event": "start", "dose_mg": start}]
    plan, _ = decide(events, {"grade": 3, "kind": "tumor_flare"}, indication=indication)
    assert plan.action is DoseAction.HOLD
    assert plan.rule == "other_toxicity.grade_hold"
    assert "grade 2 or lower" in plan.resume.when
    plan, findings = decide(events, {"grade": 2, "kind": "tumor_flare"}, indication=indication)
    assert plan.action is DoseAction.CONTINUE
    assert "toxicity.tumor_flare_continue" not in ids(findings)


def test_tumor_flare_restart_dose_is_explained():
    # The flare text gives no restart dose; lenaguard applies the general "next lower dose".
    plan, findings = decide(toxicity={"grade": 3, "kind": "tumor_flare"}, indication="mcl")
    assert plan.resume.dose_mg == 20
    assert "next lower dose" in plan.reason
    flare = next(f for f in findings if f.id == "toxicity.tumor_flare_interrupt")
    assert "next lower dose" in flare.detail


class TestTumorLysis:
    def test_high_tumor_burden_monitor_closely(self):
        _, findings = decide(conditions={"high_tumor_burden": True})
        finding = next(f for f in findings if f.id == "toxicity.tumor_lysis_risk")
        assert finding.status is Status.LABEL_OLD
        assert finding.severity is Severity.WARNING

    def test_unknown_burden_is_reported_in_the_first_cycle_only(self):
        first_cycle = [{"date": "2026-11-01", "event": "start", "dose_mg": 25}]
        _, findings = decide(first_cycle)
        assert "input.high_tumor_burden_unknown" in ids(findings)
        _, findings = decide(START)
        assert "input.high_tumor_burden_unknown" not in ids(findings)
