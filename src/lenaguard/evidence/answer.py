"""Answers: "From the Guidelines" and "From the Research", each sentence with numbered
citations, composed from the passages a search found.

Composition sits behind the small `Composer` protocol so that a generator could be added later.
The composer shipped here is extractive: every sentence of an answer is a sentence of the
passage it cites, so each citation holds the support for its sentence; a passage that shares
no subject term with the question is never cited, and when none is left the answer abstains
instead of padding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from lenaguard.evidence.index import Hit, Query
from lenaguard.evidence.models import (
    GUIDELINE_KINDS,
    Answer,
    AnswerSentence,
    CaseAnswer,
    Conflict,
    Passage,
    Reference,
)
from lenaguard.knowledge.base import Status

if TYPE_CHECKING:
    from lenaguard.assess import Assessment

RELATIVE_CUTOFF = 0.4
"""A passage is cited only if it scores at least this share of the best passage's score."""
PER_SECTION = 5
"""At most this many sentences under each heading."""
SENTENCES_PER_PASSAGE = 2
PER_FAMILY = {"list": 2, "document": 3}
"""At most this many passages from one knowledge list (the items of one score, the permanent
stops) or from one ingested document, so that one source does not crowd out the others."""
WEAK_STATUSES = frozenset({Status.SECONDARY, Status.UNVERIFIED})

ABSTENTION = (
    "The lenaguard knowledge base and the ingested documents hold nothing on this question, so "
    "there is no cited answer to give."
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'“])")
_BULLET = re.compile(r"^([-*•+]|\d+[.)])\s+")


def sentences(text: str) -> list[str]:
    """Sentences of a passage: its lines (paragraphs, list items) split after a full stop,
    question or exclamation mark followed by a capital; list bullets dropped."""
    found = []
    for line in text.split("\n"):
        line = _BULLET.sub("", " ".join(line.split()))
        found += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return found


class Composer(Protocol):
    """Turns a question and the passages found for it into an answer."""

    def compose(
        self, query: Query, hits: Sequence[Hit], conflicts: Sequence[Conflict]
    ) -> Answer: ...


class _References:
    """Numbers passages in order of first citation."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._passages: dict[str, Passage] = {}

    def cite(self, passage: Passage) -> int:
        if passage.id not in self._numbers:
            self._numbers[passage.id] = len(self._numbers) + 1
            self._passages[passage.id] = passage
        return self._numbers[passage.id]

    def listed(self) -> list[Reference]:
        return [
            Reference(
                n=n,
                title=self._passages[pid].title,
                source=self._passages[pid].source,
                kind=self._passages[pid].kind,
                locator=self._passages[pid].locator,
                passage=pid,
            )
            for pid, n in self._numbers.items()
        ]


def _best_sentences(hit: Hit, limit: int) -> list[str]:
    """The passage's sentences that share the most subject terms with the question, in order."""
    from lenaguard.evidence.index import _tokens

    found = sentences(hit.passage.text)
    if len(found) <= limit:
        return found
    scored = [
        (len(hit.matched & set(_tokens([sentence])[0])), -i, sentence)
        for i, sentence in enumerate(found)
    ]
    chosen = sorted(scored, reverse=True)[:limit]
    chosen = [c for c in chosen if c[0] > 0] or chosen[:1]
    return [sentence for _, _, sentence in sorted(chosen, key=lambda c: -c[1])]


def relevant_hits(hits: Sequence[Hit], ignore: frozenset[str] = frozenset()) -> list[Hit]:
    """Hits that share a subject term (beyond `ignore`) and score near the best one."""
    kept = [hit for hit in hits if hit.matched - ignore]
    if not kept:
        return []
    best = max(hit.score for hit in kept)
    return [hit for hit in kept if hit.score >= RELATIVE_CUTOFF * best]


class ExtractiveComposer:
    """Answers with the passages' own sentences; never writes a sentence of its own."""

    def compose(
        self, query: Query, hits: Sequence[Hit], conflicts: Sequence[Conflict] = ()
    ) -> Answer:
        if not hits:
            return abstention(query.question)
        chosen: dict[bool, list[tuple[Hit, str]]] = {True: [], False: []}
        seen: set[str] = set()
        families: dict[tuple[str, str], int] = {}
        for hit in hits:
            section = chosen[hit.passage.kind in GUIDELINE_KINDS]
            family = _family(hit.passage)
            if len(section) >= PER_SECTION or families.get(family, 0) >= PER_FAMILY[family[0]]:
                continue
            texts = [s for s in _best_sentences(hit, SENTENCES_PER_PASSAGE) if _key(s) not in seen]
            if texts:
                families[family] = families.get(family, 0) + 1
                seen.update(_key(s) for s in texts)
                section.append((hit, " ".join(texts)))
        references = _References()  # numbered in reading order: guidelines, then research
        sections = {
            part: [
                AnswerSentence(
                    text=text,
                    citations=[references.cite(hit.passage)],
                    status=hit.passage.status if hit.passage.status in WEAK_STATUSES else None,
                )
                for hit, text in chosen[part]
            ]
            for part in (True, False)
        }
        guidelines, research = sections[True], sections[False]
        return Answer(
            question=query.question,
            summary=_summary(guidelines, research),
            guidelines=guidelines,
            research=research,
            references=references.listed(),
            conflicts=list(conflicts),
            abstained=False,
        )


def _family(passage: Passage) -> tuple[str, str]:
    if passage.document is not None:
        return ("document", passage.document)
    return ("list", re.sub(r"\[\d+\]$", "", passage.entry or passage.id))


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower()).strip()


def _summary(guidelines: list[AnswerSentence], research: list[AnswerSentence]) -> str:
    """One paragraph: the first sentence of each part, with its citation numbers."""
    parts = []
    for sentence in (guidelines[:1] or []) + (research[:1] or []):
        first = sentences(sentence.text)[0]
        marks = "".join(f"[{n}]" for n in sentence.citations)
        parts.append(f"{first.rstrip('.')} {marks}.")
    return " ".join(parts)


def abstention(question: str) -> Answer:
    return Answer(
        question=question,
        summary=ABSTENTION,
        guidelines=[],
        research=[],
        references=[],
        conflicts=[],
        abstained=True,
    )


def case_answer(assessment: Assessment) -> CaseAnswer:
    """What the rules decided for the case (`--case`): readiness, the dose and the actions."""
    dose = assessment.dose
    if dose is None:
        dose_text = "no dose decision (see the actions)"
    else:
        amount = f" {dose.dose_mg:g} mg" if dose.dose_mg is not None else ""
        dose_text = f"{dose.action.value}{amount}: {dose.reason}"
    return CaseAnswer(
        readiness=assessment.readiness.value,
        ready_to_prescribe=assessment.ready_to_prescribe,
        dose=dose_text,
        actions=[action.text for action in assessment.actions],
    )
