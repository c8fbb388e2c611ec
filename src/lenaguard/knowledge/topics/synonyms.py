"""Medical synonyms for evidence search: words a question may use for what a source calls
otherwise (Revlimid for lenalidomide, blood clot for VTE, kidney function for CrCl)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from lenaguard.knowledge.base import Frozen, Topic
from lenaguard.knowledge.registry import register


class SynonymGroup(Frozen):
    """Terms that mean the same thing to a reader; a question using one also searches the rest."""

    terms: list[str] = Field(min_length=2)

    @field_validator("terms")
    @classmethod
    def _lower(cls, terms: list[str]) -> list[str]:
        return [" ".join(term.lower().split()) for term in terms]


@register("synonyms")
class SynonymsKnowledge(Topic):
    topic: Literal["synonyms"] = "synonyms"
    groups: list[SynonymGroup] = Field(min_length=1)
