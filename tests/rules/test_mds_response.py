"""MDS response (facts §9): RBC transfusion independence = no RBC transfusion in any 56
consecutive days on treatment; HI-E for pretreatment Hb < 11 g/dL: Hb rise ≥ 1.5 g/dL, or ≥ 4
fewer RBC units per 8 weeks than in the 8 weeks before (counting only transfusions given for
Hb ≤ 9.0 g/dL), lasting ≥ 8 weeks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.caseio import load_case
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.response import imwg as response
from lenaguard.rules.response.mds import (
    assess_mds_response,
    longest_transfusion_free_days,
    longest_transfusion_free_run,
)
from tests.factories import lab, make_case

KB = default_knowledge()
START = dt.date(2026, 6, 1)


def day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


def rbc(offset: int, units: int = 2, hb: float | None = 8.0) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": day(offset), "kind": "rbc", "units": units}
    if hb is not None:
        entry["pre_transfusion_hemoglobin_g_dl"] = hb
    return entry


def hb(value: float, offset: int) -> dict[str, Any]:
    return lab("hemoglobin", value, "g/dL", date=day(offset))


def mds_case(as_of_offset: int, transfusions=(), labs=(), **extra: Any):
    return make_case(
        as_of=day(as_of_offset),
        indication="mds_del5q",
        therapy={"events": [{"date": START.isoformat(), "event": "start", "dose_mg": 10}]},
        transfusions=list(transfusions),
        labs=list(labs),
        **extra,
    )


def mds(case):
    result, findings = assess_mds_response(case, KB)
    assert result is not None
    return result, {finding.id: finding for finding in findings}


# --- transfusion independence ----------------------------------------------------------------


@pytest.mark.parametrize(("gap", "independent"), [(57, True), (56, False)])
def test_56_vs_55_transfusion_free_days(gap, independent):
    # transfusions on day 0 and day `gap`: gap − 1 free days in between; assessed that day
    case = mds_case(gap, transfusions=[rbc(0), rbc(gap)])
    result, _ = mds(case)
    assert result.longest_transfusion_free_days == gap - 1
    assert result.transfusion_independent is independent


@pytest.mark.parametrize(("days_on", "independent"), [(56, True), (55, None)])
def test_no_transfusion_since_start(days_on, independent):
    result, findings = mds(mds_case(days_on - 1))  # start day counts: days_on days in all
    assert result.treatment_days == days_on
    assert result.transfusion_independent is independent
    assert "response.mds_transfusion_independence" in findings


def test_platelet_transfusions_do_not_count():
    platelets = {"date": day(30), "kind": "platelets", "units": 1}
    result, _ = mds(mds_case(60, transfusions=[platelets]))
    assert result.transfusion_independent is True


def test_stopped_course_ends_treatment_at_the_stop():
    case = make_case(
        as_of=day(200),
        indication="mds_del5q",
        therapy={
            "events": [
                {"date": START.isoformat(), "event": "start", "dose_mg": 10},
                {"date": day(40), "event": "stop"},
            ]
        },
    )
    result, _ = mds(case)
    assert result.treatment_end == START + dt.timedelta(days=40)
    assert result.transfusion_independent is None  # 41 days on treatment


def test_context_of_mds_003_is_given():
    _, findings = mds(mds_case(60, transfusions=[rbc(10), rbc(20)]))
    detail = findings["response.mds_transfusion_independence"].detail
    assert "67%" in detail and "4.6" in detail


def test_longest_run_counts_calendar_days_inclusively():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 10)
    assert longest_transfusion_free_days([], start, end) == 10
    assert longest_transfusion_free_days([dt.date(2026, 1, 1)], start, end) == 9
    assert longest_transfusion_free_days([dt.date(2026, 1, 5)], start, end) == 5


def test_longest_run_gives_its_dates():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 10)
    assert longest_transfusion_free_run([dt.date(2026, 1, 5)], start, end) == (
        5,
        dt.date(2026, 1, 6),
        dt.date(2026, 1, 10),
    )
    every_day = [start + dt.timedelta(days=i) for i in range(10)]
    assert longest_transfusion_free_run(every_day, start, end) == (0, None, None)


def test_independence_reached_then_transfusions_again_is_said():
    """Regression: "RBC transfusion-independent" was reported without the dates of the run,
    even when RBC transfusions had come back after it (the response was no longer current)."""
    result, findings = mds(mds_case(100, transfusions=[rbc(0), rbc(70), rbc(90)]))
    assert result.transfusion_independent is True
    assert result.longest_transfusion_free_days == 69  # days 1–69
    summary = findings["response.mds_transfusion_independence"].summary
    assert f"({day(1)} to {day(69)}, 69 days)" in summary
    assert f"RBC transfusions again since {day(70)}" in summary


def test_independence_still_current_names_the_run():
    _, findings = mds(mds_case(80, transfusions=[rbc(10)]))
    summary = findings["response.mds_transfusion_independence"].summary
    assert f"({day(11)} to {day(80)})" in summary
    assert "again" not in summary


# --- HI-E: haemoglobin -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "last_offset", "expected"),
    [
        (9.5, 66, True),  # +1.5 g/dL held from day 10 to day 66 (56 days = 8 weeks)
        (9.4, 66, False),  # +1.4 g/dL
        (9.5, 65, None),  # +1.5 g/dL but held only 55 days so far
    ],
)
def test_hemoglobin_rise(value, last_offset, expected):
    labs = [hb(8.0, 0), hb(value, 10), hb(value, last_offset)]
    result, findings = mds(mds_case(last_offset, labs=labs))
    assert result.hi_e is expected
    assert "response.mds_erythroid_improvement" in findings
    if expected:
        assert result.hi_e_by == ["hemoglobin_rise"]
        assert result.status is Status.UNVERIFIED  # the 8-week duration is unverified


@pytest.mark.parametrize(("pre", "applies"), [(11.0, False), (10.9, True)])
def test_hi_e_applies_below_11(pre, applies):
    labs = [hb(pre, 0), hb(pre + 1.5, 10), hb(pre + 1.5, 70)]
    result, findings = mds(mds_case(70, labs=labs))
    assert (result.hi_e is True) is applies
    assert ("response.mds_erythroid_improvement" in findings) is applies


def test_missing_pretreatment_hemoglobin_is_named():
    result, findings = mds(mds_case(70, labs=[hb(9.5, 10)]))
    assert result.hi_e is None
    assert "response.mds_pretreatment_hemoglobin_missing" in findings


# --- HI-E: transfusion reduction -------------------------------------------------------------


def pretreatment(units: int, hb_value: float | None = 8.5) -> list[dict[str, Any]]:
    """`units` RBC units, one per transfusion, in the 8 weeks before the start."""
    return [rbc(-50 + 5 * i, units=1, hb=hb_value) for i in range(units)]


@pytest.mark.parametrize(("units", "expected"), [(4, True), (3, False)])
def test_four_fewer_units_per_8_weeks(units, expected):
    labs = [hb(8.0, 0), hb(8.2, 60)]  # no haemoglobin rise
    result, _ = mds(mds_case(60, transfusions=pretreatment(units), labs=labs))
    assert result.pretreatment_rbc_units == units
    assert result.fewest_rbc_units_in_window == 0
    assert result.hi_e is expected


@pytest.mark.parametrize(("pre_hb", "counted"), [(9.0, 4), (9.1, 0)])
def test_only_transfusions_for_hb_at_most_9_count(pre_hb, counted):
    labs = [hb(8.0, 0), hb(8.2, 60)]
    result, _ = mds(mds_case(60, transfusions=pretreatment(4, pre_hb), labs=labs))
    assert result.pretreatment_rbc_units == counted
    assert result.hi_e is (counted == 4)


def test_missing_pre_transfusion_hemoglobin_is_named_and_not_counted():
    labs = [hb(8.0, 0), hb(8.2, 60)]
    result, findings = mds(mds_case(60, transfusions=pretreatment(4, None), labs=labs))
    assert result.pretreatment_rbc_units == 0
    assert "response.mds_pre_transfusion_hemoglobin_missing" in findings


def test_units_on_treatment_reduce_the_improvement():
    labs = [hb(8.0, 0), hb(8.2, 60)]
    transfusions = pretreatment(5) + [rbc(d, units=1) for d in range(0, 61, 10)]
    result, _ = mds(mds_case(60, transfusions=transfusions, labs=labs))
    assert result.fewest_rbc_units_in_window == 5  # every 8-week window holds 5 or more
    assert result.hi_e is False


def test_no_full_window_yet_is_undecided():
    labs = [hb(8.0, 0), hb(8.2, 40)]
    result, _ = mds(mds_case(40, transfusions=pretreatment(4), labs=labs))
    assert result.fewest_rbc_units_in_window is None
    assert result.hi_e is None


def test_no_pretreatment_transfusions_is_said():
    _, findings = mds(mds_case(60, labs=[hb(8.0, 0)]))
    assert "response.mds_no_pretreatment_transfusions" in findings


def test_evaluate_returns_mds_only_for_mds():
    outcome = response.evaluate(mds_case(60, labs=[hb(8.0, 0)]), KB)
    assert outcome.imwg is None and outcome.mds is not None
    data = outcome.model_dump(mode="json")
    assert data["mds"]["transfusion_independent"] is True


def test_not_started_mds():
    case = make_case(indication="mds_del5q")
    outcome = response.evaluate(case, KB)
    assert outcome.mds is None
    assert [finding.id for finding in outcome.findings] == ["response.not_started"]


@settings(max_examples=100, deadline=None)
@given(
    offsets=st.lists(st.integers(-80, 200), max_size=8),
    hbs=st.lists(
        st.tuples(st.integers(-30, 200), st.floats(3, 18)), max_size=6, unique_by=lambda h: h[0]
    ),
    pre=st.one_of(st.none(), st.floats(5, 12)),
)
def test_random_transfusion_histories_never_raise(offsets, hbs, pre):
    transfusions = [rbc(o, units=1 + (o % 3), hb=pre) for o in offsets]
    labs = [hb(value, o) for o, value in hbs]
    outcome = response.evaluate(mds_case(200, transfusions=transfusions, labs=labs), KB)
    assert outcome.mds is not None
    assert 0 <= outcome.mds.longest_transfusion_free_days <= outcome.mds.treatment_days
    assert outcome.mds.transfusion_independent is (outcome.mds.longest_transfusion_free_days >= 56)


def test_transfusion_independence_example():
    path = Path(__file__).resolve().parents[2] / "examples" / "mds-transfusion-independence.yaml"
    result, _ = mds(load_case(path))
    assert result.transfusion_independent is True
    assert result.longest_transfusion_free_days == 123
    assert result.pretreatment_rbc_units == 6
    assert result.hi_e is True
    assert result.hi_e_by == ["hemoglobin_rise", "rbc_reduction"]
