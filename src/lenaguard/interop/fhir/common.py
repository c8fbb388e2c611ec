"""Small readers shared by the mapping modules: codings, references, dates and quantities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lenaguard.knowledge.topics.fhir import UCUM


def codings(concept: Any) -> list[tuple[str | None, str | None, str | None]]:
    """(system, code, display) of every coding of a CodeableConcept (none for None)."""
    if concept is None:
        return []
    return [(c.system, c.code, c.display) for c in (concept.coding or [])]


def concept_words(concept: Any) -> list[str]:
    """The human words of a CodeableConcept: its text, then each coding's display."""
    if concept is None:
        return []
    words = [concept.text] if concept.text else []
    return words + [display for _, _, display in codings(concept) if display]


def code_label(system: str | None, code: str | None, display: str | None) -> str:
    """`C90.00 (Multiple myeloma…)` for messages."""
    name = (system or "").rstrip("/").rsplit("/", 1)[-1]
    text = f"{name} {code}" if name else str(code)
    return f"{text} ({display})" if display else text


def reference_id(reference: Any) -> str | None:
    """The id a Reference points at: `Patient/123` → 123, `urn:uuid:abc` → abc."""
    text = getattr(reference, "reference", None) if reference is not None else None
    if not text:
        return None
    text = text.split("/_history/", 1)[0]
    if text.startswith("urn:uuid:"):
        return text.removeprefix("urn:uuid:")
    if "?" in text:  # a conditional reference cannot be resolved here
        return None
    return text.rstrip("/").rsplit("/", 1)[-1]


def full_date(value: Any) -> tuple[dt.date, dt.time | None] | None:
    """A FHIR date or dateTime with at least a day: (date, time of day or None). A partial date
    (`2025`, `2025-01`) reads as None. The date is the one written, in its own time zone."""
    if isinstance(value, dt.datetime):
        return value.date(), value.time().replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value, None
    return None


def number(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def quantity_units(quantity: Any) -> list[str]:
    """The unit spellings of a Quantity to try, most precise first: its UCUM code, its unit."""
    found = []
    if quantity.code and (quantity.system in (None, UCUM)):
        found.append(quantity.code)
    if quantity.unit:
        found.append(quantity.unit)
    return found
