"""Verify the JWT an EHR sends with every CDS Hooks call (CDS Hooks 2.0, "Trusting CDS Clients").

- The token is signed with an asymmetric algorithm (RSA, RSA-PSS, ECDSA, EdDSA); `none` and
  HMAC are refused, and the header names its key (`kid`).
- The issuer (`iss`) is one of the trusted issuers of the file named by LENAGUARD_CDS_ISSUERS;
  its keys are given inline (`jwks`) or fetched from its `jwks_url` (cached). A `jku` header is
  never followed: it must equal the issuer's `jwks_url`, else the call is refused.
- `aud` is the URL that was called (LENAGUARD_PUBLIC_URL + path behind a proxy); `exp` and
  `iat` are checked with a small clock skew; `jti` is required (replay is checked by the caller,
  against the database every worker shares).
- No `sub`: accepted and logged (the official sandbox sends none).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from lenaguard.errors import InputError

ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
CLOCK_SKEW_S = 60
"""Seconds of clock difference tolerated on `exp` and `iat`."""
JWKS_TTL_S = 600
"""How long fetched keys are kept before they are fetched again."""
JWKS_RETRY_S = 30
"""An unknown `kid` refetches the keys at most this often (no amplification by callers)."""
FETCH_TIMEOUT = httpx.Timeout(3.0, connect=2.0)

_log = logging.getLogger("lenaguard.cds")


class CdsAuthError(Exception):
    """The call's JWT is refused; the message says why (returned in a 401)."""


@dataclass
class Issuer:
    iss: str
    jwks: dict[str, Any] | None = None
    jwks_url: str | None = None
    _fetched: dict[str, Any] | None = field(default=None, repr=False)
    _fetched_at: float = 0.0


class TrustedIssuers:
    """The issuers file, and the keys of each issuer (inline or fetched)."""

    def __init__(self, issuers: list[Issuer], client: httpx.Client | None = None):
        self._issuers = {issuer.iss: issuer for issuer in issuers}
        self._client = client
        self._lock = threading.Lock()

    @classmethod
    def empty(cls) -> TrustedIssuers:
        return cls([])

    @classmethod
    def from_data(
        cls, data: Any, *, source: str = "issuers", client: httpx.Client | None = None
    ) -> TrustedIssuers:
        """From the parsed issuers file; raises InputError naming what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
            raise InputError([(source, 'expected {"issuers": [...]}')])
        found = []
        for index, item in enumerate(data["issuers"]):
            where = f"{source}: issuers.{index}"
            if not isinstance(item, dict) or not isinstance(item.get("iss"), str):
                raise InputError([(where, "each issuer needs an iss (string)")])
            jwks, url = item.get("jwks"), item.get("jwks_url")
            if (jwks is None) == (url is None):
                raise InputError([(where, "give exactly one of jwks and jwks_url")])
            if jwks is not None and not (
                isinstance(jwks, dict) and isinstance(jwks.get("keys"), list)
            ):
                raise InputError([(where, 'jwks must be {"keys": [...]}')])
            if url is not None and not (isinstance(url, str) and url.startswith("https://")):
                raise InputError([(where, "jwks_url must be an https:// URL")])
            found.append(Issuer(iss=item["iss"], jwks=jwks, jwks_url=url))
        return cls(found, client=client)

    @classmethod
    def from_file(cls, path: Path) -> TrustedIssuers:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError([("LENAGUARD_CDS_ISSUERS", f"{path}: {exc}")]) from None
        return cls.from_data(data, source=str(path))

    def get(self, iss: str) -> Issuer | None:
        return self._issuers.get(iss)

    def key_set(self, issuer: Issuer, *, refresh: bool = False) -> dict[str, Any]:
        """The issuer's JWKS (fetched ones cached; `refresh` refetches if allowed)."""
        if issuer.jwks is not None:
            return issuer.jwks
        now = time.monotonic()
        with self._lock:
            stale = issuer._fetched is None or now - issuer._fetched_at > JWKS_TTL_S
            retry = refresh and now - issuer._fetched_at > JWKS_RETRY_S
            if stale or retry:
                issuer._fetched = self._fetch(issuer)
                issuer._fetched_at = now
            assert issuer._fetched is not None
            return issuer._fetched

    def _fetch(self, issuer: Issuer) -> dict[str, Any]:
        assert issuer.jwks_url is not None
        try:
            client = self._client or httpx.Client(timeout=FETCH_TIMEOUT)
            response = client.get(issuer.jwks_url, headers={"Accept": "application/json"})
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            _log.warning("JWKS of %s not fetched: %s", issuer.iss, exc)
            if issuer._fetched is not None:
                return issuer._fetched
            raise CdsAuthError(f"the keys of issuer {issuer.iss} could not be fetched") from None
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise CdsAuthError(f"the key set at {issuer.jwks_url} is not a JWKS")
        return data


@dataclass(frozen=True)
class VerifiedCall:
    iss: str
    jti: str
    expires_at: dt.datetime
    sub: str | None


def _key(keys: dict[str, Any], kid: str, alg: str) -> Any | None:
    for jwk in keys.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            if jwk.get("alg") not in (None, alg):
                raise CdsAuthError(f"key {kid} is for {jwk.get('alg')}, not {alg}")
            try:
                return jwt.PyJWK(jwk, algorithm=alg).key
            except jwt.PyJWTError as exc:
                raise CdsAuthError(f"key {kid} cannot verify {alg}: {exc}") from None
    return None


def verify(
    token: str, *, audience: str, issuers: TrustedIssuers, now: dt.datetime | None = None
) -> VerifiedCall:
    """The verified claims of a CDS Hooks JWT, or CdsAuthError saying why it is refused."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise CdsAuthError(f"not a JWT: {exc}") from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ASYMMETRIC:
        raise CdsAuthError(f"algorithm {alg!r} refused: only asymmetric signatures are accepted")
    if not isinstance(kid, str) or not kid:
        raise CdsAuthError("the JWT header names no key (kid)")
    iss = unverified.get("iss")
    issuer = issuers.get(iss) if isinstance(iss, str) else None
    if issuer is None:
        raise CdsAuthError(f"issuer {iss!r} is not trusted")
    jku = header.get("jku")
    if jku is not None and jku != issuer.jwks_url:
        raise CdsAuthError("jku is not this issuer's registered jwks_url: not followed")
    key = _key(issuers.key_set(issuer), kid, alg)
    if key is None and issuer.jwks_url is not None:
        key = _key(issuers.key_set(issuer, refresh=True), kid, alg)
    if key is None:
        raise CdsAuthError(f"unknown key {kid!r} for issuer {iss}")
    moment = now or dt.datetime.now(dt.UTC)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=audience,
            issuer=iss,
            leeway=CLOCK_SKEW_S,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise CdsAuthError("the JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise CdsAuthError(f"the JWT's aud is not {audience}") from None
    except jwt.PyJWTError as exc:
        raise CdsAuthError(f"JWT refused: {exc}") from None
    iat, exp = claims["iat"], claims["exp"]
    stamp = moment.timestamp()
    if not isinstance(iat, int | float) or iat > stamp + CLOCK_SKEW_S:
        raise CdsAuthError("the JWT's iat is in the future")
    if exp < stamp - CLOCK_SKEW_S:  # PyJWT checks against the wall clock; this against `now`
        raise CdsAuthError("the JWT has expired")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise CdsAuthError("the JWT's jti must be a string of 1 to 200 characters")
    sub = claims.get("sub")
    if sub is None:
        _log.info("CDS Hooks JWT from %s has no sub claim (accepted, as the sandbox sends)", iss)
    return VerifiedCall(
        iss=iss,
        jti=jti,
        expires_at=dt.datetime.fromtimestamp(exp, dt.UTC),
        sub=sub if isinstance(sub, str) else None,
    )
