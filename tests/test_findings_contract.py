"""Findings as a public contract: card-sized summaries, and ids that docs/findings.md lists.

A finding becomes an HL7 CDS Hooks card, so its summary is one line under the card limit, and
its id, severity and evidence status are what EHR rules and users filter on. The tests read the
ids the rules' code can emit (tests/finding_ids.py), the findings the examples, generated cases
and the whole test session emit, and the document, and fail when they disagree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lenaguard.assess import assess
from lenaguard.caseio import load_case
from lenaguard.findings import Finding
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.base import SUMMARY_LIMIT, Citation, Status
from lenaguard.vocab import Category, Severity
from tests.finding_ids import (
    FINDINGS_DOC,
    SEEN_IN_SESSION,
    covers,
    documented,
    documenting,
    emittable,
    rows_for,
    static_ids,
)
from tests.golden.regenerate import EXAMPLES, TODAY
from tests.test_assess_properties import cases

KB = default_knowledge()
ROWS = documented()
CODE = static_ids()


def _card_problem(finding: Finding) -> str | None:
    summary = finding.summary
    if len(summary) >= SUMMARY_LIMIT or "\n" in summary or "\r" in summary:
        return f"{finding.id}: summary of {len(summary)} characters: {summary!r}"
    return None


def _contract_problems(finding_id: str, severity: Severity, status: Status) -> list[str]:
    row = documenting(finding_id, ROWS)
    if row is None:
        return [f"{finding_id}: not listed in docs/findings.md"]
    problems = []
    if severity not in row.severities:
        problems.append(f"{finding_id}: severity {severity.value} outside `{row.id}`'s range")
    if status not in row.statuses:
        problems.append(f"{finding_id}: status {status.value} not among `{row.id}`'s statuses")
    return problems


def _check(findings: list[Finding]) -> None:
    problems = [problem for f in findings if (problem := _card_problem(f)) is not None]
    for f in findings:
        problems += _contract_problems(f.id, f.severity, f.status)
    assert not problems, "\n".join(problems)


# --- the summary is card-sized --------------------------------------------------------------


def _finding(summary: str) -> Finding:
    return Finding(
        id="renal.band",
        category=Category.RENAL,
        severity=Severity.INFO,
        summary=summary,
        detail="",
        status=Status.LABEL,
        citations=[Citation(source="uspi", section="§2.6")],
    )


def test_a_summary_under_the_card_limit_is_accepted():
    assert _finding("x" * (SUMMARY_LIMIT - 1)).summary == "x" * (SUMMARY_LIMIT - 1)


@pytest.mark.parametrize(
    "summary", ["x" * SUMMARY_LIMIT, "two lines\nof summary", "a\r\nb", ""], ids=repr
)
def test_a_summary_that_does_not_fit_a_card_is_refused(summary):
    with pytest.raises(ValidationError, match="summary"):
        _finding(summary)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_emits_card_sized_documented_findings(path: Path):
    _check(assess(load_case(path, today=TODAY), KB).findings)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_generated_cases_emit_card_sized_documented_findings(case, verified_only):
    _check(assess(case, KB, verified_only=verified_only).findings)


# --- docs/findings.md and the code agree ------------------------------------------------------


def test_the_document_is_linked_from_the_readmes():
    root = FINDINGS_DOC.parents[1]
    assert "(findings.md)" in (FINDINGS_DOC.parent / "README.md").read_text()
    assert "(docs/findings.md)" in (root / "README.md").read_text()


def test_every_row_is_well_formed():
    ids = [row.id for row in ROWS]
    assert len(ids) > len(Category), "the tables of docs/findings.md were not read"
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    categories = {c.value for c in Category}
    problems = [
        row.id
        for row in ROWS
        if row.id.split(".", 1)[0] not in categories
        or not row.meaning
        or not row.severities
        or not row.statuses
    ]
    assert not problems, f"rows without a category, meaning, severity or status: {problems}"


def test_the_code_is_read():
    """The AST reader finds the makers: a refactoring that hides them must not pass silently."""
    found = {code.id for code in CODE}
    assert {"renal.band", "pregnancy.first_test_missing", "toxicity.<value>_interrupt"} <= found
    assert {code.id.split(".", 1)[0] for code in CODE} == {c.value for c in Category}


def test_every_id_the_code_can_emit_is_documented():
    missing = sorted({f"{c.id} ({c.where})" for c in CODE if not covers(ROWS, c.id)})
    assert not missing, "ids missing from docs/findings.md:\n" + "\n".join(missing)


def test_the_severities_written_in_the_code_are_documented():
    """Severities chosen in the code (not read from knowledge) fall in the documented range."""
    problems = sorted(
        f"{code.id} ({code.where}): {sorted(s.value for s in code.severities)} vs `{row.id}`"
        for code in CODE
        if code.severities is not None
        for row in rows_for(code.id, ROWS)
        if not code.severities <= row.severities
    )
    assert not problems, "\n".join(problems)


def test_every_documented_id_can_still_be_emitted():
    code_ids = {code.id for code in CODE}
    stale = [row.id for row in ROWS if not emittable(row, code_ids)]
    assert not stale, f"docs/findings.md lists ids the code no longer emits: {stale}"


@pytest.mark.findings_contract_last
def test_every_finding_of_this_test_session_is_documented():
    """What the whole session emitted (the rules tests' cases included) fits the document.

    conftest.py records every finding the rules build and runs this test last; run alone, it
    checks what this module's own tests emitted.
    """
    assert SEEN_IN_SESSION, "no finding was recorded: is tests/conftest.py installed?"
    problems = sorted(
        problem
        for finding_id, pairs in SEEN_IN_SESSION.items()
        for severity, status in pairs
        for problem in _contract_problems(finding_id, severity, status)
    )
    assert not problems, "\n".join(dict.fromkeys(problems))
