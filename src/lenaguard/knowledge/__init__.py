"""lenaguard's clinical knowledge: versioned, cited YAML files validated by pydantic models."""

from lenaguard.knowledge.base import Citation, Cited, Status, Topic, merge_citations, weakest
from lenaguard.knowledge.loader import (
    KnowledgeBase,
    KnowledgeError,
    default_knowledge,
    register,
)

__all__ = [
    "Citation",
    "Cited",
    "KnowledgeBase",
    "KnowledgeError",
    "Status",
    "Topic",
    "default_knowledge",
    "merge_citations",
    "register",
    "weakest",
]
