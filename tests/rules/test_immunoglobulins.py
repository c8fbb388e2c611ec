"""Immunoglobulin recovery (facts §9): an uninvolved IgA/IgG/IgM "improved" when it rose at least
25% from baseline and the latest value lies inside the normal range.

The default adult ranges (IgA 40–350, IgG 650–1600, IgM 54–300 mg/dL) are not in the facts file:
they are the generic MedlinePlus ranges the knowledge base marks unverified.
"""

from __future__ import annotations

from typing import Any

import pytest

from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.response.immunoglobulins import assess_immunoglobulin_recovery
from lenaguard.vocab import LabTest
from tests.factories import lab, make_case

KB = default_knowledge()
START = "2026-06-01"
BASE = "2026-05-28"
LATER = "2026-10-01"


def ig_case(labs: list[dict[str, Any]], heavy_chain: str | None = "igg", started: bool = True):
    data: dict[str, Any] = {"labs": labs, "myeloma": {"heavy_chain": heavy_chain}}
    if started:
        data["therapy"] = {"events": [{"date": START, "event": "start", "dose_mg": 25}]}
    return make_case(**data)


def iga(before: float, after: float, **extra: Any) -> list[dict[str, Any]]:
    return [
        lab("iga", before, "mg/dL", date=BASE),
        lab("iga", after, "mg/dL", date=LATER, **extra),
    ]


def item_for(case, test: LabTest):
    items, _ = assess_immunoglobulin_recovery(case, KB)
    return next(item for item in items if item.immunoglobulin is test)


@pytest.mark.parametrize(
    ("after", "improved"),
    [(50, True), (49.96, False)],  # 40 → 50 is +25%; 40 → 49.96 is +24.9%
)
def test_rise_of_25_percent(after, improved):
    item = item_for(ig_case(iga(40, after)), LabTest.IGA)
    assert item.improved is improved
    assert item.change_pct == (25.0 if improved else 24.9)


@pytest.mark.parametrize(
    ("before", "after", "improved"),
    [
        (200, 350, True),  # at the upper limit
        (200, 351, False),  # above it
        (30, 40, True),  # at the lower limit
        (30, 39.9, False),  # below it, though risen 33%
    ],
)
def test_normal_range_edges_are_inclusive(before, after, improved):
    assert item_for(ig_case(iga(before, after)), LabTest.IGA).improved is improved


def test_a_results_own_reference_range_overrides_the_default():
    plain = item_for(ig_case(iga(40, 60)), LabTest.IGA)
    assert plain.improved is True
    assert plain.normal_range.source == "default"
    own = item_for(ig_case(iga(40, 60, reference_range={"low": 70, "high": 400})), LabTest.IGA)
    assert own.improved is False
    assert (own.normal_range.low, own.normal_range.high) == (70, 400)
    assert own.normal_range.source == "laboratory"


def test_reference_range_in_g_per_l_is_converted():
    labs = [
        lab("igm", 40, "mg/dL", date=BASE),
        lab("igm", 0.6, "g/L", date=LATER, reference_range={"low": 0.5, "high": 3.0}),
    ]
    item = item_for(ig_case(labs), LabTest.IGM)
    assert (item.normal_range.low, item.normal_range.high) == (50, 300)
    assert item.latest == 60
    assert item.improved is True


def test_reference_range_without_a_lower_limit():
    labs = iga(20, 30, reference_range={"high": 400})
    item = item_for(ig_case(labs), LabTest.IGA)
    assert item.normal_range.low is None
    assert item.improved is True  # 30 is below the default 40, but the lab sets no lower limit


def test_the_involved_heavy_chain_is_left_out():
    items, _ = assess_immunoglobulin_recovery(ig_case([], heavy_chain="iga"), KB)
    assert [item.immunoglobulin for item in items] == [LabTest.IGG, LabTest.IGM]


def test_light_chain_only_myeloma_assesses_all_three():
    items, findings = assess_immunoglobulin_recovery(ig_case([], heavy_chain="none"), KB)
    assert [item.immunoglobulin for item in items] == [LabTest.IGA, LabTest.IGG, LabTest.IGM]
    assert "response.immunoglobulins_heavy_chain_unknown" not in {f.id for f in findings}


def test_unknown_heavy_chain_assesses_all_three_and_says_so():
    items, findings = assess_immunoglobulin_recovery(ig_case([], heavy_chain=None), KB)
    assert len(items) == 3
    assert "response.immunoglobulins_heavy_chain_unknown" in {f.id for f in findings}


def test_improvement_with_unknown_heavy_chain_carries_the_caveat_in_its_summary():
    """Regression: with no heavy chain, a rising total immunoglobulin may be the myeloma's own
    (more M-protein, not recovery); the "improved" claim itself now says to check that."""
    _, findings = assess_immunoglobulin_recovery(ig_case(iga(40, 60), heavy_chain=None), KB)
    improved = next(f for f in findings if f.id == "response.immunoglobulins_improved")
    assert "heavy chain not given" in improved.summary
    _, known = assess_immunoglobulin_recovery(ig_case(iga(40, 60), heavy_chain="igg"), KB)
    improved = next(f for f in known if f.id == "response.immunoglobulins_improved")
    assert "heavy chain" not in improved.summary


def test_missing_values_are_not_assessable_and_named():
    items, findings = assess_immunoglobulin_recovery(ig_case(iga(40, 60)), KB)
    igm = next(item for item in items if item.immunoglobulin is LabTest.IGM)
    assert igm.improved is None
    missing = next(f for f in findings if f.id == "response.immunoglobulins_not_assessable")
    assert "IgM on or before 2026-06-01" in missing.detail
    assert "IgA" not in missing.summary


def test_improvement_is_reported_with_its_unverified_status():
    _, findings = assess_immunoglobulin_recovery(ig_case(iga(40, 60)), KB)
    improved = next(f for f in findings if f.id == "response.immunoglobulins_improved")
    assert improved.status is Status.UNVERIFIED
    assert "56%" in improved.detail and "50%" in improved.detail


def test_a_value_on_the_start_day_is_the_baseline():
    labs = [lab("iga", 40, "mg/dL", date=START), lab("iga", 60, "mg/dL", date=LATER)]
    item = item_for(ig_case(labs), LabTest.IGA)
    assert item.baseline == 40 and item.improved is True


def test_not_started_gives_nothing():
    assert assess_immunoglobulin_recovery(ig_case(iga(40, 60), started=False), KB) == ([], [])
