"""Ingestion: text, HTML without its furniture, PDF, passages with locations, incremental."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from lenaguard.errors import EvidenceError
from lenaguard.evidence.ingest.readers import read_html, read_text
from lenaguard.knowledge.base import EvidenceKind
from tests.evidence.conftest import sample_documents

PAGE = b"""<!doctype html><html><head><title>Living with lenalidomide</title>
<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<main><h1>Living with lenalidomide</h1>
<p>Take the capsule at the same time each day and swallow it whole.</p>
<div class="share-buttons"><a>Share on Facebook</a><a>Tweet</a></div>
<h2>Blood clots</h2>
<p>Leg swelling or chest pain needs care at once.</p>
<section class="related-articles"><h3>Related articles</h3><ul><li>Ten tips for travel</li></ul></section>
<h3>Related</h3><ul><li>Another story about diets</li></ul>
</main><footer>Copyright 2024 Example Foundation</footer>
<script>var tracking = 1;</script></body></html>"""


def test_html_keeps_the_text_by_heading_and_drops_the_page_furniture():
    document = read_html(PAGE)
    text = " ".join(p for s in document.sections for p in s.paragraphs)
    assert document.title == "Living with lenalidomide"
    assert document.date == "2024-05-02"
    assert "swallow it whole" in text and "chest pain" in text
    for furniture in (
        "Home",
        "cookies",
        "Share on",
        "Tweet",
        "Ten tips",
        "diets",
        "Copyright",
        "tracking",
    ):
        assert furniture not in text, furniture
    blood_clots = next(s for s in document.sections if s.locator == "Blood clots")
    assert blood_clots.paragraphs == ["Leg swelling or chest pain needs care at once."]


def test_saved_web_text_loses_its_share_line_and_cookie_notice():
    document = read_text(sample_documents()[1].read_text(encoding="utf-8"))
    text = " ".join(p for s in document.sections for p in s.paragraphs)
    assert "Share on" not in text and "cookies" not in text
    assert "neutropenia" in text
    assert document.title != "Share on"


def test_markdown_headings_locate_passages(library, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Clinic notes\n\n## Renal dosing\n\nCheck the creatinine clearance first.\n")
    library.ingest([path], kind=EvidenceKind.REVIEW)
    passages = [p for p in library.passages() if p.document]
    assert [(p.locator, p.text, p.kind) for p in passages] == [
        ("Renal dosing", "Check the creatinine clearance first.", EvidenceKind.REVIEW)
    ]


def test_a_pdf_is_read_page_by_page(library, tmp_path):
    pdf = FPDF()
    pdf.set_title("Thrombosis handout")
    for text in ("Aspirin is the usual prophylaxis at low risk.", "Enoxaparin at higher risk."):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    path = tmp_path / "handout.pdf"
    pdf.output(str(path))
    report = library.ingest([path])
    assert report.added[0].title == "Thrombosis handout"
    assert report.added[0].format == "pdf"
    passages = [p for p in library.passages() if p.document]
    assert [(p.locator, p.text) for p in passages] == [
        ("page 1", "Aspirin is the usual prophylaxis at low risk."),
        ("page 2", "Enoxaparin at higher risk."),
    ]


def test_a_broken_pdf_is_refused_by_name(library, tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(EvidenceError):
        library.ingest([path])


def test_re_ingesting_an_unchanged_file_does_nothing_and_a_changed_one_replaces_it(
    library, tmp_path
):
    path = tmp_path / "note.txt"
    path.write_text("Renal dosing\n\nLenalidomide is cleared by the kidneys.\n")
    first = library.ingest([path])
    index_mtime = (library.directory / "index" / "meta.json").stat().st_mtime_ns
    again = library.ingest([path])
    assert len(first.added) == 1 and again.unchanged == [str(path.resolve())]
    assert not again.added and not again.replaced
    assert (library.directory / "index" / "meta.json").stat().st_mtime_ns == index_mtime
    path.write_text("Renal dosing\n\nThe dose follows the creatinine clearance.\n")
    changed = library.ingest([path])
    assert len(changed.replaced) == 1
    texts = [p.text for p in library.passages() if p.document]
    assert texts == ["The dose follows the creatinine clearance."]
    assert len(library.documents()) == 1


def test_removing_a_document_removes_its_passages(library, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("A note on digoxin levels.\n")
    document = library.ingest([path]).added[0]
    assert library.remove([document.id]) == [document]
    assert library.documents() == []
    assert not [p for p in library.index().passages if p.document]


def test_an_unknown_file_type_is_refused(library, tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(EvidenceError, match="unknown file type"):
        library.ingest([path])


def test_the_sample_documents_ingest_with_locations(sample_library):
    documents = sample_library.documents()
    assert len(documents) == 4
    passages = [p for p in sample_library.passages() if p.document]
    assert all(p.text.strip() for p in passages)
    assert any(p.locator == "Key Considerations" for p in passages)
