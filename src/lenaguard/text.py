"""Small phrases the rules share, so the same thing is always written the same way."""

from __future__ import annotations

from lenaguard.findings import format_number
from lenaguard.knowledge import Cited
from lenaguard.vocab import Frequency


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
