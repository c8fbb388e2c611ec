"""Identifiers for stored records: random, so an id tells nothing about other records."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A record id such as `pat_4f3c…` (prefix + 16 random hex digits)."""
    return f"{prefix}_{secrets.token_hex(8)}"
