"""The past-HBV decision (`decide_past_hbv`), field by field, without its wording.

Expected values from the facts file §8 (ASCO 2020, AASLD 2018): past HBV with a high-risk
therapy (anti-CD20 antibody, autologous stem-cell transplant) gets entecavir or tenofovir
prophylaxis for ≥ 12 months after the last anticancer therapy, or HBsAg and HBV DNA every 3
months; with other therapy, monitoring (ALT, HBV DNA, HBsAg) and treatment on demand;
HBV DNA ≥ 1,000 IU/mL is reactivation and is treated.
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.infection import InfectionKnowledge
from lenaguard.rules.safety.infection import (
    HighRiskReason,
    PastHbvPlan,
    decide_past_hbv,
)
from lenaguard.vocab import LabTest
from tests.factories import lab, make_case

KB = default_knowledge()
PAST_HBV = KB.get(InfectionKnowledge).past
PAST = [
    lab("hbsag", result="negative", date="2026-11-10"),
    lab("anti_hbc", result="positive", date="2026-11-10"),
    lab("anti_hbs", result="negative", date="2026-11-10"),
]


def dna(value: float) -> dict:
    return lab("hbv_dna", value, "IU/mL", date="2026-11-10")


def decide(**overrides):
    overrides.setdefault("labs", [*PAST, dna(0)])
    return decide_past_hbv(make_case(**overrides), KB)


def test_no_decision_unless_the_class_is_past_hbv():
    chronic = [
        lab("hbsag", result="positive", date="2026-11-10"),
        lab("anti_hbc", result="positive", date="2026-11-10"),
    ]
    assert decide(labs=chronic) is None
    assert decide(labs=[]) is None


def test_other_therapy_is_monitored_and_treated_on_demand():
    decision = decide(conditions={"autologous_hsct": False})
    assert decision is not None
    assert decision.plan is PastHbvPlan.MONITOR
    assert decision.high_risk_therapy == []
    assert decision.monitoring == PAST_HBV.other_therapy_monitoring
    assert set(decision.monitoring.tests) == {LabTest.ALT, LabTest.HBV_DNA, LabTest.HBSAG}
    assert not decision.ask_about_transplant


def test_an_unrecorded_transplant_is_asked_about():
    decision = decide()
    assert decision is not None
    assert decision.plan is PastHbvPlan.MONITOR
    assert decision.ask_about_transplant


def test_maintenance_after_transplant_is_high_risk_prophylaxis_or_monitoring():
    decision = decide(indication="mm_maintenance")
    assert decision is not None
    assert decision.plan is PastHbvPlan.PROPHYLAXIS_OR_MONITORING
    assert decision.high_risk_therapy == [HighRiskReason.TRANSPLANT_INDICATION]
    assert decision.monitoring == PAST_HBV.high_risk_monitoring
    assert decision.monitoring.every_months == 3
    assert not decision.ask_about_transplant


def test_an_anti_cd20_regimen_and_listed_antibody_are_both_reasons():
    decision = decide(indication="fl", medications=[{"name": "rituximab"}])
    assert decision is not None
    assert decision.high_risk_therapy == [
        HighRiskReason.ANTI_CD20_REGIMEN,
        HighRiskReason.ANTI_CD20_MEDICATION,
    ]


def test_a_recorded_transplant_is_a_reason():
    decision = decide(conditions={"autologous_hsct": True})
    assert decision is not None
    assert decision.high_risk_therapy == [HighRiskReason.TRANSPLANT_RECORDED]


def test_a_preferred_antiviral_puts_prophylaxis_in_place():
    decision = decide(indication="mm_maintenance", medications=[{"name": "entecavir"}])
    assert decision is not None
    assert decision.plan is PastHbvPlan.PROPHYLAXIS_IN_PLACE
    assert decision.high_barrier_antivirals == ["entecavir"]
    assert decision.monitoring is None


def test_a_low_barrier_antiviral_is_not_prophylaxis():
    decision = decide(indication="mm_maintenance", medications=[{"name": "lamivudine"}])
    assert decision is not None
    assert decision.plan is PastHbvPlan.PROPHYLAXIS_OR_MONITORING
    assert decision.low_barrier_antivirals == ["lamivudine"]
    assert decision.high_barrier_antivirals == []


def test_after_a_stop_prophylaxis_runs_12_months():
    therapy = {
        "events": [
            {"date": "2026-01-05", "event": "start", "dose_mg": 10},
            {"date": "2026-10-01", "event": "stop"},
        ]
    }
    decision = decide(indication="mm_maintenance", therapy=therapy)
    assert decision is not None
    assert decision.lenalidomide_stopped_on == dt.date(2026, 10, 1)
    assert decision.prophylaxis_until == dt.date(2027, 10, 1)


def test_dna_at_the_threshold_is_reactivation_to_treat_and_999_is_not():
    treat = decide(indication="mm_maintenance", labs=[*PAST, dna(1000)])
    assert treat is not None and treat.plan is PastHbvPlan.TREAT_REACTIVATION
    keep = decide(indication="mm_maintenance", labs=[*PAST, dna(999)])
    assert keep is not None and keep.plan is PastHbvPlan.PROPHYLAXIS_OR_MONITORING
