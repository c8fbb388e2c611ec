"""docs/fhir-mapping.md is generated from the code that maps: it fails here when stale."""

from __future__ import annotations

from pathlib import Path

from lenaguard.interop.fhir.table import mapping_markdown
from lenaguard.knowledge import default_knowledge
from tests.cli.runner import run

DOC = Path(__file__).resolve().parents[2] / "docs" / "fhir-mapping.md"


def test_the_mapping_document_is_current():
    expected = mapping_markdown(default_knowledge())
    assert DOC.read_text() == expected, (
        "docs/fhir-mapping.md is stale: run `lenaguard fhir mapping-table > docs/fhir-mapping.md`"
    )


def test_the_command_prints_the_document(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "fhir", "mapping-table")
    assert code == 0 and out == DOC.read_text()


def test_the_document_shows_the_knowledge_it_maps_with():
    text = DOC.read_text()
    assert "`2160-0`, `38483-4`, `14682-9`" in text  # creatinine, from labs.yaml
    assert "| `643720` | 25 |" in text  # a capsule strength, from fhir.yaml
    assert "`C90.0`" in text
