"""Reading case files (YAML or JSON) into a validated Case, with errors that name the field.

This is the imperative shell around the Case model: it touches the file system and supplies
the default assessment date (today) when the file gives none.

A case file may come from anyone, so reading it is bounded before anything is parsed:

- size: at most `max_case_bytes()` bytes (1 MB by default; the caller's limit, else the
  environment variable `LENAGUARD_MAX_CASE_BYTES`); a file is never read past its limit;
- encoding: UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark;
  anything else (Latin-1, binary, UTF-16 without a mark) is refused, never guessed;
- structure: one YAML document, no anchors or aliases (so no "billion laughs"), no tags, no
  merge keys, no repeated keys, nesting at most `MAX_DEPTH` deep, at most `MAX_NODES` values,
  text and keys at most the case model's caps, numbers of a sane magnitude.

Every refusal is a `CaseError` naming the problem, reached in well under a second.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from pydantic import ValidationError

from lenaguard.case import MAX_NOTE_LENGTH, Case
from lenaguard.errors import WHOLE_INPUT, CaseError, FieldProblem, FieldValueError
from lenaguard.knowledge import KnowledgeBase, default_knowledge

__all__ = [
    "DEFAULT_MAX_CASE_BYTES",
    "MAX_CASE_BYTES_ENV",
    "MAX_DEPTH",
    "MAX_NODES",
    "CaseError",
    "CaseTooLarge",
    "case_from_data",
    "decode_case_bytes",
    "load_case",
    "max_case_bytes",
    "parse_case_bytes",
    "parse_case_text",
    "read_case_text",
    "read_limited",
]

# libyaml's safe loader when available (several times faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_MAX_CASE_BYTES = 1_000_000
"""The default size limit of a case file (1 MB): a real case file is a few kilobytes."""
MAX_CASE_BYTES_ENV = "LENAGUARD_MAX_CASE_BYTES"
"""Environment variable that sets the size limit in bytes when the caller gives none."""
MAX_DEPTH = 16
"""Deepest nesting of mappings and lists accepted (a case file needs five levels)."""
MAX_NODES = 25_000
"""Most values (scalars, mappings and lists together) accepted in one case file."""
MAX_MAGNITUDE = 1e15
"""Largest number accepted anywhere in a case file (the widest plausible range is far below)."""
_FILE = "(file)"
_KEY_SHOWN = 40


def _refuse(message: str, source: str, field: str = _FILE) -> CaseError:
    return CaseError([(field, message)], source=source)


# ---------------------------------------------------------------- size and encoding


def max_case_bytes(limit: int | None = None) -> int:
    """The size limit in bytes: `limit` if given, else $LENAGUARD_MAX_CASE_BYTES, else 1 MB."""
    if limit is not None:
        if limit < 1:
            raise ValueError("the case size limit must be at least one byte")
        return limit
    configured = os.environ.get(MAX_CASE_BYTES_ENV)
    if configured is None or not configured.strip():
        return DEFAULT_MAX_CASE_BYTES
    try:
        value = int(configured.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise CaseError(
            [(MAX_CASE_BYTES_ENV, f"{configured[:_KEY_SHOWN]!r} is not a positive whole number")],
            title="invalid setting",
        )
    return value


class CaseTooLarge(CaseError):
    """A case over the size limit: the web pages answer it with 413, as the API does."""


def _too_large(limit: int, source: str) -> CaseError:
    return CaseTooLarge(
        [
            (
                _FILE,
                f"larger than the {limit:,}-byte limit for a case file (set "
                f"{MAX_CASE_BYTES_ENV} to change it)",
            )
        ],
        source=source,
    )


def read_limited(stream: BinaryIO, limit: int, *, source: str = "case") -> bytes:
    """Read at most `limit` bytes from a binary stream (reading one more to tell whether it is
    longer); raise CaseError when it is."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit, source)
    return data


_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_case_bytes(data: bytes, *, source: str = "case") -> str:
    """The text of a case file: UTF-8 (a byte-order mark is dropped) or UTF-16 with a
    byte-order mark. Raises CaseError for any other bytes, naming the problem."""
    if data.startswith(_UTF32_BOMS):  # before UTF-16: the UTF-32 LE mark starts like it
        raise _refuse("UTF-32 text is not accepted; save the file as UTF-8", source)
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _refuse(f"not valid UTF-16 text (byte {exc.start})", source) from exc
    elif b"\x00" in data:  # never in UTF-8 text; every other byte of UTF-16 without a mark
        raise _nul(source)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refuse(
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}): save "
                "the file as UTF-8 (Latin-1 and other encodings are not read, and binary files "
                "are not case files)",
                source,
            ) from exc
    if "\x00" in text:
        raise _nul(source)
    return text


def _nul(source: str) -> CaseError:
    return _refuse(
        "contains NUL characters: a binary file, or UTF-16 text without a byte-order mark; "
        "save the file as UTF-8",
        source,
    )


# ---------------------------------------------------------------- structure


def _key_words(key: str) -> str:
    return key if len(key) <= _KEY_SHOWN else key[:_KEY_SHOWN] + "…"


@dataclass
class _Frame:
    """An open mapping or list while reading YAML events."""

    path: str
    container: dict[str, Any] | list[Any]
    key: str | None = None
    """In a mapping: the key whose value comes next (None while a key is expected)."""

    def child_path(self) -> str:
        part = self.key if isinstance(self.container, dict) else str(len(self.container))
        return f"{part}" if self.path == WHOLE_INPUT else f"{self.path}.{part}"

    def add(self, value: Any) -> None:
        if isinstance(self.container, dict):
            assert self.key is not None
            self.container[self.key] = value
            self.key = None
        else:
            self.container.append(value)


class _Scalars:
    """Plain YAML scalars to Python values, exactly as PyYAML's safe loader reads them (numbers,
    booleans, null, dates), one at a time: no document tree is built."""

    def __init__(self) -> None:
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()

    def value(self, event: yaml.ScalarEvent) -> Any:
        tag = self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        construct = self._constructor.yaml_constructors.get(tag)
        if construct is None:  # '=' and '<<' resolve to tags with no safe constructor
            raise ValueError(f"{event.value[:_KEY_SHOWN]!r} is not a value; put it in quotes")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return construct(self._constructor, node)


def _read_yaml(text: str, source: str) -> Any:
    """Build the data of a YAML case file straight from the parser's events, in one pass and
    without recursion, refusing on the way what a case file never needs: several documents,
    anchors and aliases, tags, merge keys, repeated or non-text keys, deep nesting, too many
    values, over-long text. Raises yaml.YAMLError for text that is not YAML."""
    scalars = _Scalars()
    frames: list[_Frame] = []
    result: Any = None
    documents = nodes = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):  # noqa: S506 (a safe loader)
        parent = frames[-1] if frames else None
        where = parent.path if parent is not None else WHOLE_INPUT
        if isinstance(event, yaml.CollectionEndEvent):
            done = frames.pop()
            if not frames:
                result = done.container
            continue
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _refuse("holds more than one YAML document; a case file is one", source)
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _refuse(
                "YAML anchors and aliases (&name, *name) are not accepted in a case file; write "
                "each value out",
                source,
                where,
            )
        if event.tag is not None:
            raise _refuse(f"YAML tags ({event.tag}) are not accepted", source, where)
        nodes += 1
        if nodes > MAX_NODES:
            raise _refuse(f"has more than {MAX_NODES:,} values; a case file has far fewer", source)
        if parent is not None and isinstance(parent.container, dict) and parent.key is None:
            parent.key = _key(parent, event, scalars, source)
            continue
        path = WHOLE_INPUT if parent is None else parent.child_path()
        if isinstance(event, yaml.ScalarEvent):
            if len(event.value) > MAX_NOTE_LENGTH:
                raise _text_too_long(len(event.value), source, path)
            try:
                value = scalars.value(event)
            except ValueError as exc:  # e.g. a date in year 0, or a bare '='
                raise _refuse(f"cannot be read: {str(exc)[:200]}", source, path) from exc
            if parent is None:
                result = value
            else:
                parent.add(value)
            continue
        if len(frames) >= MAX_DEPTH:
            raise _too_deep(source, path)
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        if parent is not None:
            parent.add(container)
        frames.append(_Frame(path, container))
    return result


def _key(frame: _Frame, event: yaml.NodeEvent, scalars: _Scalars, source: str) -> str:
    """The key of the next value in a mapping: a field name, written once."""
    assert isinstance(frame.container, dict)
    if not isinstance(event, yaml.ScalarEvent):
        raise _refuse("keys must be field names, not lists or mappings", source, frame.path)
    if len(event.value) > MAX_NOTE_LENGTH:
        raise _refuse(
            f"has a key of {len(event.value):,} characters ({_key_words(event.value)!r})",
            source,
            frame.path,
        )
    if event.value == "<<" and event.implicit[0]:  # plain <<, not the quoted text "<<"
        raise _refuse("YAML merge keys (<<) are not accepted", source, frame.path)
    try:
        key = scalars.value(event)
    except ValueError as exc:
        raise _refuse(f"a key cannot be read: {str(exc)[:200]}", source, frame.path) from exc
    if not isinstance(key, str):
        raise _refuse(
            f"the key {_key_words(event.value)!r} is not a field name", source, frame.path
        )
    if key in frame.container:
        raise _refuse(f"the key {_key_words(key)!r} appears twice; keep one", source, frame.path)
    return key


def _text_too_long(length: int, source: str, path: str) -> CaseError:
    return _refuse(
        f"a value of {length:,} characters; at most {MAX_NOTE_LENGTH:,} are accepted",
        source,
        path,
    )


def _too_deep(source: str, where: str) -> CaseError:
    return _refuse(
        f"is nested more than {MAX_DEPTH} levels deep; a case file needs only a few", source, where
    )


def _children(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (str(key) if path == WHOLE_INPUT else f"{path}.{key}"), item
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (str(index) if path == WHOLE_INPUT else f"{path}.{index}"), item


def _check_values(data: Any, source: str) -> None:
    """Walk the parsed data without recursion: depth, count, key type and length, text length
    and number size (non-finite numbers are left to the case model, which names the field)."""
    stack: list[tuple[str, Any, int]] = [(WHOLE_INPUT, data, 0)]
    nodes = 0
    while stack:
        path, value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _refuse(f"has more than {MAX_NODES:,} values; a case file has far fewer", source)
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep(source, path)
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, str):
                        raise _refuse(
                            f"the key {_key_words(str(key))!r} is not a field name", source, path
                        )
                    if len(key) > MAX_NOTE_LENGTH:
                        raise _refuse(
                            f"has a key of {len(key):,} characters ({_key_words(key)!r})",
                            source,
                            path,
                        )
            stack.extend((child, item, depth + 1) for child, item in _children(value, path))
        elif isinstance(value, str) and len(value) > MAX_NOTE_LENGTH:
            raise _text_too_long(len(value), source, path)
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > MAX_MAGNITUDE
            and abs(value) != float("inf")
        ):
            raise _refuse("the number is far too large for any field of a case file", source, path)


class _RepeatedKey(ValueError):
    """A JSON object names one key twice (JSON readers would silently keep the last)."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(f"the key {_key_words(key)!r} appears twice; keep one")
        found[key] = value
    return found


def _parse(text: str, source: str) -> Any:
    """The data of a case file: read as YAML (JSON is YAML), else as JSON (a JSON file YAML
    cannot read, e.g. one with an escaped emoji), bounded and checked either way."""
    try:
        return _read_yaml(text, source)
    except yaml.YAMLError as exc:
        yaml_error = exc
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except RecursionError as exc:
        raise _too_deep(source, WHOLE_INPUT) from exc
    except json.JSONDecodeError:
        message = str(yaml_error)[:500]
        raise _refuse(f"not valid YAML or JSON: {message}", source) from yaml_error
    except _RepeatedKey as exc:
        raise _refuse(str(exc), source) from exc
    except ValueError as exc:  # Python refuses to read integers of thousands of digits
        raise _refuse("a number has too many digits to be read", source) from exc


# ---------------------------------------------------------------- to a Case


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        raised = (item.get("ctx") or {}).get("error")
        if isinstance(raised, FieldValueError):  # the validator named its own field
            location = f"{location}.{raised.field}" if location else raised.field
            message = raised.message
        if item["type"] == "extra_forbidden":
            message = "unknown field (unknown keys are errors, check the spelling)"
        if item["type"] == "finite_number":
            message = "must be a finite number (not NaN or infinity)"
        problems.append(FieldProblem(location or WHOLE_INPUT, message))
    return problems


def case_from_data(
    data: Any, *, today: dt.date, source: str = "case", kb: KnowledgeBase | None = None
) -> Case:
    """Validate already-parsed case data against `kb` (the shipped knowledge when not given);
    `today` is used when the file has no `as_of`."""
    if not isinstance(data, dict):
        raise CaseError([(WHOLE_INPUT, "the case file must be a mapping of fields")], source=source)
    _check_values(data, source)
    if data.get("as_of") is None:
        data = {**data, "as_of": today}
    try:
        return Case.from_data(data, kb if kb is not None else default_knowledge())
    except ValidationError as exc:
        raise CaseError(_problems(exc), source=source) from exc


def parse_case_document(text: str, *, source: str = "case") -> Any:
    """The data of a case file's YAML or JSON text, read with the same bounds as every case
    (no aliases or tags, depth and length caps), not yet validated; for callers that merge in
    fields (the service's `as_of`, an enrolled patient's records) before `case_from_data`."""
    if "\x00" in text:
        raise _nul(source)
    return _parse(text, source)


def parse_case_text(
    text: str, *, today: dt.date, source: str = "case", kb: KnowledgeBase | None = None
) -> Case:
    """Parse YAML or JSON text (JSON is YAML) into a Case."""
    return case_from_data(
        parse_case_document(text, source=source), today=today, source=source, kb=kb
    )


def parse_case_bytes(
    data: bytes,
    *,
    today: dt.date,
    source: str = "case",
    kb: KnowledgeBase | None = None,
    max_bytes: int | None = None,
) -> Case:
    """Decode and parse the bytes of a case file (size limit, encoding, structure) into a Case."""
    limit = max_case_bytes(max_bytes)
    if len(data) > limit:
        raise _too_large(limit, source)
    text = decode_case_bytes(data, source=source)
    return parse_case_text(text, today=today, source=source, kb=kb)


def load_case(
    path: Path,
    *,
    today: dt.date | None = None,
    kb: KnowledgeBase | None = None,
    max_bytes: int | None = None,
) -> Case:
    """Read a case file from disk; `today` defaults to the machine's date. The file is refused
    unread when its size is over the limit, and never read past it (pipes and devices too)."""
    text = read_case_text(path, max_bytes=max_bytes)
    return parse_case_text(text, today=today or dt.date.today(), source=str(path), kb=kb)


def read_case_text(path: Path, *, max_bytes: int | None = None) -> str:
    """The text of an input file (a case file or a FHIR Bundle), bounded and decoded as case
    files are: refused unread when over the size limit, never read past it."""
    source = str(path)
    limit = max_case_bytes(max_bytes)
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > limit:
                raise _too_large(limit, source)
            data = read_limited(stream, limit, source=source)
    except OSError as exc:
        raise _refuse(f"cannot read {path}: {exc.strerror}", source) from exc
    return decode_case_bytes(data, source=source)
