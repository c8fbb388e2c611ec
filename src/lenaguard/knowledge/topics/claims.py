"""Checks of circulating claims: what other sources often get wrong, and which of their
numbers to compare with the knowledge base.

Two kinds of check, both read by evidence.conflicts against ingested documents:

- a *misconception* is a claim that circulates and disagrees with the sources (CYP3A4 drugs
  change lenalidomide levels; resolved HBV is low risk). It is recognised by its concepts, not
  by a sentence: every `signals` group must have a term in the sentence, and no `unless` term.
- a *quantity* check compares a number or duration a document gives on a topic (HBV
  prophylaxis after therapy, the blood-count interval at the start) with the value a knowledge
  entry holds, read from the entry by its field path.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from lenaguard.knowledge.base import Cited, Topic
from lenaguard.knowledge.registry import register


def _terms(groups: list[list[str]]) -> list[list[str]]:
    return [[" ".join(t.lower().split()) for t in group] for group in groups]


class Misconception(Cited):
    """A claim that circulates and that the sources contradict (this entry's citations)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    topic: str = Field(description="The knowledge topic the claim is about.")
    signals: list[list[str]] = Field(
        min_length=1,
        description="Groups of terms; a sentence makes the claim when every "
        "group has a term in it.",
    )
    unless: list[str] = Field(
        default_factory=list, description="Terms that show the sentence says it correctly."
    )
    entry: str = Field(description="The knowledge entry whose statement is the right version.")
    text: str = Field(description="What is wrong with the claim, in lenaguard's words.")

    _lower_signals = field_validator("signals")(classmethod(lambda cls, v: _terms(v)))

    @field_validator("unless")
    @classmethod
    def _lower_unless(cls, terms: list[str]) -> list[str]:
        return _terms([terms])[0]


class QuantityCheck(Cited):
    """A number or duration on one topic, compared with the value of a knowledge entry."""

    in_corpus = False  # its statement describes the check, not evidence

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    topic: str
    kind: Literal["number", "duration"]
    signals: list[list[str]] = Field(min_length=1)
    unit: Literal["days", "months", "mg"] = Field(
        description="The unit the entry's value is in; a document's weeks, months or days are "
        "converted to it."
    )
    entry: str
    fields: list[str] = Field(
        min_length=1, description="Field paths in the entry holding the knowledge's values."
    )
    relation: Literal["at_least", "equals"] = Field(
        description="at_least: a document's value below the knowledge's minimum disagrees; "
        "equals: a value that matches none of the knowledge's values disagrees."
    )
    text: str = Field(description="What the check compares, in lenaguard's words.")

    _lower_signals = field_validator("signals")(classmethod(lambda cls, v: _terms(v)))


@register("claims")
class ClaimsKnowledge(Topic):
    topic: Literal["claims"] = "claims"
    misconceptions: list[Misconception] = Field(min_length=1)
    quantities: list[QuantityCheck] = Field(min_length=1)
