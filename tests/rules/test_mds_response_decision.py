"""The MDS response decision (`decide_mds_response`), field by field, without its wording.

Expected values from the facts file §9: RBC transfusion independence = no RBC transfusion in
any 56 consecutive days on treatment; HI-E for a pretreatment Hb below 11 g/dL: a rise of at
least 1.5 g/dL, or at least 4 fewer RBC units per 8 weeks than in the 8 weeks before (counting
only transfusions given for Hb ≤ 9.0 g/dL), lasting at least 8 weeks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.response import ResponseKnowledge
from lenaguard.rules.response.mds import (
    ErythroidApplicability,
    MdsResponseDecision,
    decide_mds_response,
)
from tests.factories import lab, make_case

KB = default_knowledge()
MDS = KB.get(ResponseKnowledge).mds
START = dt.date(2026, 6, 1)


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def rbc(offset: int, units: int = 2, hb: float | None = 8.0) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": day(offset).isoformat(), "kind": "rbc", "units": units}
    if hb is not None:
        entry["pre_transfusion_hemoglobin_g_dl"] = hb
    return entry


def hb(value: float, offset: int) -> dict[str, Any]:
    return lab("hemoglobin", value, "g/dL", date=day(offset).isoformat())


def pretreatment(units: int, hb_value: float | None = 8.5) -> list[dict[str, Any]]:
    """`units` RBC units, one per transfusion, in the 8 weeks before the start."""
    return [rbc(-50 + 5 * i, units=1, hb=hb_value) for i in range(units)]


def decide(as_of_offset: int, transfusions=(), labs=(), events=None) -> MdsResponseDecision:
    events = events or [{"date": START.isoformat(), "event": "start", "dose_mg": 10}]
    case = make_case(
        as_of=day(as_of_offset).isoformat(),
        indication="mds_del5q",
        therapy={"events": events},
        transfusions=list(transfusions),
        labs=list(labs),
    )
    decision = decide_mds_response(case, KB)
    assert decision is not None
    return decision


def test_no_decision_before_the_start():
    assert decide_mds_response(make_case(indication="mds_del5q"), KB) is None


def test_treatment_runs_from_the_start_to_the_assessment_date_or_the_stop():
    decision = decide(60)
    assert (decision.treatment_start, decision.treatment_end) == (START, day(60))
    assert decision.treatment_days == 61
    stopped = decide(
        200,
        events=[
            {"date": START.isoformat(), "event": "start", "dose_mg": 10},
            {"date": day(40).isoformat(), "event": "stop"},
        ],
    )
    assert stopped.treatment_end == day(40)
    assert stopped.transfusion_independence.independent is None  # 41 days on treatment


def test_56_free_days_are_independence_and_55_are_not():
    met = decide(57, transfusions=[rbc(0), rbc(57)]).transfusion_independence
    assert (met.independent, met.longest_free_days) == (True, 56)
    assert (met.free_from, met.free_to) == (day(1), day(56))
    short = decide(56, transfusions=[rbc(0), rbc(56)]).transfusion_independence
    assert (short.independent, short.longest_free_days) == (False, 55)


def test_too_early_to_judge_independence():
    decision = decide(54)  # 55 days on treatment
    assert decision.transfusion_independence.independent is None


def test_independence_reached_then_transfusions_again():
    ti = decide(100, transfusions=[rbc(0), rbc(70), rbc(90)]).transfusion_independence
    assert ti.independent is True
    assert (ti.free_from, ti.free_to) == (day(1), day(69))
    assert [item.date for item in ti.resumed] == [day(70), day(90)]
    assert [item.date for item in ti.rbc_transfusions] == [day(0), day(70), day(90)]


def test_platelet_transfusions_do_not_count():
    platelets = {"date": day(30).isoformat(), "kind": "platelets", "units": 1}
    ti = decide(60, transfusions=[platelets]).transfusion_independence
    assert ti.independent is True and ti.rbc_transfusions == ()


def test_pretreatment_window_and_qualifying_units():
    decision = decide(60, transfusions=pretreatment(3) + pretreatment(1, 9.1) + [rbc(-20, 1, None)])
    assert decision.pretreatment_window == (day(-56), day(-1))
    assert len(decision.pretreatment_transfusions) == 5
    assert decision.pretreatment_rbc_units == 3  # Hb 9.1 and unknown Hb do not count
    assert [item.date for item in decision.pretreatment_hemoglobin_unknown] == [day(-20)]


def test_hemoglobin_rise_kept_8_weeks_meets_hi_e():
    decision = decide(66, labs=[hb(8.0, 0), hb(9.5, 10), hb(9.5, 66)])
    erythroid = decision.erythroid_improvement
    assert erythroid.applicability is ErythroidApplicability.APPLIES
    assert erythroid.pretreatment_hemoglobin_g_dl == 8.0
    assert (erythroid.met, erythroid.met_by) == (True, ["hemoglobin_rise"])
    rise = erythroid.hemoglobin_rise
    assert rise is not None and (rise.kept_from, rise.kept_to) == (day(10), day(66))
    assert MDS.erythroid_duration in decision.entries


def test_a_rise_kept_55_days_is_not_decided_yet():
    erythroid = decide(65, labs=[hb(8.0, 0), hb(9.5, 10), hb(9.5, 65)]).erythroid_improvement
    assert erythroid.met is None
    assert erythroid.hemoglobin_rise is not None
    assert (erythroid.hemoglobin_rise.met, erythroid.hemoglobin_rise.kept_from) == (None, day(10))


def test_a_rise_of_1_4_is_not_met():
    erythroid = decide(66, labs=[hb(8.0, 0), hb(9.4, 10), hb(9.4, 66)]).erythroid_improvement
    rise = erythroid.hemoglobin_rise
    assert rise is not None and rise.met is False
    assert (rise.latest_g_dl, rise.latest_date) == (9.4, day(66))


def test_hi_e_applies_only_below_11():
    erythroid = decide(70, labs=[hb(11.0, 0), hb(12.5, 10), hb(12.5, 70)]).erythroid_improvement
    assert erythroid.applicability is ErythroidApplicability.NOT_LOW
    assert erythroid.met is None and erythroid.hemoglobin_rise is None


def test_no_pretreatment_hemoglobin():
    decision = decide(70, labs=[hb(9.5, 10)])
    erythroid = decision.erythroid_improvement
    assert erythroid.applicability is ErythroidApplicability.NO_PRETREATMENT_HEMOGLOBIN
    assert erythroid.met is None
    assert MDS.erythroid_duration not in decision.entries


def test_four_fewer_units_meet_hi_e_and_three_cannot():
    labs = [hb(8.0, 0), hb(8.2, 60)]
    met = decide(60, transfusions=pretreatment(4), labs=labs).erythroid_improvement
    assert met.rbc_reduction is not None
    assert (met.rbc_reduction.met, met.rbc_reduction.fewest_units_in_window) == (True, 0)
    assert met.met_by == ["rbc_reduction"]
    impossible = decide(60, transfusions=pretreatment(3), labs=labs).erythroid_improvement
    assert impossible.rbc_reduction is not None
    assert (impossible.rbc_reduction.possible, impossible.rbc_reduction.met) == (False, False)
    assert impossible.met is False


def test_no_full_window_yet_leaves_the_reduction_undecided():
    decision = decide(40, transfusions=pretreatment(4), labs=[hb(8.0, 0), hb(8.2, 40)])
    reduction = decision.erythroid_improvement.rbc_reduction
    assert decision.fewest_rbc_units_in_window is None
    assert reduction is not None and (reduction.possible, reduction.met) == (True, None)
    assert decision.erythroid_improvement.met is None
