from __future__ import annotations

from pathlib import Path

import pytest

from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import default_knowledge

# copied from the project's shared fixtures (tests/fixtures/README.md), so a clean checkout runs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_DOCUMENTS = FIXTURES / "documents"


def sample_documents() -> list[Path]:
    found = sorted(SAMPLE_DOCUMENTS.glob("*.txt"))
    assert len(found) == 4, f"the four sample documents are expected in {SAMPLE_DOCUMENTS}"
    return found


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "evidence", default_knowledge())


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory) -> Library:
    library = Library(tmp_path_factory.mktemp("samples"), default_knowledge())
    library.ingest(sample_documents())
    return library
