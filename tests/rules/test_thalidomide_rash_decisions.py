"""The prior-thalidomide-rash findings pinned whole (issue 7): the warning before the first dose
and during treatment (each with its own timing words and inputs), the request for the history
before the first dose, and nothing once treatment is under way or the answer is no.

Written against the mutants that survived `python benchmarks/mutation.py thalidomide_rash` (see
docs/mutation.md). Facts §3: the label advises against lenalidomide after a grade 4 rash on
thalidomide (USPI §5.9), a warning and not a contraindication.
"""

from __future__ import annotations

import pytest

from lenaguard.findings import RecordField
from lenaguard.knowledge import default_knowledge
from lenaguard.rules.dose.thalidomide_rash import prior_thalidomide_rash_findings
from lenaguard.vocab import Severity
from tests.factories import make_case

KB = default_knowledge()
FIELD = "prior_thalidomide_grade4_rash"


def findings(value, *, started: bool) -> list:
    case = make_case(conditions={FIELD: value})
    return prior_thalidomide_rash_findings(case, KB, started=started)


@pytest.mark.parametrize(
    ("started", "timing"),
    [
        (False, "Before the first dose: record the decision"),
        (True, "Treatment is under way: record the decision to continue"),
    ],
)
def test_a_recorded_rash_warns_with_the_timing_of_the_decision(started, timing):
    (finding,) = findings(True, started=started)
    assert finding.id == "toxicity.prior_thalidomide_grade4_rash"
    assert (finding.severity, finding.blocking) == (Severity.WARNING, False)
    assert finding.detail.endswith(
        f"and watch the skin closely. {timing} (USPI §5.9 (prior grade 4 rash on thalidomide); "
        f"case: conditions.{FIELD})."
    )
    assert finding.inputs == {FIELD: True, "course_started": started}


def test_an_unknown_history_is_asked_for_before_the_first_dose_only():
    (finding,) = findings(None, started=False)
    assert finding.id == f"input.{FIELD}_unknown"
    assert finding.severity is Severity.INFO
    assert finding.summary == f"Not recorded: conditions.{FIELD}."
    assert finding.inputs == {FIELD: None}
    assert finding.remedy == RecordField(field=f"conditions.{FIELD}")
    assert findings(None, started=True) == []
    assert findings(False, started=False) == []
