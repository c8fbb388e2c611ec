"""Loading and validating the knowledge base.

Each knowledge file `data/<topic>.yaml` has a pydantic model in `topics/<topic>.py`, registered
with `@register`. Loading validates every file against its model and checks that every
citation points at an entry of the bibliography; any problem raises `KnowledgeError` naming the
file and the field, so a malformed file can never load half-way.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from lenaguard.errors import KnowledgeError
from lenaguard.knowledge.base import Topic
from lenaguard.knowledge.registry import registered_topics

DATA_DIR = Path(__file__).parent / "data"
KNOWLEDGE_VERSION_LENGTH = 12
"""Hex digits of the knowledge content hash shown as `knowledge_version`."""


T = TypeVar("T", bound=Topic)

# libyaml's loader when PyYAML was built with it (several times faster), else the pure one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _import_topic_models() -> dict[str, type[Topic]]:
    from lenaguard.knowledge import topics

    for module in pkgutil.iter_modules(topics.__path__):
        importlib.import_module(f"{topics.__name__}.{module.name}")
    return registered_topics()


def _format_error(path: Path, error: ValidationError) -> str:
    lines = [f"{path.name}: {error.error_count()} problem(s)"]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{path.name}: file not found in {path.parent}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc


def load_topic(model: type[T], name: str, directory: Path = DATA_DIR) -> T:
    """Read and validate one knowledge file against its model."""
    path = directory / f"{name}.yaml"
    raw = _read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(_format_error(path, exc)) from exc


def _files_version(directory: Path, names: list[str]) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (directory / f"{name}.yaml").read_bytes() + b"\0")
    return digest.hexdigest()[:KNOWLEDGE_VERSION_LENGTH]


class KnowledgeBase:
    """All knowledge files, validated, with typed access by model class."""

    def __init__(self, topics: dict[str, Topic], *, version: str | None = None):
        self._topics = topics
        self._by_model = {type(topic): topic for topic in topics.values()}
        self._version = version

    @property
    def version(self) -> str:
        """A content hash of the knowledge data: the same files give the same version.

        Loaded knowledge hashes its data files' bytes (cheap, and any edit shows); a knowledge
        base built in memory hashes its topics' canonical JSON. Every assessment carries it,
        so a decision can be traced to the exact rules that made it.
        """
        if self._version is None:
            digest = hashlib.sha256()
            for name in sorted(self._topics):
                content = self._topics[name].model_dump(mode="json")
                digest.update(json.dumps([name, content], sort_keys=True).encode())
            self._version = digest.hexdigest()[:KNOWLEDGE_VERSION_LENGTH]
        return self._version

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> KnowledgeBase:
        """Load every registered topic from `directory`; raise KnowledgeError on any problem."""
        models = _import_topic_models()
        loaded = {name: load_topic(model, name, directory) for name, model in models.items()}
        for name, topic in loaded.items():
            if topic.topic != name:
                raise KnowledgeError(
                    f"{name}.yaml: field 'topic' is {topic.topic!r}, expected {name!r}"
                )
        kb = cls(loaded, version=_files_version(directory, sorted(loaded)))
        kb._check_citations()
        return kb

    def _check_citations(self) -> None:
        from lenaguard.knowledge.topics.sources import Bibliography

        known = self.get(Bibliography).ids()
        problems = [
            f"{name}.yaml: {path}: cites unknown source {citation.source!r}"
            for name, topic in self._topics.items()
            for path, entry in topic.cited_entries()
            for citation in entry.cite
            if citation.source not in known
        ]
        if problems:
            raise KnowledgeError("\n".join(problems))

    def get(self, model: type[T]) -> T:
        """The loaded topic whose model is `model`."""
        try:
            return self._by_model[model]  # type: ignore[return-value]
        except KeyError as exc:
            raise KnowledgeError(f"no knowledge topic for {model.__name__}") from exc

    def topic(self, name: str) -> Topic:
        """The loaded topic called `name`."""
        try:
            return self._topics[name]
        except KeyError as exc:
            allowed = ", ".join(sorted(self._topics))
            raise KnowledgeError(f"unknown topic {name!r}; allowed: {allowed}") from exc

    @property
    def topics(self) -> dict[str, Topic]:
        return dict(self._topics)


@cache
def default_knowledge() -> KnowledgeBase:
    """The knowledge base shipped with the package, loaded once per process."""
    return KnowledgeBase.load()
