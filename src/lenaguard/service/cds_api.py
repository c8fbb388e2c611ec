"""The CDS Hooks service: discovery, the three hooks, feedback, and the assessment page.

    GET  /cds-services                   discovery (public: it says only what lenaguard offers)
    POST /cds-services/{id}              a hook call → {"cards": [...]}
    POST /cds-services/{id}/feedback     what the clinician did with the cards
    GET  /assessments/{id}?token=…       the assessment behind the cards (signed link, 10 min)

Every hook and feedback call carries the EHR's JWT (cds_security), unless the service was
started with `--cds-allow-unsigned`. A request that is not valid CDS Hooks is a 400 naming
what is wrong; missing prefetch is fetched from `fhirServer` or, when that cannot be done, a
412; FHIR data that cannot be read is a 400 naming the resource field. Never a 500 for input.
CORS (LENAGUARD_CDS_CORS_ORIGINS) applies to /cds-services only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from lenaguard.errors import CaseError
from lenaguard.interop.cds_hooks import (
    HOOKS,
    FeedbackRequest,
    HookRequest,
    assess_hook,
    build_cards,
    fill_template,
    missing_prefetch,
    parse_context,
    prefetch_templates,
    services,
)
from lenaguard.service import cds_links, cds_page
from lenaguard.service.cds_fetch import PrefetchUnavailable, fetch_prefetch
from lenaguard.service.cds_security import CdsAuthError, TrustedIssuers, VerifiedCall, verify
from lenaguard.service.problems import problem
from lenaguard.settings import Settings
from lenaguard.workflow.cds.models import CdsAssessment, CdsCard, CdsFeedback, CdsTokenUse
from lenaguard.workflow.clock import Now

__all__ = ["install", "router"]

PREFIX = "/cds-services"
_log = logging.getLogger("lenaguard.cds")

router = APIRouter(tags=["CDS Hooks"])


class CdsCors:
    """CORS for /cds-services only: browser-based EHRs call with an Authorization header."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]):
        self.app = app
        self.cors = (
            CORSMiddleware(
                app,
                allow_origins=list(origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
            if origins
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is not None and scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Add the CDS Hooks routes and their CORS to the app (one line in create_app)."""
    settings: Settings = app.state.settings
    app.state.cds_issuers = (
        TrustedIssuers.from_file(settings.cds_issuers)
        if settings.cds_issuers is not None
        else TrustedIssuers.empty()
    )
    app.state.cds_link_secret = None  # made on first use (the data directory may be read-only)
    app.include_router(router)
    app.add_middleware(CdsCors, origins=settings.cds_cors_origins)


# --- helpers -------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _secret(request: Request) -> bytes:
    state = request.app.state
    if state.cds_link_secret is None:
        settings = _settings(request)
        state.cds_link_secret = cds_links.link_secret(settings.cds_link_secret, settings.home)
    return state.cds_link_secret


def _called_url(request: Request) -> str:
    """The URL the EHR called (the JWT audience): LENAGUARD_PUBLIC_URL + path behind a proxy."""
    public = _settings(request).public_url
    if public:
        return public + request.url.path
    return str(request.url.replace(query=None, fragment=None))


def _base_url(request: Request) -> str:
    return _settings(request).public_url or str(request.base_url).rstrip("/")


def _bad_request(message: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    return problem(400, "invalid CDS Hooks request", detail=message, errors=errors)


def _validation_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    return [
        {
            "field": prefix + (".".join(str(part) for part in item["loc"]) or "(body)"),
            "message": item["msg"],
        }
        for item in exc.errors()
    ]


def _authenticate(request: Request) -> VerifiedCall | JSONResponse | None:
    """The verified call, None when unsigned calls are allowed, or a 401 problem."""
    header = request.headers.get("authorization")
    if not header:
        if _settings(request).cds_allow_unsigned:
            return None
        return problem(
            401,
            "authentication required",
            detail="Send the EHR's JWT: Authorization: Bearer <JWT>.",
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "authentication required", detail="Authorization must be Bearer <JWT>.")
    try:
        call = verify(
            token.strip(), audience=_called_url(request), issuers=request.app.state.cds_issuers
        )
    except CdsAuthError as exc:
        return problem(401, "JWT refused", detail=str(exc))
    database = request.app.state.database
    now = dt.datetime.now(dt.UTC)
    try:
        with database.transaction() as session:
            session.query(CdsTokenUse).filter(CdsTokenUse.expires_at < now).delete()
            session.add(CdsTokenUse(issuer=call.iss, jti=call.jti, expires_at=call.expires_at))
    except IntegrityError:
        return problem(401, "JWT refused", detail="this jti was already used: replay refused")
    return call


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadBody(f"the body is not JSON: {exc}") from None


class _BadBody(Exception):
    pass


# --- discovery -----------------------------------------------------------------------------


@router.get(PREFIX, summary="CDS Hooks discovery")
def discovery(request: Request) -> JSONResponse:
    kb = request.app.state.knowledge
    return JSONResponse({"services": [service.to_json() for service in services(kb)]})


# --- hook calls ----------------------------------------------------------------------------


@router.post(PREFIX + "/{service_id}", summary="Call a CDS Service (a hook)")
async def call_service(service_id: str, request: Request, now: Now) -> Response:
    """The assessment date is the server's date (`now`, in the clinic's time zone); JWT times
    and link expiry are checked against the wall clock."""
    if service_id not in HOOKS:
        return problem(404, "not found", detail=f"no CDS Service {service_id!r}; see GET {PREFIX}")
    auth = await run_in_threadpool(_authenticate, request)
    if isinstance(auth, JSONResponse):
        return auth
    try:
        body = await _json_body(request)
        hook_request = HookRequest.model_validate(body)
    except _BadBody as exc:
        return _bad_request(str(exc))
    except ValidationError as exc:
        return _bad_request("the request is not a valid CDS Hooks call", _validation_errors(exc))
    if hook_request.hook != HOOKS[service_id]:
        return _bad_request(
            f"service {service_id} answers the {HOOKS[service_id]} hook, not {hook_request.hook!r}"
        )
    try:
        context = parse_context(hook_request)
    except ValidationError as exc:
        return _bad_request(
            f"the context is not a valid {hook_request.hook} context",
            _validation_errors(exc, "context."),
        )
    kb = request.app.state.knowledge
    templates = prefetch_templates(kb)
    prefetch = {k: v for k, v in (hook_request.prefetch or {}).items() if k in templates}
    missing = missing_prefetch(templates, prefetch)
    if missing:
        token = (
            hook_request.fhirAuthorization.access_token if hook_request.fhirAuthorization else None
        )
        queries = {key: fill_template(templates[key], context.model_dump()) for key in missing}
        try:
            prefetch |= await fetch_prefetch(hook_request.fhirServer, token, queries)
        except PrefetchUnavailable as exc:
            return problem(412, "prefetch unavailable", detail=str(exc))
    settings = _settings(request)
    try:
        cards = await run_in_threadpool(
            _answer, request, service_id, hook_request, context, prefetch, settings.clinic_date(now)
        )
    except CaseError as exc:
        body = exc.to_problem()
        return problem(400, "FHIR data cannot be read", detail=body["title"], errors=body["errors"])
    return JSONResponse({"cards": cards})


def _answer(
    request: Request,
    service_id: str,
    hook_request: HookRequest,
    context: Any,
    prefetch: dict[str, Any],
    today: dt.date,
) -> list[dict]:
    kb = request.app.state.knowledge
    outcome = assess_hook(hook_request, context, prefetch, today=today, kb=kb)
    if not outcome.assessed:
        return []
    now = dt.datetime.now(dt.UTC)
    assessment_id = uuid.uuid4().hex
    token = cds_links.sign(_secret(request), assessment_id, now)
    link = f"{_base_url(request)}/assessments/{assessment_id}?token={token}"
    issued = build_cards(
        outcome.assessed,
        kb,
        draft=outcome.draft,
        link=link,
        plan_card=_settings(request).cds_plan_card,
    )
    if not issued:
        return []
    instance = str(hook_request.hookInstance)
    with request.app.state.database.transaction() as session:
        # an assessment is only reachable through a link valid LINK_MINUTES: older ones go
        expired = now - dt.timedelta(minutes=cds_links.LINK_MINUTES)
        session.query(CdsAssessment).filter(CdsAssessment.created_at < expired).delete()
        session.add(
            CdsAssessment(
                id=assessment_id,
                service=service_id,
                hook_instance=instance,
                created_at=now,
                assessment={"assessments": [a.assessment.to_json_dict() for a in outcome.assessed]},
            )
        )
        for item in issued:
            session.add(
                CdsCard(
                    uuid=item.card.uuid,
                    service=service_id,
                    card_type=item.card_type,
                    hook_instance=instance,
                    issued_at=now,
                )
            )
    return [item.card.to_json() for item in issued]


# --- feedback ------------------------------------------------------------------------------


@router.post(PREFIX + "/{service_id}/feedback", summary="Feedback on a service's cards")
async def feedback(service_id: str, request: Request) -> Response:
    if service_id not in HOOKS:
        return problem(404, "not found", detail=f"no CDS Service {service_id!r}")
    auth = await run_in_threadpool(_authenticate, request)
    if isinstance(auth, JSONResponse):
        return auth
    try:
        body = FeedbackRequest.model_validate(await _json_body(request))
    except _BadBody as exc:
        return _bad_request(str(exc))
    except ValidationError as exc:
        return _bad_request("the feedback is not valid CDS Hooks feedback", _validation_errors(exc))
    await run_in_threadpool(_store_feedback, request, service_id, body)
    return JSONResponse({})


def _store_feedback(request: Request, service_id: str, body: FeedbackRequest) -> None:
    now = dt.datetime.now(dt.UTC)
    with request.app.state.database.transaction() as session:
        ids = {item.card for item in body.feedback}
        types = dict(
            session.execute(
                select(CdsCard.uuid, CdsCard.card_type).where(CdsCard.uuid.in_(ids))
            ).all()
        )
        for item in body.feedback:
            reason = item.overrideReason.reason if item.overrideReason else None
            session.add(
                CdsFeedback(
                    service=service_id,
                    card=item.card,
                    card_type=types.get(item.card, "unknown"),
                    outcome=item.outcome,
                    accepted_suggestions=[s.id for s in item.acceptedSuggestions or []] or None,
                    override_code=reason.code if reason else None,
                    override_display=reason.display if reason else None,
                    user_comment=item.overrideReason.userComment if item.overrideReason else None,
                    outcome_at=item.outcomeTimestamp,
                    received_at=now,
                )
            )


# --- the assessment page -------------------------------------------------------------------

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@router.get(
    "/assessments/{assessment_id}",
    summary="The assessment behind CDS Hooks cards",
    include_in_schema=False,
)
def assessment_page(assessment_id: str, request: Request, token: str = "") -> Response:
    now = dt.datetime.now(dt.UTC)
    if not token or not cds_links.check(_secret(request), assessment_id, token, now):
        return HTMLResponse(
            "<!doctype html><title>lenaguard</title><p>This link is invalid or has expired; "
            "open the card again.</p>",
            status_code=403,
            headers=PAGE_HEADERS,
        )
    with request.app.state.database.reading() as session:
        record = session.get(CdsAssessment, assessment_id)
        data = record.assessment if record is not None else None
    if data is None:
        return HTMLResponse(
            "<!doctype html><title>lenaguard</title><p>Not found.</p>",
            status_code=404,
            headers=PAGE_HEADERS,
        )
    return HTMLResponse(cds_page.render(data, request.app.state.knowledge), headers=PAGE_HEADERS)
