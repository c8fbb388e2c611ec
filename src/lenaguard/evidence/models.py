"""The evidence corpus and answers as typed models (the `lenaguard ask --json` contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lenaguard.knowledge.base import Citation, EvidenceKind, Frozen, Status

GUIDELINE_KINDS = frozenset({EvidenceKind.LABEL, EvidenceKind.GUIDELINE})
"""Kinds shown under "From the Guidelines"; every other kind is "From the Research"."""


class Passage(Frozen):
    """A searchable piece of evidence: a knowledge statement or a part of an ingested document."""

    id: str = Field(description="'kb:<entry path>' or '<document id>#<n>'.")
    text: str = Field(min_length=1)
    title: str = Field(description="The title of the source the passage comes from.")
    source: str = Field(description="Where it comes from: a bibliography name or a file.")
    kind: EvidenceKind
    locator: str = Field(default="", description="Section, heading or page within the source.")
    status: Status | None = Field(
        default=None, description="Knowledge status; None for an ingested document."
    )
    citations: list[Citation] = Field(default_factory=list)
    entry: str | None = Field(default=None, description="The knowledge entry's dotted path.")
    document: str | None = Field(default=None, description="The ingested document's id.")
    topic: str | None = Field(default=None, description="The knowledge topic, for knowledge.")
    context: str = Field(
        default="",
        description="Words searched with the passage but not shown: for a knowledge statement, "
        "the names of the entries and indications it sits under.",
    )

    @property
    def is_knowledge(self) -> bool:
        return self.entry is not None


class Document(Frozen):
    """An ingested document: what `lenaguard corpus list` shows."""

    id: str
    title: str
    kind: EvidenceKind = EvidenceKind.OTHER
    origin: str = Field(description="The path or address it was read from.")
    date: str | None = Field(default=None, description="Its date, where the document gives one.")
    sha256: str
    format: Literal["text", "markdown", "html", "pdf"]
    passages: int = Field(ge=0)


class AnswerSentence(Frozen):
    """One sentence of an answer with the reference numbers that support it."""

    text: str
    citations: list[int] = Field(min_length=1)
    status: Status | None = Field(
        default=None,
        description="Set when the sentence rests only on secondary or unverified knowledge.",
    )


class Reference(Frozen):
    n: int = Field(ge=1)
    title: str
    source: str
    kind: EvidenceKind
    locator: str
    passage: str = Field(description="The id of the cited passage.")


class ConflictClaim(Frozen):
    text: str
    source: str
    locator: str


class ConflictKnowledge(Frozen):
    text: str
    entry: str
    status: Status
    citations: list[Citation]


class Conflict(Frozen):
    """A passage of an ingested document that disagrees with the knowledge base."""

    topic: str
    kind: Literal["number", "duration", "claim"]
    claim: ConflictClaim
    knowledge: ConflictKnowledge


class CaseAnswer(Frozen):
    """With --case: what the rules decided for this patient (from `assess`)."""

    readiness: str
    ready_to_prescribe: bool
    dose: str
    actions: list[str]


class ComputedValue(Frozen):
    """A value the rules computed from inputs the question gives (e.g. a starting dose)."""

    text: str = Field(description="The rule's own sentence, as `lenaguard dose` gives it.")
    rule: str
    inputs: str = Field(description="What was read from the question.")
    status: Status
    citations: list[Citation]


class Answer(Frozen):
    question: str
    summary: str
    guidelines: list[AnswerSentence]
    research: list[AnswerSentence]
    references: list[Reference]
    conflicts: list[Conflict]
    abstained: bool
    case: CaseAnswer | None = None
    computed: list[ComputedValue] = Field(
        default_factory=list,
        description="Values the rules computed from the question's own inputs, with sources.",
    )
