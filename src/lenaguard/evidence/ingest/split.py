"""Splitting a read document into passages that each keep their location."""

from __future__ import annotations

from lenaguard.evidence.ingest.readers import ReadDocument
from lenaguard.evidence.models import Passage
from lenaguard.knowledge.base import EvidenceKind

PASSAGE_CHARACTERS = 700
"""Paragraphs are joined into passages of about this length, never across a heading or page."""


def passages_of(
    doc_id: str, document: ReadDocument, *, title: str, kind: EvidenceKind, source: str
) -> list[Passage]:
    passages: list[Passage] = []
    for section in document.sections:
        chunk: list[str] = []
        size = 0
        for paragraph in section.paragraphs:
            if chunk and size + len(paragraph) > PASSAGE_CHARACTERS:
                passages.append(_passage(doc_id, len(passages), chunk, section.locator))
                chunk, size = [], 0
            chunk.append(paragraph)
            size += len(paragraph) + 1
        if chunk:
            passages.append(_passage(doc_id, len(passages), chunk, section.locator))
    return [p.model_copy(update={"title": title, "kind": kind, "source": source}) for p in passages]


def _passage(doc_id: str, number: int, paragraphs: list[str], locator: str) -> Passage:
    return Passage(
        id=f"{doc_id}#{number + 1}",
        text="\n".join(paragraphs),
        title="",
        source="",
        kind=EvidenceKind.OTHER,
        locator=locator,
        document=doc_id,
    )
