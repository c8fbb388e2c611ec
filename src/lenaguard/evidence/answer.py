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
from lenaguard.knowledge.base import Status, weakest

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

PADDING = re.compile(
    r"\bno (?:direct |specific )?(?:studies|evidence|data)\b"
    r"|\bamong the (?:provided|available|given) (?:evidence|studies|sources)\b"
    r"|\b(?:do|does|did) not (?:mention|address|discuss)\b"
    r"|\b(?:the|these|those) (?:studies|sources|articles) (?:also )?(?:discuss|suggest|highlight)",
    re.IGNORECASE,
)
"""Sentences about the evidence rather than the subject ("there are no direct studies … among
the provided evidence"; "they do not mention the drug"): padding, never quoted."""

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

    found = [s for s in sentences(hit.passage.text) if not PADDING.search(s)]
    if hit.passage.is_knowledge and len(found) <= limit:
        return found  # a statement is said whole
    scored = [
        (len(hit.matched & set(_tokens([sentence])[0])), -i, sentence)
        for i, sentence in enumerate(found)
    ]
    # a document's sentence is quoted only when it shares a subject word with the question
    chosen = [c for c in sorted(scored, reverse=True)[:limit] if c[0] > 0]
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
        # part (guidelines?) → [(sentence text, its passages)]; a sentence two passages share
        # (the same table row for two indications) is written once and cites both
        chosen: dict[bool, list[tuple[str, list[Passage]]]] = {True: [], False: []}
        where: dict[str, tuple[bool, int]] = {}
        # a sentence that disagrees with the knowledge base is shown under conflicts, beside
        # the knowledge's version, and not quoted as evidence
        refuted = {_key(conflict.claim.text) for conflict in conflicts}
        families: dict[tuple[str, str], int] = {}
        for hit in hits:
            part = hit.passage.kind in GUIDELINE_KINDS
            section = chosen[part]
            family = _family(hit.passage)
            if families.get(family, 0) >= PER_FAMILY[family[0]]:
                continue
            texts = []
            for sentence in _best_sentences(hit, SENTENCES_PER_PASSAGE):
                key = _key(sentence)
                if key in refuted:
                    continue
                if key in where:
                    shared_part, position = where[key]
                    text, cited = chosen[part][position] if shared_part == part else ("", [])
                    if hit.passage not in cited and _contains(hit.passage, text):
                        cited.append(hit.passage)
                    continue
                texts.append(sentence)
            if texts and len(section) < PER_SECTION:
                families[family] = families.get(family, 0) + 1
                for sentence in texts:
                    where[_key(sentence)] = (part, len(section))
                section.append((" ".join(texts), [hit.passage]))
        references = _References()  # numbered in reading order: guidelines, then research
        sections = {
            part: [
                AnswerSentence(
                    text=text,
                    citations=[references.cite(p) for p in passages],
                    status=_weakest(passages),
                )
                for text, passages in chosen[part]
            ]
            for part in (True, False)
        }
        guidelines, research = sections[True], sections[False]
        if not guidelines and not research and not conflicts:
            return abstention(query.question)
        return Answer(
            question=query.question,
            summary=_summary(guidelines, research),
            guidelines=guidelines,
            research=research,
            references=references.listed(),
            conflicts=list(conflicts),
            abstained=False,
        )


def _contains(passage: Passage, text: str) -> bool:
    """Whether every sentence of `text` is a sentence of the passage, as written."""
    own = sentences(passage.text)
    return bool(text) and all(piece in own for piece in sentences(text))


def _weakest(passages: list[Passage]) -> Status | None:
    """The status to show: set only when every cited passage is secondary or unverified
    knowledge (a sentence that also rests on the label, or on a document, is not flagged)."""
    statuses = [p.status for p in passages]
    if all(s in WEAK_STATUSES for s in statuses):
        return weakest(s for s in statuses if s is not None)
    return None


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
