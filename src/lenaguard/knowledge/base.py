"""Building blocks of the knowledge base: evidence status, citations and cited entries.

Every clinical number or statement in lenaguard lives in a knowledge file as a *cited entry*:
it names its sources (a bibliography id plus the section) and an evidence status that says
how firmly the source was seen. Rules copy the status and citations onto what they output,
so a user can see how firm each result is and check it against the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class Status(StrEnum):
    """How firmly a fact was seen in its source (see the facts file's status tags)."""

    LABEL = "label"
    """Seen in a copy of the current US prescribing information."""
    LABEL_OLD = "label-old"
    """Seen only in an older version of the prescribing information."""
    SECONDARY = "secondary"
    """Seen only in a secondary source (compendium, review, manufacturer site)."""
    UNVERIFIED = "unverified"
    """Believed current, but no copy was seen; users may filter these out."""


# Firmest first; the status of a conclusion is the weakest status it rests on.
_STATUS_RANK = {Status.LABEL: 0, Status.LABEL_OLD: 1, Status.SECONDARY: 2, Status.UNVERIFIED: 3}


def weakest(statuses: Iterable[Status]) -> Status:
    """The least firm of several statuses: a conclusion is only as firm as its weakest input."""
    found = list(statuses)
    if not found:
        raise ValueError("weakest() needs at least one status")
    return max(found, key=_STATUS_RANK.__getitem__)


SUMMARY_LIMIT = 140
"""A finding's summary has fewer characters than this: the HL7 CDS Hooks card summary limit."""


def card_summary(text: str) -> str:
    """`text` if it fits a CDS Hooks card summary: one line of fewer than SUMMARY_LIMIT characters.

    Raises ValueError otherwise, so that a longer text fails where it is written (a rule or a
    knowledge file) instead of being cut short on a card.
    """
    if "\n" in text or "\r" in text:
        raise ValueError(f"a card summary is one line, without line breaks: {text!r}")
    if len(text) >= SUMMARY_LIMIT:
        raise ValueError(
            f"a card summary has fewer than {SUMMARY_LIMIT} characters; this one has "
            f"{len(text)} (move lists and explanations to the detail): {text!r}"
        )
    return text


CardSummary = Annotated[str, Field(min_length=1), AfterValidator(card_summary)]
"""A text shown as a finding's summary: one line, shorter than SUMMARY_LIMIT characters."""


class Frozen(BaseModel):
    """The base of every lenaguard model: immutable, and unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Frozen):
    """A pointer into the bibliography: which source, and where in it."""

    source: str = Field(description="Id of an entry in sources.yaml.")
    section: str = Field(description="Section, table or page of the source, e.g. '§2.6'.")


LENAGUARD_SOURCE = "lenaguard"
"""The bibliography id of lenaguard's own readings (where the label and guidelines are silent)."""

LENAGUARD_BASIS = "lenaguard"
"""The `basis` of a result that rests on a lenaguard reading."""


def basis_of(citations: Iterable[Citation]) -> Literal["lenaguard"] | None:
    """'lenaguard' when any citation is lenaguard's own reading, else None (the sources')."""
    return LENAGUARD_BASIS if any(c.source == LENAGUARD_SOURCE for c in citations) else None


def with_basis(data: Any) -> Any:
    """Before validation: fill `basis` from the citations when the builder did not give it."""
    if isinstance(data, dict) and data.get("basis") is None and data.get("citations"):
        citations = [
            c if isinstance(c, Citation) else Citation.model_validate(c) for c in data["citations"]
        ]
        return {**data, "basis": basis_of(citations)}
    return data


def check_reading_status(status: Status, citations: Iterable[Citation]) -> None:
    """A lenaguard reading is never firmer than unverified (raises ValueError otherwise)."""
    if basis_of(citations) is not None and status is not Status.UNVERIFIED:
        raise ValueError(
            f"rests on lenaguard's own reading, so its status must be unverified, not {status}"
        )


class EvidenceKind(StrEnum):
    """What kind of source a statement or passage speaks for; decides where an answer shows it.

    Label and guideline statements appear under "From the Guidelines"; every other kind under
    "From the Research". `other` is the default for a user's own ingested documents.
    """

    LABEL = "label"
    GUIDELINE = "guideline"
    TRIAL = "trial"
    REVIEW = "review"
    PATIENT_EDUCATION = "patient education"
    NEWS = "news"
    OTHER = "other"


class Statement(Frozen):
    """What a knowledge entry says, in one or two sentences of lenaguard's own words.

    `text` is a template over the entry's own fields (`{dose_mg}`, `{schedule.days_on[0]}`), so a
    number is written once, as a value, and the sentence reads it. `kind` overrides the kind
    taken from the entry's first citation (for example a trial result cited from a review).
    """

    text: str = Field(min_length=1)
    kind: EvidenceKind | None = None


class Cited(Frozen):
    """A knowledge entry: something a rule reads, with its evidence status and citations."""

    statement_template: ClassVar[str | None] = None
    """The statement of every entry of this class, as a template over its fields, where the
    class's entries share one form (a drug, a lab test, a score item). An entry's own
    `statement` replaces it; without either, an entry's `text` field is its statement."""

    in_corpus: ClassVar[bool] = True
    """False for entries whose statement describes a check rather than what a source says
    (they are left out of the evidence corpus)."""

    status: Status
    cite: list[Citation] = Field(min_length=1)
    statement: Statement | None = Field(
        default=None, description="What the entry says, as the evidence corpus shows it."
    )

    @model_validator(mode="after")
    def _reading_is_unverified(self) -> Cited:
        check_reading_status(self.status, self.cite)
        return self


class CitedText(Cited):
    """A sentence of guidance in lenaguard's own words, with its sources and status."""

    text: str


def merge_citations(*entries: Cited) -> list[Citation]:
    """The citations of several entries, in order, without repeats."""
    seen: dict[Citation, None] = {}
    for entry in entries:
        for citation in entry.cite:
            seen.setdefault(citation, None)
    return list(seen)


class Topic(Frozen):
    """One knowledge file. Subclasses declare the file's entries as typed fields."""

    topic: str
    title: str = Field(description="What the file holds, for people.")

    def cited_entries(self) -> Iterator[tuple[str, Cited]]:
        """Every cited entry in this file, with a dotted path that locates it."""
        yield from _walk_cited(self, self.topic)


def _walk_cited(value: Any, path: str) -> Iterator[tuple[str, Cited]]:
    if isinstance(value, Cited):
        yield path, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_cited(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_cited(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk_cited(item, f"{path}[{index}]")
