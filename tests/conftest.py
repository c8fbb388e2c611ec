"""Session-wide test machinery: a record of every finding the rules build while the tests run.

docs/findings.md is the public list of finding ids. Every test that runs the rules adds what
they emitted to `SEEN_IN_SESSION`; the test marked `findings_contract_last` runs after all the
others and checks the whole record against the document, so the rules tests' cases serve as a
broad sample of what lenaguard can say.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import lenaguard.interop
import lenaguard.rules
from lenaguard.findings import FindingMaker
from tests.finding_ids import SEEN_IN_SESSION

_MARKER = "findings_contract_last"
_RULES = str(Path(lenaguard.rules.__file__).parent)
_INTEROP = str(Path(lenaguard.interop.__file__).parent)
_FINDINGS = sys.modules[FindingMaker.__module__].__file__
_original = FindingMaker.with_citations


def _built_by_the_rules() -> bool:
    """Whether the maker was called from src/lenaguard/rules or interop (the FHIR mapping's
    notes); tests build findings of their own."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == _FINDINGS:
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith((_RULES, _INTEROP))


def _recording(self: FindingMaker, **kwargs):  # type: ignore[no-untyped-def]
    finding = _original(self, **kwargs)
    if _built_by_the_rules():
        SEEN_IN_SESSION.setdefault(finding.id, set()).add((finding.severity, finding.status))
    return finding


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}: runs after every other test (it reads what they recorded)"
    )
    FindingMaker.with_citations = _recording  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    FindingMaker.with_citations = _original  # type: ignore[method-assign]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the tests that read the session's record to the end, whatever the order given."""
    items.sort(key=lambda item: item.get_closest_marker(_MARKER) is not None)
