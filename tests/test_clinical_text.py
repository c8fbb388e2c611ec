"""What clinicians read: no internal file or module names, and no claim the facts file marks wrong.

Checked over every finding's summary and detail (and the dose reason, resume condition and
monitoring reasons) for every bundled example and for generated cases, and over the text of
every knowledge entry. Facts file §6 and the brief: lenalidomide's metabolism is limited, not
absent ("no phase I/II metabolism" is wrong); the digoxin study showed Cmax +14% with the AUC
not significantly changed (never "Cmax and AUC +14%").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from lenaguard.assess import Assessment, assess
from lenaguard.caseio import load_case
from lenaguard.knowledge import default_knowledge
from tests.golden.regenerate import EXAMPLES, TODAY
from tests.test_assess_properties import cases

KB = default_knowledge()

INTERNAL_NAME = re.compile(
    r"[\w-]+\.(?:ya?ml|py|json)\b"  # a file name: thrombosis.yaml, renal.py
    r"|\b(?:rules|knowledge|src|tests|docs)/"  # a repository path: rules/…, knowledge/data
    r"|\blenaguard\.(?:rules|knowledge|assess)\b",  # a module path
    re.IGNORECASE,
)
WRONG_CLAIMS = {
    "no phase I/II metabolism (facts §6)": re.compile(
        r"no phase i|undergoes no\b|\bno metabolism|is not metaboli[sz]ed", re.IGNORECASE
    ),
    "Cmax and AUC +14% (facts §6)": re.compile(r"cmax and auc", re.IGNORECASE),
    "CYP3A4 changes lenalidomide levels (facts §11.1)": re.compile(
        r"cyp3a4 (inhibitors?|inducers?) (raise|lower|increase|decrease)s? lenalidomide",
        re.IGNORECASE,
    ),
}


def clinical_texts(result: Assessment) -> Iterator[tuple[str, str]]:
    """(where, text) for every sentence a clinician reads in an assessment."""
    for finding in result.findings:
        yield f"{finding.id}.summary", finding.summary
        yield f"{finding.id}.detail", finding.detail
    if result.dose is not None:
        yield "dose.reason", result.dose.reason
        if result.dose.resume is not None:
            yield "dose.resume.when", result.dose.resume.when
    for item in result.monitoring:
        yield f"monitoring.{item.test}", item.reason


def problems(result: Assessment) -> list[str]:
    found = []
    for where, text in clinical_texts(result):
        match = INTERNAL_NAME.search(text)
        if match:
            found.append(f"{where}: internal name {match.group(0)!r} in {text!r}")
        for claim, pattern in WRONG_CLAIMS.items():
            if pattern.search(text):
                found.append(f"{where}: {claim} in {text!r}")
    return found


def all_knowledge_text() -> list[str]:
    """Every string in every knowledge topic (statements, wording, summaries)."""
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for topic in KB.topics.values():
        walk(topic.model_dump(mode="json"))
    return texts


def test_the_checks_catch_what_they_look_for():
    for bad in ("see thrombosis.yaml", "rules/safety/thrombosis.py", "in knowledge/data"):
        assert INTERNAL_NAME.search(bad), bad
    for fine in ("USPI §5.4", "CrCl 52.1 mL/min", "IMWG 2008", "rule starting_dose.label"):
        assert not INTERNAL_NAME.search(fine), fine
    assert WRONG_CLAIMS["no phase I/II metabolism (facts §6)"].search("undergoes no phase I")
    assert WRONG_CLAIMS["Cmax and AUC +14% (facts §6)"].search("Cmax and AUC rose 14%")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_texts_name_no_internal_file_and_repeat_no_wrong_claim(path: Path):
    result = assess(load_case(path, today=TODAY), KB)
    assert not problems(result)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_generated_case_texts_name_no_internal_file_and_repeat_no_wrong_claim(case):
    assert not problems(assess(case, KB))


def test_no_knowledge_text_repeats_a_wrong_claim_or_names_a_file():
    found = []
    for text in all_knowledge_text():
        for claim, pattern in WRONG_CLAIMS.items():
            if pattern.search(text):
                found.append(f"{claim}: {text!r}")
        match = INTERNAL_NAME.search(text)
        if match:
            found.append(f"internal name {match.group(0)!r}: {text!r}")
    assert not found, "\n".join(found)
