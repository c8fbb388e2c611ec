"""Research entries: the trials and studies behind the rules, each with its result and status.

The rules read thresholds; these entries say what the studies found, so that an evidence
answer's "From the Research" part rests on the knowledge base too. Every number a study reports
is a named finding; the statement reads the findings through its template.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, Statement, Topic
from lenaguard.knowledge.registry import register


class Study(Cited):
    """One trial or study and what it found."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(description="How clinicians call the study, e.g. 'MDS-003'.")
    design: str = Field(description="Design and population, in a few words.")
    findings: dict[str, float | list[float]] = Field(
        default_factory=dict, description="Named results; the statement reads them."
    )
    statement: Statement

    @model_validator(mode="after")
    def _statement_reads_findings(self) -> Study:
        # a typo in a template placeholder fails at load, not when an answer is written
        from lenaguard.knowledge.statements import render

        render(self)
        return self


@register("research")
class ResearchKnowledge(Topic):
    topic: Literal["research"] = "research"
    studies: list[Study] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ResearchKnowledge:
        ids = [study.id for study in self.studies]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"study ids repeated: {', '.join(repeated)}")
        return self
