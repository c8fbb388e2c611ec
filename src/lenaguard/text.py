"""Wording on the ground floor: numbers and doses as clinicians write them, shared phrases.

Every surface formats a number or a dose through here, so the same value always reads the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lenaguard.knowledge.base import Cited
    from lenaguard.vocab import Frequency


def format_number(value: float) -> str:
    """A number as a clinician writes it: 30000 → '30,000', 2.5 → '2.5', 10.0 → '10'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def dose_words(dose_mg: float, frequency: Frequency) -> str:
    """'10 mg once daily', '15 mg every 48 hours'."""
    return f"{format_number(dose_mg)} mg {frequency.words}"


def capitalised(text: str) -> str:
    """The text with its first letter upper-cased (the rest untouched)."""
    return text[:1].upper() + text[1:]


def label_sections(entry: Cited) -> str:
    """The label sections an entry cites ('USPI §2.1 Table 1'), else its first section."""
    return "; ".join(f"USPI {c.section}" for c in entry.cite if c.source == "uspi") or (
        entry.cite[0].section
    )
