"""The bibliography: every source a knowledge entry may cite."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Citation, Frozen, Topic
from lenaguard.knowledge.registry import register


class SourceKind(StrEnum):
    LABEL = "label"
    GUIDELINE = "guideline"
    TRIAL = "trial"
    REVIEW = "review"
    PATIENT_EDUCATION = "patient education"
    NEWS = "news"
    STANDARD = "standard"
    LENAGUARD = "lenaguard"
    """lenaguard's own reading where the sources are silent; never stronger than unverified."""


class Source(Frozen):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    short: str | None = Field(default=None, description="Short name shown next to citations.")
    title: str
    kind: SourceKind
    version: str = Field(description="Version, edition or publication date.")
    citation: str | None = Field(default=None, description="Journal reference, where one exists.")
    url: str | None = None
    jurisdiction: Literal["US", "EU", "international"] | None = None

    @property
    def short_name(self) -> str:
        return self.short or self.id


@register("sources")
class Bibliography(Topic):
    topic: Literal["sources"] = "sources"
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Bibliography:
        ids = [source.id for source in self.sources]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"source ids repeated: {', '.join(repeated)}")
        return self

    def ids(self) -> set[str]:
        return {source.id for source in self.sources}

    def cite_text(self, citations: Iterable[Citation]) -> str:
        """Citations as a reader sees them: 'USPI §2.1; IMWG 2008 …'."""
        known = {source.id: source.short_name for source in self.sources}
        return "; ".join(f"{known.get(c.source, c.source)} {c.section}" for c in citations)

    def by_id(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)
