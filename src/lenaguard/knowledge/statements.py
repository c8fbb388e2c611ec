"""Knowledge statements: what each knowledge entry says, in sentences, with its numbers read
from the entry's own values.

The evidence corpus is the knowledge base itself. Each cited entry says one thing; this module
turns the entry into that sentence. An entry's statement is, in order of preference: its own
`statement` (a template), its class's `statement_template`, or its `text` field. Templates read
the entry's fields with `str.format` syntax (`{dose_mg}`, `{schedule.days_on[0]}`), so that a
dose or an interval is written once, as a value, and every sentence that names it reads it.

`numbers_in` and `entry_numbers` let a test prove that rule: every number a statement holds is
a value of its entry.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel

from lenaguard.knowledge.base import Cited, EvidenceKind, Topic

NUMBER = re.compile(
    r"(?<![\w.§/-])(?<!Table )\d+(?:,\d{3})*(?:\.\d+)?(?![\w])(?!-[A-Za-z])(?!\.\d)"
)
"""A quantity written in a sentence. Digits that are part of a name are not quantities: CD20,
del(5q), §2.6, Table 1, MDS-003, 5-hydroxy-lenalidomide, a 24-hour urine collection."""

PROSE_FIELDS = frozenset(
    {"text", "wording", "statement", "note", "detail", "summary", "claim", "wrong_claim"}
    | {"correction", "inhibitor_text", "inducer_text", "otherwise_summary", "otherwise_detail"}
    | {"why", "meaning", "requirement", "concern", "instruction", "threshold_basis", "title"}
)
"""Fields that hold sentences rather than values; their digits are checked, not counted."""

SENTENCE_FIELDS = ("text", "wording", "note", "requirement")
"""Fields that, in this order, serve as an entry's statement when it has no template."""

QUOTE_FIELDS = frozenset({"claim", "wrong_claim"})
"""Fields that quote a wrong claim of another source, to refute it: their numbers are the
other source's, not values of the entry, so the number check leaves them alone."""

YEAR = re.compile(r"^(19|20)\d\d$")


class _EntryFormatter(string.Formatter):
    """str.format over an entry: floats that are whole print as integers, lists as 'a, b'."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, Mapping):
            named = list(value.values())
            value = named if all(isinstance(v, str) for v in named) else list(value)
        if isinstance(value, list | tuple):
            joiner = " " if format_spec == "sentences" else ", "
            spec = "" if format_spec == "sentences" else format_spec
            return joiner.join(self.format_field(item, spec) for item in value)
        return super().format_field(value, format_spec)


_FORMATTER = _EntryFormatter()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def template_of(entry: Cited) -> str | None:
    """The entry's statement template, or None when it says nothing in words."""
    if entry.statement is not None:
        return entry.statement.text
    if type(entry).statement_template is not None:
        return type(entry).statement_template
    for name in SENTENCE_FIELDS:
        text = getattr(entry, name, None)
        if isinstance(text, str):
            return text
    return None


def render(entry: Cited) -> str | None:
    """The entry's statement with its values filled in, on one line; None without one.

    Raises KeyError/AttributeError/IndexError when a template names a field the entry lacks, so
    a broken template fails where the knowledge is loaded and tested, never silently.
    """
    template = template_of(entry)
    if template is None:
        return None
    return _one_line(_FORMATTER.vformat(template, (), _FieldsOf(entry)))


class _FieldsOf(Mapping[str, Any]):
    """The entry's fields as format() keyword arguments."""

    def __init__(self, entry: BaseModel):
        self._entry = entry

    def __getitem__(self, key: str) -> Any:
        model = type(self._entry)
        if key not in model.model_fields and key not in model.model_computed_fields:
            raise KeyError(f"{type(self._entry).__name__} has no field {key!r}")
        value = getattr(self._entry, key)
        if key in PROSE_FIELDS and isinstance(value, str):
            # a statement that quotes a prose field ({correction}) reads that field's values too
            return _FORMATTER.vformat(value, (), self)
        return value

    def __iter__(self) -> Iterator[str]:
        model = type(self._entry)
        return iter([*model.model_fields, *model.model_computed_fields])

    def __len__(self) -> int:
        return len(list(iter(self)))


def words(entry: Cited, field: str) -> str:
    """One prose field of the entry (`wording`, `text`, `correction`, …) with its values filled in.

    Prose fields are templates over the entry's fields, like statements: a rule that prints an
    entry's wording prints it through here, so a number in it is read from a value. The text is
    returned as written otherwise (line breaks and all); a placeholder naming a missing field
    raises KeyError.
    """
    text = getattr(entry, field)
    if not isinstance(text, str):
        raise TypeError(f"{type(entry).__name__}.{field} is not prose")
    return _FORMATTER.vformat(text, (), _FieldsOf(entry))


def literal_of(template: str) -> str:
    """The words of a template without its placeholders (what a writer typed)."""
    return "".join(literal for literal, *_ in _FORMATTER.parse(template))


def template_literal(entry: Cited) -> str:
    """The words of the entry's template without its placeholders (what a writer typed)."""
    return literal_of(template_of(entry) or "")


def numbers_in(text: str) -> list[float]:
    """The quantities written in `text` (years such as 2008 or 2022 are names, not quantities)."""
    found = []
    for match in NUMBER.findall(text):
        if YEAR.match(match):
            continue
        found.append(float(match.replace(",", "")))
    return found


def entry_numbers(entry: Cited) -> set[float]:
    """Every number the entry holds as a value (its prose fields and citations excluded)."""
    found: set[float] = set()
    _collect(entry.model_dump(mode="python", exclude={"cite", "statement"}), found)
    return found


def _collect(value: Any, found: set[float]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        found.add(float(value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in PROSE_FIELDS and key != "cite":
                _collect(item, found)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _collect(item, found)
    elif isinstance(value, str):
        found.update(numbers_in(value))


def stray_numbers(entry: Cited) -> list[float]:
    """Numbers written into the entry's statement words (or prose fields) that no value holds.

    Empty for a well-formed entry: a number lives in one place, as a value, and sentences
    read it through a template.
    """
    values = entry_numbers(entry)
    written = numbers_in(template_literal(entry))
    for name in (PROSE_FIELDS - QUOTE_FIELDS) & set(type(entry).model_fields):
        text = getattr(entry, name)
        if isinstance(text, str) and text != template_of(entry):
            written += numbers_in(literal_of(text))
    return [number for number in written if number not in values]


def entry_kind(entry: Cited, source_kinds: Mapping[str, str]) -> EvidenceKind:
    """The entry's evidence kind: its statement's own, else its first citation's source kind.

    `source_kinds` maps a bibliography id to its kind. lenaguard's own readings and standards
    (units, definitions) count as guidelines: they are how the rules apply the sources.
    """
    if entry.statement is not None and entry.statement.kind is not None:
        return entry.statement.kind
    kind = source_kinds.get(entry.cite[0].source, "other")
    if kind in {"lenaguard", "standard"}:
        return EvidenceKind.GUIDELINE
    try:
        return EvidenceKind(kind)
    except ValueError:
        return EvidenceKind.OTHER


def statements(topic: Topic) -> Iterator[tuple[str, Cited, str]]:
    """(path, entry, rendered statement) for every entry of the topic that has a statement."""
    for path, entry in topic.cited_entries():
        text = render(entry)
        if text:
            yield path, entry, text
