"""Fetch the prefetch an EHR left out, from its `fhirServer`, with its `fhirAuthorization`.

Short timeouts: a hook must answer within about half a second, so a slow FHIR server makes the
call fail with 412 (CDS Hooks: the service could not retrieve the data it needs) rather than
keep the clinician waiting. Only the first page of a search is read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

FETCH_TIMEOUT = httpx.Timeout(2.5, connect=1.0)
_log = logging.getLogger("lenaguard.cds")


class PrefetchUnavailable(Exception):
    """The data a service needs could not be had; the message says which and why."""


async def fetch_prefetch(
    server: str | None,
    access_token: str | None,
    queries: Mapping[str, str | None],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """key → the FHIR resource (or searchset Bundle) of each query, fetched concurrently."""
    if not queries:
        return {}
    keys = ", ".join(sorted(queries))
    if server is None:
        raise PrefetchUnavailable(f"prefetch {keys} missing and no fhirServer to fetch it from")
    unfillable = sorted(key for key, query in queries.items() if query is None)
    if unfillable:
        raise PrefetchUnavailable(f"prefetch {', '.join(unfillable)}: the context lacks its tokens")
    headers = {"Accept": "application/fhir+json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    base = server.rstrip("/")
    async with httpx.AsyncClient(
        timeout=FETCH_TIMEOUT, headers=headers, transport=transport, follow_redirects=False
    ) as client:

        async def one(key: str, query: str) -> tuple[str, Any]:
            try:
                response = await client.get(f"{base}/{query}")
                response.raise_for_status()
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                _log.warning("prefetch %s from %s failed: %s", key, base, exc)
                raise PrefetchUnavailable(
                    f"prefetch {key} could not be fetched from {base}: {exc}"
                ) from None
            if not isinstance(data, dict) or "resourceType" not in data:
                raise PrefetchUnavailable(f"prefetch {key} from {base} is not a FHIR resource")
            return key, data

        pairs = await asyncio.gather(*(one(k, q) for k, q in queries.items() if q is not None))
    return dict(pairs)
