"""FHIR R4 JSON → typed R4B resources, bounded, with errors that name the entry and field.

The R4B models of `fhir.resources` read R4 JSON (the package's default models are R5 and
are never used). Only the resource types the mapping reads are validated; others are counted
as not used. A resource that is not valid FHIR is refused, naming `entry.N.resource.<field>`:
the EHR sent something broken, and nothing is guessed around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from lenaguard.errors import WHOLE_INPUT, CaseError

READ_TYPES = frozenset(
    {
        "Patient",
        "Observation",
        "MedicationRequest",
        "MedicationStatement",
        "Medication",
        "Condition",
        "Procedure",
    }
)
"""The resource types the mapping reads (validated with their R4B model)."""

TITLE = "invalid FHIR input"


def fhir_error(field: str, message: str, source: str) -> CaseError:
    return CaseError([(field, message)], source=source, title=TITLE)


def looks_like_fhir(data: Any) -> bool:
    """Whether parsed JSON is a FHIR resource (it names its `resourceType`)."""
    return isinstance(data, dict) and isinstance(data.get("resourceType"), str)


def parse_json(text: str, *, source: str) -> Any:
    """JSON text (a FHIR document) → Python data; a key written twice is refused, as in case files."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                raise ValueError(f"the key {key[:40]!r} appears twice; keep one")
            found[key] = value
        return found

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except RecursionError as exc:
        raise fhir_error(WHOLE_INPUT, "nested too deeply to be FHIR", source) from exc
    except json.JSONDecodeError as exc:
        raise fhir_error(WHOLE_INPUT, f"not valid JSON: {exc}", source) from exc
    except ValueError as exc:
        raise fhir_error(WHOLE_INPUT, str(exc)[:200], source) from exc


@dataclass(frozen=True)
class Entry:
    """One resource of the input: where it was found, its raw JSON and, when read, its model."""

    where: str
    """`entry.3.resource`, `prefetch.labs.entry.0.resource`, …: the path used in messages."""
    raw: dict[str, Any]
    model: Any | None
    """The R4B model (for READ_TYPES), else None."""

    @property
    def resource_type(self) -> str:
        return str(self.raw.get("resourceType"))


def _flatten(document: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every resource in a document, Bundles (also nested ones) opened, with its path."""
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        entries = document.get("entry") or []
        if not isinstance(entries, list):
            yield f"{where}.entry" if where else "entry", entries  # refused by the caller
            return
        for index, entry in enumerate(entries):
            prefix = f"{where}.entry.{index}" if where else f"entry.{index}"
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if resource is not None:
                yield from _flatten(resource, f"{prefix}.resource")
        return
    yield where or WHOLE_INPUT, document


def read_resources(documents: Iterable[tuple[str, Any]], *, source: str) -> list[Entry]:
    """The resources of several documents (each a Bundle, a resource or a list of them, named by
    a path prefix), validated with their R4B model when the mapping reads their type."""
    entries = []
    for prefix, document in documents:
        if isinstance(document, list):  # a list of resources (or Bundles)
            found = [
                pair
                for index, item in enumerate(document)
                for pair in _flatten(item, f"{prefix}.{index}" if prefix else str(index))
            ]
        else:
            found = list(_flatten(document, prefix))
        for where, raw in found:
            if not looks_like_fhir(raw):
                raise fhir_error(where, "not a FHIR resource (no resourceType)", source)
            entries.append(Entry(where, raw, _model(raw, where, source)))
    return entries


def _model(raw: dict[str, Any], where: str, source: str) -> Any | None:
    kind = raw["resourceType"]
    if kind not in READ_TYPES:
        return None
    try:
        return get_fhir_model_class(kind).model_validate(raw)
    except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        if not isinstance(exc, ValidationError):
            raise fhir_error(where, f"not valid FHIR R4: {str(exc)[:200]}", source) from exc
        problems = []
        for item in exc.errors()[:10]:
            location = ".".join(str(part) for part in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            problems.append((f"{where}.{location}" if location else where, message))
        raise CaseError(problems, source=source, title=TITLE) from exc
