"""Conflicts: sentences of ingested documents whose claims, numbers or durations disagree with
the knowledge base, shown beside the knowledge's version and its sources.

Two general checks, both configured in the knowledge base (claims.yaml):

- misconceptions: a sentence that carries every concept of a claim known to circulate wrongly
  (and none of the words that show it is put right) conflicts with the entry that says it right;
- quantities: numbers and durations read from a sentence on a topic (weeks, months, days, mg,
  written as figures or words, single or as a range such as "6–12 months") are compared with
  the value the knowledge entry holds: below a minimum, or matching none of the values, they
  conflict.

Only ingested passages are checked; the knowledge base's own statements are the reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lenaguard.evidence.answer import sentences
from lenaguard.evidence.index import Hit
from lenaguard.evidence.models import Conflict, ConflictClaim, ConflictKnowledge, Passage
from lenaguard.knowledge.base import Cited
from lenaguard.knowledge.loader import KnowledgeBase
from lenaguard.knowledge.statements import render
from lenaguard.knowledge.topics.claims import ClaimsKnowledge, Misconception, QuantityCheck

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty-eight": 28, "thirty": 30,
}  # fmt: skip
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"(days?|weeks?|months?|mg)\b"
_RANGE = re.compile(rf"\b{_NUMBER}(?:\s*(?:-|–|—|to)\s*{_NUMBER})?[\s-]*{_UNIT}", re.IGNORECASE)
_EVERY = re.compile(rf"\bevery\s+(?:{_NUMBER}\s+)?{_UNIT}", re.IGNORECASE)
_ADVERBS = {"daily": (1, "days"), "weekly": (7, "days"), "fortnightly": (14, "days"),
            "biweekly": (14, "days"), "monthly": (1, "months")}  # fmt: skip
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00a0": " "})
_DAYS_PER = {"days": (1, 1), "weeks": (7, 7), "months": (28, 31)}


@dataclass(frozen=True)
class Quantity:
    """A number read from text, as a range in its unit (a single value has low == high)."""

    low: float
    high: float
    unit: str  # days | weeks | months | mg

    def within(self, unit: str) -> tuple[float, float] | None:
        """The range converted to `unit`, or None when the units do not compare."""
        if unit == "mg" or self.unit == "mg":
            return (self.low, self.high) if unit == self.unit else None
        if unit == "months":
            if self.unit != "months":
                return None
            return self.low, self.high
        low_factor, high_factor = _DAYS_PER[self.unit]
        return self.low * low_factor, self.high * high_factor


def _value(text: str) -> float:
    return float(_WORD_NUMBERS.get(text.lower(), text))


def _unit(text: str) -> str:
    text = text.lower()
    return text if text == "mg" else text.rstrip("s") + "s"


def quantities(sentence: str) -> list[Quantity]:
    """Numbers with units in a sentence: '6–12 months', 'every two weeks', 'weekly', '25 mg'."""
    text = sentence.translate(_DASHES)
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for match in _EVERY.finditer(text):
        count = _value(match.group(1)) if match.group(1) else 1.0
        found.append(Quantity(count, count, _unit(match.group(2))))
        taken.append(match.span())
    for match in _RANGE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        low = _value(match.group(1))
        high = _value(match.group(2)) if match.group(2) else low
        found.append(Quantity(min(low, high), max(low, high), _unit(match.group(3))))
    for word, (count, unit) in _ADVERBS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE) and unit != "mg":
            found.append(Quantity(count, count, unit))
    return found


@cache
def _group_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a group of terms, each matched as whole words."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _normal(text: str) -> str:
    return " ".join(text.translate(_DASHES).lower().split())


def _signals(text: str, groups: Sequence[Sequence[str]], unless: Sequence[str] = ()) -> bool:
    if not all(_group_pattern(tuple(group)).search(text) for group in groups):
        return False
    return not (unless and _group_pattern(tuple(unless)).search(text))


@cache
def _entries(kb: KnowledgeBase) -> dict[str, Cited]:
    return {path: entry for topic in kb.topics.values() for path, entry in topic.cited_entries()}


def entry_at(kb: KnowledgeBase, path: str) -> Cited:
    """The knowledge entry at a dotted path (KeyError naming the path if there is none)."""
    try:
        return _entries(kb)[path]
    except KeyError:
        raise KeyError(f"no knowledge entry at {path!r}") from None


def field_values(entry: Cited, path: str) -> list[float]:
    """The numbers at a field path of an entry ('phases[0].interval_days')."""
    value: object = entry
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        is_index = part.startswith("[")
        value = value[int(part[1:-1])] if is_index else getattr(value, part)  # type: ignore[index]
    values = value if isinstance(value, list | tuple) else [value]
    return [float(v) for v in values]


def _knowledge(kb: KnowledgeBase, path: str) -> ConflictKnowledge:
    entry = entry_at(kb, path)
    return ConflictKnowledge(
        text=render(entry) or "", entry=path, status=entry.status, citations=list(entry.cite)
    )


def _claim(passage: Passage, sentence: str) -> ConflictClaim:
    return ConflictClaim(text=sentence, source=passage.source, locator=passage.locator)


def _misconception(
    check: Misconception, passage: Passage, sentence: str, kb: KnowledgeBase
) -> Conflict | None:
    if not _signals(sentence, check.signals, check.unless):
        return None
    return Conflict(
        topic=check.topic,
        kind="claim",
        claim=_claim(passage, sentence),
        knowledge=_knowledge(kb, check.entry),
    )


def _quantity(
    check: QuantityCheck, passage: Passage, sentence: str, kb: KnowledgeBase
) -> Conflict | None:
    if not _signals(sentence, check.signals):
        return None
    entry = entry_at(kb, check.entry)
    known = [v for field in check.fields for v in field_values(entry, field)]
    for quantity in quantities(sentence):
        span = quantity.within(check.unit)
        if span is None:
            continue
        low, high = span
        disagrees = (
            low < min(known)
            if check.relation == "at_least"
            else not any(low <= v <= high for v in known)
        )
        if disagrees:
            return Conflict(
                topic=check.topic,
                kind=check.kind,
                claim=_claim(passage, sentence),
                knowledge=_knowledge(kb, check.entry),
            )
    return None


def passage_conflicts(passage: Passage, kb: KnowledgeBase) -> list[Conflict]:
    """Every conflict in one ingested passage, one per check and sentence."""
    if passage.is_knowledge:
        return []
    key = (kb.version, passage.id, passage.text)
    if key not in _CHECKED:
        if len(_CHECKED) > CACHE_PASSAGES:
            _CHECKED.clear()
        _CHECKED[key] = _check(passage, kb)
    return _CHECKED[key]


CACHE_PASSAGES = 20_000
_CHECKED: dict[tuple[str, str, str], list[Conflict]] = {}


def _check(passage: Passage, kb: KnowledgeBase) -> list[Conflict]:
    claims = kb.get(ClaimsKnowledge)
    whole = _normal(passage.text)
    # a check whose every signal group is absent from the whole passage has nothing to find
    misconceptions = [c for c in claims.misconceptions if _signals(whole, c.signals)]
    checks = [c for c in claims.quantities if _signals(whole, c.signals)]
    if not misconceptions and not checks:
        return []
    found = []
    for original in sentences(passage.text):
        sentence = _normal(original)
        for check in misconceptions:
            if conflict := _misconception(check, passage, sentence, kb):
                found.append(conflict.model_copy(update={"claim": _claim(passage, original)}))
        for check in checks:
            if conflict := _quantity(check, passage, sentence, kb):
                found.append(conflict.model_copy(update={"claim": _claim(passage, original)}))
    return found


def find_conflicts(hits: Sequence[Hit], kb: KnowledgeBase) -> list[Conflict]:
    """Conflicts in the ingested passages found for a question, in the sentences that share a
    subject term with it; each claim once."""
    from lenaguard.evidence.index import _tokens

    found: dict[tuple[str, str], Conflict] = {}
    for hit in hits:
        for conflict in passage_conflicts(hit.passage, kb):
            words = set(_tokens([conflict.claim.text])[0])
            if hit.matched & words:
                found.setdefault((conflict.claim.text, conflict.knowledge.entry), conflict)
    return list(found.values())
