"""Conflicts: passages of ingested documents whose numbers or claims disagree with the
knowledge base (filled in by the conflict checks)."""

from __future__ import annotations

from collections.abc import Sequence

from lenaguard.evidence.index import Hit
from lenaguard.evidence.models import Conflict
from lenaguard.knowledge.loader import KnowledgeBase


def find_conflicts(hits: Sequence[Hit], kb: KnowledgeBase) -> list[Conflict]:
    return []
