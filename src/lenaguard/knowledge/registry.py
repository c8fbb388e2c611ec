"""The registry of knowledge topics: which model validates which data file.

Kept apart from the loader so that topic modules (the bibliography among them) can register
themselves without importing the loader, and the loader can import them without a circle.
"""

from __future__ import annotations

from typing import TypeVar

from lenaguard.errors import KnowledgeError
from lenaguard.knowledge.base import Topic

T = TypeVar("T", bound=Topic)

_REGISTRY: dict[str, type[Topic]] = {}


def register(name: str):
    """Class decorator: `name` is the topic id and the stem of its YAML file."""

    def decorate(model: type[T]) -> type[T]:
        if name in _REGISTRY and _REGISTRY[name] is not model:
            raise KnowledgeError(f"topic {name!r} registered twice")
        _REGISTRY[name] = model
        return model

    return decorate


def registered_topics() -> dict[str, type[Topic]]:
    """Every topic model registered so far, by topic id."""
    return dict(_REGISTRY)
