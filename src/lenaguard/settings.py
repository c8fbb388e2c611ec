"""Where lenaguard keeps its data and how the service runs, resolved from the environment once.

    LENAGUARD_HOME            data directory (else $XDG_DATA_HOME/lenaguard, else
                              ~/.local/share/lenaguard): the SQLite file and the evidence index
    LENAGUARD_DATABASE_URL    the database (default: sqlite in the data directory); PostgreSQL as
                              postgresql+psycopg://user@host:5432/name
    LENAGUARD_TIMEZONE        the clinic's time zone (IANA name; default: the system's). Times are
                              stored in UTC; date windows count in the clinic's dates.
    LENAGUARD_TOKEN_DAYS      days an API token stays valid (default 90)
    LENAGUARD_MAX_REQUEST_BYTES  largest request body the service reads (default 1 MB)
    LENAGUARD_PUBLIC_URL      the externally visible base URL (links, JWT audience)
    LENAGUARD_CDS_ISSUERS     JSON file of the EHRs trusted to call the CDS Hooks services:
                              {"issuers": [{"iss": ..., "jwks": {...}} | {"iss": ..., "jwks_url": ...}]}
    LENAGUARD_CDS_ALLOW_UNSIGNED  1: accept CDS Hooks calls with no JWT (set by
                              `lenaguard serve --cds-allow-unsigned`; never in production)
    LENAGUARD_CDS_PLAN_CARD   1: when nothing needs action, answer a hook with one info card
                              that summarises the plan (default: no card)
    LENAGUARD_CDS_CORS_ORIGINS  origins allowed to call /cds-services from a browser (comma
                              separated, or *); none by default
    LENAGUARD_CDS_LINK_SECRET the key that signs the assessment links on cards (every worker and
                              replica needs the same one); default: a random key kept in the
                              data directory
    LENAGUARD_SESSION_HOURS   hours a web page sign-in lasts (default 12; never beyond the
                              API token it was made with)
    LENAGUARD_SECURE_COOKIES  1: session cookies only over HTTPS (set it behind TLS; default
                              on when LENAGUARD_PUBLIC_URL starts with https://)
    LENAGUARD_CLINIC_NAME     the clinic's name on patient handouts
    LENAGUARD_CLINIC_PHONE    the clinic's phone number on patient handouts

Every surface (CLI, service, tests) builds one `Settings` with `Settings.from_env()` and passes it
on; nothing else reads these variables.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from lenaguard.errors import InputError

__all__ = ["Settings", "data_home", "system_timezone"]


def data_home(env: Mapping[str, str]) -> Path:
    """The data directory: LENAGUARD_HOME, else $XDG_DATA_HOME/lenaguard, else ~/.local/share."""
    if env.get("LENAGUARD_HOME"):
        return Path(env["LENAGUARD_HOME"]).expanduser()
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "lenaguard"
    return Path.home() / ".local" / "share" / "lenaguard"


def system_timezone() -> str:
    """The system's IANA time zone name (UTC when it cannot be told)."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _zone(name: str, field: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            [(field, f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)")]
        ) from None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError([(name, f"must be a whole number of at least 1 (got {raw!r})")])
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise InputError([(name, f"must be 1 or 0 (got {raw!r})")])


class Settings(BaseModel):
    """How this lenaguard installation runs."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    home: Path
    database_url: str
    timezone_name: str = "UTC"
    token_days: int = Field(default=90, ge=1)
    max_request_bytes: int = Field(default=1_000_000, ge=1)
    public_url: str | None = None
    cds_issuers: Path | None = None
    cds_allow_unsigned: bool = False
    cds_plan_card: bool = False
    cds_cors_origins: tuple[str, ...] = ()
    cds_link_secret: str | None = None
    session_hours: int = Field(default=12, ge=1)
    secure_cookies: bool = False
    clinic_name: str | None = Field(default=None, max_length=200)
    clinic_phone: str | None = Field(default=None, max_length=40)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables (os.environ by default)."""
        env = os.environ if env is None else env
        home = data_home(env)
        url = env.get("LENAGUARD_DATABASE_URL") or f"sqlite:///{home / 'lenaguard.sqlite3'}"
        zone = env.get("LENAGUARD_TIMEZONE") or system_timezone()
        _zone(zone, "LENAGUARD_TIMEZONE")
        return cls(
            home=home,
            database_url=url,
            timezone_name=zone,
            token_days=_positive_int(env, "LENAGUARD_TOKEN_DAYS", 90),
            max_request_bytes=_positive_int(env, "LENAGUARD_MAX_REQUEST_BYTES", 1_000_000),
            public_url=(env.get("LENAGUARD_PUBLIC_URL") or "").rstrip("/") or None,
            cds_issuers=Path(env["LENAGUARD_CDS_ISSUERS"]).expanduser()
            if env.get("LENAGUARD_CDS_ISSUERS")
            else None,
            cds_allow_unsigned=_flag(env, "LENAGUARD_CDS_ALLOW_UNSIGNED"),
            cds_plan_card=_flag(env, "LENAGUARD_CDS_PLAN_CARD"),
            cds_cors_origins=tuple(
                origin.strip()
                for origin in (env.get("LENAGUARD_CDS_CORS_ORIGINS") or "").split(",")
                if origin.strip()
            ),
            cds_link_secret=env.get("LENAGUARD_CDS_LINK_SECRET") or None,
            session_hours=_positive_int(env, "LENAGUARD_SESSION_HOURS", 12),
            secure_cookies=_flag(env, "LENAGUARD_SECURE_COOKIES")
            or (env.get("LENAGUARD_PUBLIC_URL") or "").startswith("https://"),
            clinic_name=(env.get("LENAGUARD_CLINIC_NAME") or "").strip() or None,
            clinic_phone=(env.get("LENAGUARD_CLINIC_PHONE") or "").strip() or None,
        )

    @property
    def timezone(self) -> ZoneInfo:
        return _zone(self.timezone_name, "LENAGUARD_TIMEZONE")

    def clinic_date(self, moment: dt.datetime) -> dt.date:
        """The clinic's calendar date at an aware moment."""
        return moment.astimezone(self.timezone).date()

    def clinic_today(self) -> dt.date:
        return self.clinic_date(dt.datetime.now(dt.UTC))
