"""The assessment of every bundled example equals its reviewed golden JSON.

A refactoring must not change a clinical result. The version fields are left out of the
comparison (they change with every release and knowledge edit), and so are the summary and
detail of findings whose golden summary was too long for a CDS Hooks card: those were
shortened on purpose, with the long part moved to the detail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.regenerate import EXAMPLES, GOLDEN, assessment_json

SUMMARY_LIMIT = 140
VERSION_FIELDS = ("lenaguard_version", "knowledge_version")
CASES = sorted(EXAMPLES.glob("*.yaml"))


def _normalised(data: dict, long_summaries: set[str]) -> dict:
    data = {key: value for key, value in data.items() if key not in VERSION_FIELDS}
    findings = []
    for finding in data.get("findings", []):
        if finding["id"] in long_summaries:
            finding = {k: v for k, v in finding.items() if k not in ("summary", "detail")}
        findings.append(finding)
    return {**data, "findings": findings}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_example_matches_golden(path: Path):
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text())
    long_summaries = {
        f["id"] for f in golden.get("findings", []) if len(f["summary"]) >= SUMMARY_LIMIT
    }
    current = json.loads(json.dumps(assessment_json(path)))
    assert _normalised(current, long_summaries) == _normalised(golden, long_summaries)


def test_every_example_has_a_golden_file():
    assert {p.stem for p in CASES} == {p.stem for p in GOLDEN.glob("*.json")}
