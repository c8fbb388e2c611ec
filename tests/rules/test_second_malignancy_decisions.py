"""The second-primary-malignancy finding pinned whole (issue 7): when it is given (before the
first dose; on maintenance), its severity and summary for each, its detail with the figures of
the setting, and its inputs.

Written against the mutants that survived `python benchmarks/mutation.py second_malignancy`
(see docs/mutation.md). Facts §3 (USPI §5.6): second primary malignancies are reported; in
maintenance after transplant hematologic second cancers were 7.5% with lenalidomide versus 3.3%
without; in myeloma AML/MDS 5.3% with oral melphalan, up to 5.2% after high-dose melphalan and
transplant, versus 0.4% with lenalidomide and dexamethasone.
"""

from __future__ import annotations

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.rules.dose.second_malignancy import second_malignancy_findings
from lenaguard.vocab import Severity
from tests.factories import make_case

KB = default_knowledge()
SPM = KB.get(OtherToxicityKnowledge).second_primary_malignancies
BEFORE_START = (
    "Second cancers: weigh lenalidomide's benefit against the risk of second primary "
    "malignancies, and monitor for them."
)
MAINTENANCE = "Hematologic second cancers: 7.5% with lenalidomide versus 3.3% without."
MYELOMA = (
    "AML and MDS: 5.3% with oral melphalan, up to 5.2% soon after high-dose melphalan and "
    "transplant, versus 0.4% with lenalidomide and dexamethasone."
)


def finding(indication: str, **case):
    (found,) = second_malignancy_findings(make_case(indication=indication, **case), KB)
    return found


def test_before_the_first_dose_of_maintenance_every_figure_is_given():
    found = finding("mm_maintenance")
    assert (found.severity, found.summary) == (Severity.WARNING, BEFORE_START)
    assert found.detail == (
        f"{SPM.counselling.text} {SPM.maintenance.text} {MAINTENANCE} "
        f"{SPM.myeloma_settings.text} {MYELOMA}"
    )
    assert found.inputs == {"indication": "mm_maintenance", "course_status": "not_started"}


def test_on_maintenance_the_finding_is_a_reminder_to_monitor():
    found = finding(
        "mm_maintenance",
        therapy={"events": [{"date": "2026-10-01", "event": "start", "dose_mg": 10}]},
    )
    assert found.severity is Severity.INFO
    assert found.summary == (
        "Maintenance: monitor for second primary malignancies, more frequent on lenalidomide."
    )
    assert found.inputs == {"indication": "mm_maintenance", "course_status": "active"}


def test_outside_myeloma_only_the_counselling_is_given():
    found = finding("mcl")
    assert found.detail == SPM.counselling.text
    assert found.inputs == {"indication": "mcl", "course_status": "not_started"}
