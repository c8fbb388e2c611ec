"""The built-in corpus: every knowledge statement as a passage, with its sources and status."""

from __future__ import annotations

from lenaguard.evidence.models import Passage
from lenaguard.knowledge.loader import KnowledgeBase
from lenaguard.knowledge.statements import entry_kind, statements
from lenaguard.knowledge.topics.sources import Bibliography

KNOWLEDGE_PREFIX = "kb:"


def knowledge_passages(kb: KnowledgeBase) -> list[Passage]:
    """One passage per knowledge statement, titled by its first source and located by its
    citations' sections."""
    bibliography = kb.get(Bibliography)
    kinds = {source.id: source.kind.value for source in bibliography.sources}
    passages = []
    for name, topic in sorted(kb.topics.items()):
        for path, entry, text in statements(topic):
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
                )
            )
    return passages
