"""The user's evidence library on disk: ingested documents, their passages and the search index.

Layout of the index directory (the data directory's `evidence/`, or `--index DIR`):

    documents.json          the ingested documents (what `lenaguard corpus list` shows)
    passages/<id>.json      each document's passages
    index/                  the BM25 index over the knowledge statements and every passage,
                            its passages in index order, and the knowledge version it was built
                            for (a newer knowledge base rebuilds it on first use)

Ingestion is incremental: a file whose bytes are unchanged since it was ingested is skipped; a
changed file replaces its earlier passages.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
from pydantic import TypeAdapter

from lenaguard._version import __version__
from lenaguard.errors import EvidenceError
from lenaguard.evidence.corpus import knowledge_passages
from lenaguard.evidence.index import Index
from lenaguard.evidence.ingest.readers import FORMATS, read
from lenaguard.evidence.ingest.split import passages_of
from lenaguard.evidence.models import Document, Passage
from lenaguard.knowledge.base import EvidenceKind
from lenaguard.knowledge.loader import KnowledgeBase

_PASSAGES = TypeAdapter(list[Passage])
_DOCUMENTS = TypeAdapter(list[Document])
INDEX_FORMAT = 2


@dataclass
class IngestReport:
    added: list[Document] = field(default_factory=list)
    replaced: list[Document] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def passages(self) -> int:
        return sum(d.passages for d in self.added + self.replaced)


def document_id(origin: str) -> str:
    """A stable id for a document, from where it was read."""
    return hashlib.sha256(origin.encode()).hexdigest()[:12]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _stamp(target: Path) -> int | None:
    """When the saved index was last written (another process may have rebuilt it)."""
    try:
        return (target / "meta.json").stat().st_mtime_ns
    except OSError:
        return None


class Library:
    """An evidence library in `directory` for the knowledge base `kb`."""

    def __init__(self, directory: Path, kb: KnowledgeBase):
        self.directory = Path(directory)
        self.kb = kb
        self._index: Index | None = None
        self._index_stamp: int | None = None

    # documents -------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        path = self.directory / "documents.json"
        if not path.exists():
            return []
        return _DOCUMENTS.validate_json(path.read_bytes())

    def _save_documents(self, documents: Iterable[Document]) -> None:
        ordered = sorted(documents, key=lambda d: d.origin)
        _write_atomic(self.directory / "documents.json", _DOCUMENTS.dump_json(ordered, indent=1))

    def _document_passages(self, doc_id: str) -> list[Passage]:
        path = self.directory / "passages" / f"{doc_id}.json"
        return _PASSAGES.validate_json(path.read_bytes()) if path.exists() else []

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        kind: EvidenceKind = EvidenceKind.OTHER,
        progress: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Read each file, split it into passages and store them; rebuild the index once."""
        report = IngestReport()
        known = {d.id: d for d in self.documents()}
        for path in paths:
            path = Path(path)
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                allowed = ", ".join(sorted(FORMATS))
                raise EvidenceError(f"{path}: unknown file type; allowed: {allowed}")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise EvidenceError(f"{path}: cannot read: {exc.strerror}") from exc
            origin = str(path.resolve())
            doc_id = document_id(origin)
            digest = hashlib.sha256(data).hexdigest()
            earlier = known.get(doc_id)
            if earlier is not None and earlier.sha256 == digest and earlier.kind == kind:
                report.unchanged.append(origin)
            else:
                content = read(data, fmt)
                title = content.title or path.name
                passages = passages_of(doc_id, content, title=title, kind=kind, source=path.name)
                document = Document(
                    id=doc_id,
                    title=title,
                    kind=kind,
                    origin=origin,
                    date=content.date,
                    sha256=digest,
                    format=fmt,
                    passages=len(passages),
                )
                _write_atomic(
                    self.directory / "passages" / f"{doc_id}.json", _PASSAGES.dump_json(passages)
                )
                (report.replaced if earlier else report.added).append(document)
                known[doc_id] = document
            if progress is not None:
                progress(path)
        if report.added or report.replaced:
            self._save_documents(known.values())
            self.rebuild()
        return report

    def remove(self, ids_or_origins: Iterable[str]) -> list[Document]:
        """Remove documents by id or by the path they were read from; returns those removed."""
        wanted = set(ids_or_origins)
        wanted |= {str(Path(w).resolve()) for w in list(wanted)}
        documents = self.documents()
        removed = [d for d in documents if d.id in wanted or d.origin in wanted]
        if removed:
            for document in removed:
                (self.directory / "passages" / f"{document.id}.json").unlink(missing_ok=True)
            self._save_documents(d for d in documents if d not in removed)
            self.rebuild()
        return removed

    # index -----------------------------------------------------------------------------
    def passages(self) -> list[Passage]:
        """The knowledge statements, then every ingested document's passages."""
        found = knowledge_passages(self.kb)
        for document in self.documents():
            found.extend(self._document_passages(document.id))
        return found

    def rebuild(self) -> Index:
        """Build the index from the passages and save it."""
        index = Index.build(self.passages())
        target = self.directory / "index"
        staging = Path(tempfile.mkdtemp(dir=self.directory, prefix=".index."))
        index.retriever.save(str(staging), show_progress=False)
        (staging / "passages.json").write_bytes(_PASSAGES.dump_json(index.passages))
        (staging / "common.json").write_text(json.dumps(sorted(index.common)))
        meta = {
            "format": INDEX_FORMAT,
            "knowledge_version": self.kb.version,
            "lenaguard_version": __version__,
        }
        (staging / "meta.json").write_text(json.dumps(meta))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        self._index = index
        self._index_stamp = _stamp(target)
        return index

    def index(self) -> Index:
        """The saved index, or a new one when there is none or it is for other knowledge."""
        target = self.directory / "index"
        if self._index is not None and self._index_stamp == _stamp(target):
            return self._index
        try:
            meta = json.loads((target / "meta.json").read_text())
            current = (
                meta.get("format") == INDEX_FORMAT
                and meta.get("knowledge_version") == self.kb.version
                and meta.get("lenaguard_version") == __version__
            )
        except (OSError, ValueError):
            current = False
        if not current:
            self.directory.mkdir(parents=True, exist_ok=True)
            return self.rebuild()
        retriever = bm25s.BM25.load(str(target), show_progress=False)
        passages = _PASSAGES.validate_json((target / "passages.json").read_bytes())
        common = frozenset(json.loads((target / "common.json").read_text()))
        self._index = Index(passages, retriever, common)
        self._index_stamp = _stamp(target)
        return self._index


__all__ = ["IngestReport", "Library", "document_id"]
