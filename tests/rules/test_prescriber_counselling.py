"""What a prescriber weighs before starting: a prior grade 4 rash on thalidomide (USPI §5.9, a
warning, not a §4 contraindication) and second primary malignancies (USPI §5.6).

Expected values come from the facts file §3: contraindications are pregnancy and severe
hypersensitivity to lenalidomide (label); prior grade 4 rash on thalidomide → do not give
lenalidomide (label-old); SPM counselling (weigh benefit against risk; monitor) [secondary];
maintenance after melphalan + HSCT hematologic SPM 7.5% vs 3.3% [label]; AML/MDS with oral
melphalan 5.3%, after high-dose melphalan + ASCT up to 5.2%, vs 0.4% with Rd [secondary].
"""

from __future__ import annotations

import pytest

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.vocab import DoseAction, Indication, Severity
from tests.factories import lab, make_case

KB = default_knowledge()
RASH = "toxicity.prior_thalidomide_grade4_rash"
RASH_UNKNOWN = "input.prior_thalidomide_grade4_rash_unknown"
SPM = "toxicity.second_primary_malignancy"
READY_LABS = [
    lab("creatinine", 1.0, "mg/dL"),
    lab("anc", 2500, "/uL"),
    lab("platelets", 200_000, "/uL"),
]


def _assess(**overrides):
    return assess(make_case(labs=READY_LABS, **overrides), KB)


def _finding(result, finding_id):
    return next(f for f in result.findings if f.id == finding_id)


def _started(dose: float = 25, *more: dict) -> dict:
    return {"events": [{"date": "2026-10-23", "event": "start", "dose_mg": dose}, *more]}


# --- a grade 4 rash on thalidomide ---------------------------------------------------------------


@pytest.mark.parametrize("started", [False, True])
def test_a_grade_4_rash_on_thalidomide_is_a_warning_asking_for_the_decision(started):
    extra = {"therapy": _started()} if started else {}
    result = _assess(conditions={"prior_thalidomide_grade4_rash": True}, **extra)
    rash = _finding(result, RASH)
    assert rash.severity is Severity.WARNING and not rash.blocking
    assert rash.status is Status.LABEL_OLD
    assert "record" in rash.summary.lower() and "decision" in rash.summary.lower()
    assert "contraindicat" not in rash.summary.lower()
    assert "not one of the label's contraindications" in rash.detail
    assert any(c.section.startswith("§5.9") for c in rash.citations)
    assert RASH not in result.blocking
    assert result.dose.action is (DoseAction.CONTINUE if started else DoseAction.START)


def test_a_grade_4_rash_on_thalidomide_never_takes_the_contraindication_path():
    result = _assess(conditions={"prior_thalidomide_grade4_rash": True}, therapy=_started())
    assert not [f for f in result.findings if "contraindication" in f.id]
    assert "contraindication" not in result.dose.rule
    knowledge = KB.get(OtherToxicityKnowledge)
    assert [entry.condition for entry in knowledge.contraindications] == [
        "lenalidomide_hypersensitivity"
    ]


def test_severe_hypersensitivity_is_still_a_contraindication():
    result = _assess(conditions={"lenalidomide_hypersensitivity": True}, therapy=_started())
    assert result.dose.action is DoseAction.STOP
    assert "toxicity.contraindication_lenalidomide_hypersensitivity" in result.blocking


@pytest.mark.parametrize(
    ("value", "started", "expected"),
    [
        (None, False, {RASH_UNKNOWN}),
        (None, True, set()),
        (False, False, set()),
        (False, True, set()),
        (True, False, {RASH}),
        (True, True, {RASH}),
    ],
)
def test_the_thalidomide_rash_history_is_asked_for_only_before_the_first_dose(
    value, started, expected
):
    extra = {"therapy": _started()} if started else {}
    result = _assess(conditions={"prior_thalidomide_grade4_rash": value}, **extra)
    assert {f.id for f in result.findings} & {RASH, RASH_UNKNOWN} == expected
    if RASH_UNKNOWN in expected:
        remedy = _finding(result, RASH_UNKNOWN).remedy
        assert remedy is not None and remedy.field == "conditions.prior_thalidomide_grade4_rash"


# --- second primary malignancies ----------------------------------------------------------------


@pytest.mark.parametrize("indication", [i.value for i in Indication])
def test_spm_counselling_before_the_first_dose_of_every_indication(indication):
    spm = _finding(_assess(indication=indication), SPM)
    assert spm.severity is Severity.WARNING and not spm.blocking
    assert "weigh" in spm.summary and "monitor" in spm.summary
    assert "benefit" in spm.detail and "monitor" in spm.detail
    assert any(c.source == "uspi" and c.section == "§5.6" for c in spm.citations)
    assert spm.status is Status.SECONDARY
    assert len(spm.summary) < 140


def test_spm_maintenance_figures_with_their_statuses():
    spm = _finding(_assess(indication="mm_maintenance"), SPM)
    assert "7.5%" in spm.detail and "3.3%" in spm.detail
    knowledge = KB.get(OtherToxicityKnowledge).second_primary_malignancies
    assert knowledge.maintenance.status is Status.LABEL
    assert knowledge.myeloma_settings.status is Status.SECONDARY
    assert knowledge.counselling.status is Status.SECONDARY


@pytest.mark.parametrize("indication", ["mm_combination", "mm_maintenance"])
def test_spm_myeloma_settings_are_shown_in_myeloma(indication):
    detail = _finding(_assess(indication=indication), SPM).detail
    for figure in ("5.3%", "5.2%", "0.4%"):
        assert figure in detail
    assert "Hodgkin" in detail


@pytest.mark.parametrize("indication", ["mds_del5q", "mcl", "fl", "mzl"])
def test_spm_myeloma_figures_are_not_shown_outside_myeloma(indication):
    detail = _finding(_assess(indication=indication), SPM).detail
    for figure in ("7.5%", "5.3%", "0.4%"):
        assert figure not in detail


def test_spm_stays_visible_throughout_maintenance_but_not_on_other_courses():
    on_maintenance = _assess(indication="mm_maintenance", therapy=_started(10))
    spm = _finding(on_maintenance, SPM)
    assert spm.severity is Severity.INFO and "7.5%" in spm.detail
    held = _assess(
        indication="mm_maintenance",
        therapy=_started(10, {"date": "2026-11-10", "event": "hold", "reason": "neutropenia"}),
    )
    assert SPM in {f.id for f in held.findings}
    on_combination = _assess(therapy=_started(25))
    assert SPM not in {f.id for f in on_combination.findings}
    stopped = _assess(
        indication="mm_maintenance",
        therapy=_started(10, {"date": "2026-11-10", "event": "stop"}),
    )
    assert SPM not in {f.id for f in stopped.findings}
