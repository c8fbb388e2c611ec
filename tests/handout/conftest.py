"""Shared helpers for the handout tests: examples read as the CLI reads them, and the text a
reader sees on a rendered handout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from lenaguard.assess import assess
from lenaguard.case_input import read_case_input
from lenaguard.handout import build_handout, contact_for
from lenaguard.knowledge import default_knowledge

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TODAY = dt.date(2026, 11, 20)


def visible_text(html: str) -> str:
    """The words a reader sees: no head, style or script, nothing hidden."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["head", "style", "script", "title"]):
        tag.decompose()
    for tag in soup.select("[hidden], [aria-hidden=true]"):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


@pytest.fixture(scope="session")
def kb():
    return default_knowledge()


@pytest.fixture
def handout_of(kb):
    """`handout_of(text_or_path, contact=…)` → (case, assessment, handout)."""

    def make(source, contact=None):
        text = source.read_text() if isinstance(source, Path) else source
        case, notes = read_case_input(text, today=TODAY, kb=kb, source="case")
        assessment = assess(case, kb, notes=notes)
        contact = contact or contact_for("Demo Oncology Clinic", "555-0100")
        return case, assessment, build_handout(assessment, case, kb, contact)

    return make
