"""Myeloma, first neutropenia, other toxicity not recorded: the dose panel shows both label
restarts and the field to record; lenaguard's conservative default carries its own status."""

from __future__ import annotations

import pytest

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.vocab import DoseAction
from tests.factories import lab, make_case

KB = default_knowledge()


def _case(indication: str, start_dose: float, anc: float, other_toxicity: dict | None):
    therapy: dict = {
        "events": [
            {"date": "2026-10-01", "event": "start", "dose_mg": start_dose},
            {"date": "2026-11-01", "event": "hold", "reason": "neutropenia"},
        ]
    }
    if other_toxicity is not None:
        therapy["other_toxicity"] = other_toxicity
    return make_case(
        indication=indication,
        therapy=therapy,
        labs=[
            lab("anc", 800, "/uL", date="2026-10-30"),
            lab("anc", anc, "/uL", date="2026-11-18"),
            lab("platelets", 150_000, "/uL", date="2026-11-18"),
            lab("creatinine", 1.0, "mg/dL", date="2026-11-18"),
        ],
    )


@pytest.mark.parametrize(("indication", "start"), [("mm_combination", 25), ("mm_combination", 20)])
def test_unrecorded_other_toxicity_offers_both_label_restarts(indication, start):
    plan = assess(_case(indication, start, 1500, None), KB).dose
    assert plan.action is DoseAction.RESUME
    assert plan.record == "therapy.other_toxicity"
    only, other = plan.options
    assert only.dose_mg == start  # neutropenia the only toxicity: the starting dose
    assert other.dose_mg == plan.dose_mg < start  # other toxicity: one step lower
    assert {only.status, other.status} <= {Status.LABEL, Status.LABEL_OLD}
    # the proposal between them is lenaguard's reading, not the label's
    assert plan.status is Status.UNVERIFIED and plan.basis == "lenaguard"


@pytest.mark.parametrize(("grade", "lower"), [(0, False), (2, True)])
def test_recorded_other_toxicity_settles_the_restart(grade, lower):
    plan = assess(_case("mm_combination", 25, 1500, {"grade": grade}), KB).dose
    assert plan.options == [] and plan.record is None
    assert plan.basis is None and plan.status is not Status.UNVERIFIED
    assert (plan.dose_mg < 25) is lower


def test_still_low_count_keeps_the_hold_with_both_options():
    plan = assess(_case("mm_combination", 25, 700, None), KB).dose
    assert plan.action is DoseAction.HOLD
    assert plan.record == "therapy.other_toxicity" and len(plan.options) == 2


def test_maintenance_has_one_label_restart_and_no_options():
    """The maintenance table restarts one step lower whatever the other toxicity."""
    plan = assess(_case("mm_maintenance", 10, 1500, None), KB).dose
    assert plan.action is DoseAction.RESUME and plan.options == [] and plan.record is None
