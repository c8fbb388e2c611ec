"""Search over passages with BM25 (the bm25s library), a stemmer and the knowledge base's
medical synonyms.

Any question text is searched as words: capitals, quotes, brackets, AND/OR or other query
syntax carry no meaning and never raise. A question that uses one term of a synonym group
(Revlimid, blood clot, kidney function) also searches the group's other terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import bm25s
import numpy as np
import Stemmer

from lenaguard.evidence.models import Passage
from lenaguard.knowledge.topics.synonyms import SynonymGroup

QUESTION_WORDS = frozenset(
    [
        "what",
        "how",
        "can",
        "could",
        "should",
        "would",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "will",
        "why",
        "when",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "tell",
        "me",
        "my",
        "i",
        "we",
        "you",
        "your",
        "our",
        "patient",
        "patients",
        "use",
        "used",
        "using",
        "take",
        "taking",
        "taken",
        "need",
        "needs",
        "about",
        "there",
        "any",
        "much",
        "many",
        "give",
        "given",
        "know",
        "recommended",
        "recommend",
        "ok",
        "okay",
        "safe",
        "please",
    ]
)
"""Words that shape a question but say nothing about its subject (with the library's English
stop words)."""

COMMON_SHARE = 0.2
"""A term in more than this share of passages (lenalidomide, mg) does not by itself make a
passage relevant."""


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _tokens(texts: Sequence[str]) -> list[list[str]]:
    tokenized = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return [[t for t in row if t] for row in tokenized]


def _phrase(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")


@dataclass(frozen=True)
class Hit:
    """A passage found for a question, its BM25 score and the subject terms it shares."""

    passage: Passage
    score: float
    matched: frozenset[str]

    @property
    def relevant(self) -> bool:
        return bool(self.matched)


class Query:
    """A question reduced to search terms: its words, stemmed, plus its synonyms' words."""

    def __init__(self, question: str, synonyms: Sequence[SynonymGroup] = ()):
        lowered = " ".join(question.lower().split())
        own = [t for t in _tokens([lowered])[0] if t not in _stems(QUESTION_WORDS)]
        extra: list[str] = []
        for group in synonyms:
            if any(_phrase(term).search(lowered) for term in group.terms):
                extra.extend(group.terms)
        added = _tokens([" ".join(extra)])[0] if extra else []
        self.question = question
        self.own = list(dict.fromkeys(own))
        self.terms = list(dict.fromkeys(self.own + added))


@cache
def _stems(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_stemmer().stemWords(sorted(words)))


class Index:
    """An in-memory BM25 index over passages (build it, or load it with evidence.ingest)."""

    def __init__(self, passages: Sequence[Passage], retriever: bm25s.BM25, common: frozenset[str]):
        self.passages = list(passages)
        self._retriever = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self.common = common

    @classmethod
    def build(cls, passages: Sequence[Passage]) -> Index:
        """Index `passages` (their text and title words)."""
        if not passages:
            raise ValueError("an index needs at least one passage")
        texts = [f"{p.text} {p.locator}" for p in passages]
        tokenized = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokenized, show_progress=False)
        return cls(passages, retriever, _common_terms(tokenized, len(passages)))

    def search(self, query: Query, k: int = 10) -> list[Hit]:
        """The best `k` passages for the query, best first; those sharing no term are left out."""
        terms = [t for t in query.terms if t in self._vocab]
        if not terms:
            return []
        k = min(k, len(self.passages))
        ids, scores = self._retriever.retrieve(
            [terms], k=k, show_progress=False, n_threads=1, backend_selection="numpy"
        )
        own_specific = {t for t in query.terms if t in self._vocab and t not in self.common}
        hits = []
        for index, score in zip(ids[0], scores[0], strict=True):
            if score <= 0:
                continue
            passage = self.passages[int(index)]
            words = set(_tokens([f"{passage.text} {passage.locator}"])[0])
            hits.append(Hit(passage, float(score), frozenset(own_specific & words)))
        return hits

    @property
    def retriever(self) -> bm25s.BM25:
        return self._retriever


def _common_terms(tokenized, count: int) -> frozenset[str]:
    document_frequency = np.zeros(len(tokenized.vocab), dtype=np.int64)
    for row in tokenized.ids:
        document_frequency[list(set(row))] += 1
    by_id = {index: term for term, index in tokenized.vocab.items()}
    limit = max(2, COMMON_SHARE * count)
    return frozenset(by_id[i] for i in np.flatnonzero(document_frequency > limit))
