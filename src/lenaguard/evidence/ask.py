"""`ask`: a question in, a cited answer out (pure: the index and the knowledge are inputs)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from lenaguard.evidence.answer import Composer, ExtractiveComposer, case_answer, relevant_hits
from lenaguard.evidence.computed import computed_values
from lenaguard.evidence.conflicts import find_conflicts
from lenaguard.evidence.index import Index, Query, _tokens
from lenaguard.evidence.models import Answer
from lenaguard.knowledge.loader import KnowledgeBase
from lenaguard.knowledge.topics.synonyms import SynonymsKnowledge

if TYPE_CHECKING:
    from lenaguard.assess import Assessment

SEARCH_DEPTH = 100
MIN_COVERAGE = 0.34
"""A passage answers only if it covers at least this share of the question's own subject words
(directly or through a synonym): one word of "a good Italian restaurant nearby" is not enough."""
"""Passages fetched from the index before relevance and the per-section limits are applied."""


@cache
def _drug_names(groups: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    """The stems of lenalidomide's own names: almost every passage is about it, so naming it
    does not make a passage relevant to a question."""
    names = next((g for g in groups if "lenalidomide" in g), ("lenalidomide",))
    return frozenset(_tokens([" ".join(names)])[0])


def ask(
    question: str,
    index: Index,
    kb: KnowledgeBase,
    *,
    assessment: Assessment | None = None,
    composer: Composer | None = None,
) -> Answer:
    """Answer `question` from `index`; with an assessment, add what the rules decided."""
    groups = tuple(kb.get(SynonymsKnowledge).groups)
    query = Query(question, groups)
    drug = _drug_names(tuple(tuple(g.terms) for g in groups))
    subject = [hit for hit in index.search(query, SEARCH_DEPTH, ignore=drug) if hit.matched - drug]
    answering = [hit for hit in subject if query.coverage(hit.matched, drug) >= MIN_COVERAGE]
    # conflicts are looked for in every passage on the subject, not only in those quoted
    conflicts = find_conflicts(subject, kb) if answering else []
    answer = (composer or ExtractiveComposer()).compose(query, relevant_hits(answering), conflicts)
    computed = computed_values(question, kb)
    if computed and not answer.abstained:
        lead = " ".join(value.text for value in computed)
        answer = answer.model_copy(
            update={"computed": computed, "summary": f"{lead} {answer.summary}".strip()}
        )
    if assessment is not None:
        answer = answer.model_copy(update={"case": case_answer(assessment)})
    return answer
