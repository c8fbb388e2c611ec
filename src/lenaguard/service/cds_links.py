"""Signed links to one assessment page, valid for a few minutes (HMAC-SHA256 in the URL).

A card links to `/assessments/{id}?token=EXPIRES.SIGNATURE`; the signature covers the id and
the expiry, so a token opens that assessment only, and only until it expires. The key is
LENAGUARD_CDS_LINK_SECRET, else a random key kept in the data directory (one installation).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

LINK_MINUTES = 10
KEY_FILE = "cds-link.key"


def link_secret(configured: str | None, home: Path) -> bytes:
    """The signing key: configured, or created once in the data directory (mode 0600)."""
    if configured:
        return configured.encode()
    path = home / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def _signature(secret: bytes, assessment_id: str, expires: int) -> str:
    digest = hmac.new(secret, f"{assessment_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, assessment_id: str, now: dt.datetime) -> str:
    """A token for one assessment, valid LINK_MINUTES from `now`."""
    expires = int((now + dt.timedelta(minutes=LINK_MINUTES)).timestamp())
    return f"{expires}.{_signature(secret, assessment_id, expires)}"


def check(secret: bytes, assessment_id: str, token: str, now: dt.datetime) -> bool:
    """Whether a token opens this assessment now."""
    expires_text, _, signature = token.partition(".")
    if not expires_text.isdigit() or not signature:
        return False
    expected = _signature(secret, assessment_id, int(expires_text))
    return hmac.compare_digest(expected, signature) and now.timestamp() <= int(expires_text)
