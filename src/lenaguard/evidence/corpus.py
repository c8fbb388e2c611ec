"""The built-in corpus: every knowledge statement as a passage, with its sources and status."""

from __future__ import annotations

from lenaguard.evidence.models import Passage
from lenaguard.knowledge.loader import KnowledgeBase
from lenaguard.knowledge.statements import entry_kind, statements
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.sources import Bibliography

KNOWLEDGE_PREFIX = "kb:"


def knowledge_passages(kb: KnowledgeBase) -> list[Passage]:
    """One passage per knowledge statement, titled by its first source and located by its
    citations' sections."""
    bibliography = kb.get(Bibliography)
    kinds = {source.id: source.kind.value for source in bibliography.sources}
    passages = []
    indications = {
        key: entry.name for key, entry in kb.get(IndicationsKnowledge).indications.items()
    }
    for name, topic in sorted(kb.topics.items()):
        named = {
            path: getattr(entry, "name", None) or getattr(entry, "label", None)
            for path, entry in topic.cited_entries()
        }
        for path, entry, text in statements(topic):
            if not type(entry).in_corpus:
                continue
            first = bibliography.by_id(entry.cite[0].source)
            passages.append(
                Passage(
                    id=KNOWLEDGE_PREFIX + path,
                    text=text,
                    title=first.title,
                    source=first.short_name,
                    kind=entry_kind(entry, kinds),
                    locator="; ".join(
                        f"{bibliography.by_id(c.source).short_name} {c.section}" for c in entry.cite
                    ),
                    status=entry.status,
                    citations=list(entry.cite),
                    entry=path,
                    topic=name,
                    context=_context(path, named, indications),
                )
            )
    return passages


def _context(path: str, named: dict[str, str | None], indications: dict[str, str]) -> str:
    """The names of the entries above this one and of the indications its path names:
    "dose_modification.indications.mm_combination.rows[0]" is about multiple myeloma. (The
    topic's title is left out: it lists every subject of the file, so it would match them all.)"""
    words: list[str] = []
    parts = path.split(".")
    for end in range(1, len(parts)):
        above = ".".join(parts[:end])
        if isinstance(named.get(above), str):
            words.append(named[above])
    for part in parts:
        key = part.split("[")[0]
        if key in indications:
            words.append(indications[key])
    return " ".join(words)
