"""Search over passages with BM25 (the bm25s library), a stemmer and the knowledge base's
medical synonyms.

Any question text is searched as words: capitals, quotes, brackets, AND/OR or other query
syntax carry no meaning and never raise. A question that uses one term of a synonym group
(Revlimid, blood clot, kidney function) also searches the group's other terms.
"""

from __future__ import annotations

import re
from collections import Counter
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

OWN_WEIGHT = 2
"""A word of the question weighs this many times a synonym the search added for it."""

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


@cache
def _group_tokens(terms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_tokens([" ".join(terms)])[0])


def _searched_text(passage: Passage) -> str:
    return f"{passage.text} {passage.locator} {passage.context}"


@cache
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
    """A question reduced to search terms: its own words, stemmed, and its synonyms' words.

    `covers` maps each synonym term to the question's own terms whose phrase brought it in, so
    a passage that says "warfarin" covers a question that said "blood thinner".
    """

    def __init__(self, question: str, synonyms: Sequence[SynonymGroup] = ()):
        lowered = " ".join(question.lower().split())
        own = [t for t in _tokens([lowered])[0] if t not in _stems(QUESTION_WORDS)]
        covers: dict[str, set[str]] = {}
        for group in synonyms:
            triggers = [term for term in group.terms if _phrase(term).search(lowered)]
            if not triggers:
                continue
            trigger_tokens = set(_tokens([" ".join(triggers)])[0]) & set(own)
            for token in _group_tokens(tuple(group.terms)):
                covers.setdefault(token, set()).update(trigger_tokens)
        self.question = question
        self.own = list(dict.fromkeys(own))
        self.covers = {t: frozenset(c) for t, c in covers.items()}
        self.terms = list(dict.fromkeys(self.own + list(covers)))

    def weighted(self) -> list[str]:
        """Search tokens: the question's own words count OWN_WEIGHT times a synonym."""
        extra = [t for t in self.covers if t not in self.own]
        return self.own * OWN_WEIGHT + extra

    def coverage(self, matched: frozenset[str], ignore: frozenset[str] = frozenset()) -> float:
        """The share of the question's own words (less `ignore`) that `matched` covers."""
        wanted = [t for t in self.own if t not in ignore]
        if not wanted:
            return 0.0
        covered = set(matched) & set(wanted)
        for term in matched:
            covered |= self.covers.get(term, frozenset()) & set(wanted)
        return len(covered) / len(wanted)


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
        texts = [_searched_text(p) for p in passages]
        tokenized = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokenized, show_progress=False)
        return cls(passages, retriever, _common_terms(tokenized, len(passages)))

    def search(self, query: Query, k: int = 10, ignore: frozenset[str] = frozenset()) -> list[Hit]:
        """The best `k` passages for the query, best first; those sharing no term are left out.

        Terms in `ignore` (the drug's own names, in a corpus about the drug) are not searched.
        """
        weights = Counter(t for t in query.weighted() if t in self._vocab and t not in ignore)
        if not weights:
            return []
        tokens = list(weights)
        # one score row per query term: the total ranks, the non-zero rows say what matched
        per_term = np.vstack([self._retriever.get_scores([t]) for t in tokens])
        scores = np.asarray([weights[t] for t in tokens], dtype=per_term.dtype) @ per_term
        k = min(k, len(self.passages))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        specific = np.asarray([t not in self.common for t in tokens])
        hits = []
        for index in best:
            score = float(scores[index])
            if score <= 0:
                break
            present = (per_term[:, index] > 0) & specific
            matched = frozenset(t for t, here in zip(tokens, present, strict=True) if here)
            hits.append(Hit(self.passages[int(index)], score, matched))
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
