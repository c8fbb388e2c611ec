"""Ingestion and the evidence library on disk: the only part of evidence/ that does file I/O."""

from lenaguard.evidence.ingest.library import IngestReport, Library, document_id
from lenaguard.evidence.ingest.readers import FORMATS

__all__ = ["FORMATS", "IngestReport", "Library", "document_id"]
