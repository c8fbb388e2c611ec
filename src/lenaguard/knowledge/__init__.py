"""lenaguard's clinical knowledge: versioned, cited YAML files validated by pydantic models."""

from lenaguard.errors import KnowledgeError
from lenaguard.knowledge.base import (
    Citation,
    Cited,
    CitedText,
    Frozen,
    Status,
    Topic,
    merge_citations,
    weakest,
)
from lenaguard.knowledge.loader import KnowledgeBase, default_knowledge
from lenaguard.knowledge.registry import register

__all__ = [
    "Citation",
    "Cited",
    "CitedText",
    "Frozen",
    "KnowledgeBase",
    "KnowledgeError",
    "Status",
    "Topic",
    "default_knowledge",
    "merge_citations",
    "register",
    "weakest",
]
