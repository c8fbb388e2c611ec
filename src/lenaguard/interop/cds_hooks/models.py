"""CDS Hooks 2.0 messages as typed models (names as the specification spells them).

Requests (`HookRequest`, the per-hook contexts, `FeedbackRequest`) are validated strictly where
the specification says SHALL (a UUID `hookInstance`, `fhirServer` with `fhirAuthorization`, the
context fields of each hook) and loosely elsewhere: extra members are kept, never refused, so an
EHR that sends more than lenaguard reads is still answered. Responses (`Card` and its parts)
enforce the card rules, including the 3.0 ballot's invariants: a card with suggestions has a
`selectionBehavior`, every action has a `description`, a `delete` names its `resourceId`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SUMMARY_LIMIT = 140
"""A card's summary is shorter than this (CDS Hooks: "<140 characters")."""


class _Open(BaseModel):
    """A request part: unknown members are kept (the EHR may send more than is read)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class _Closed(BaseModel):
    """A response part: only the specification's members, none of them empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


# --- requests ------------------------------------------------------------------------------


class FhirAuthorization(_Open):
    """The OAuth 2.0 bearer token the service may use on `fhirServer`."""

    access_token: str = Field(min_length=1)
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=0)
    scope: str
    subject: str
    patient: str | None = None


class HookRequest(_Open):
    """A call of one CDS Service (`POST /cds-services/{id}`)."""

    hook: str = Field(min_length=1)
    hookInstance: uuid.UUID
    fhirServer: str | None = Field(default=None, pattern=r"^https?://")
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_authorization(self) -> HookRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirServer is required when fhirAuthorization is sent")
        return self


class PatientViewContext(_Open):
    userId: str = Field(min_length=1)
    patientId: str = Field(min_length=1)
    encounterId: str | None = None


class DraftOrders(_Open):
    """A FHIR Bundle of the orders being selected or signed."""

    resourceType: Literal["Bundle"]
    entry: list[dict[str, Any]] = Field(default_factory=list)


class OrderSignContext(PatientViewContext):
    draftOrders: DraftOrders


class OrderSelectContext(OrderSignContext):
    selections: list[str] = Field(min_length=1)


CONTEXTS: dict[str, type[PatientViewContext]] = {
    "patient-view": PatientViewContext,
    "order-sign": OrderSignContext,
    "order-select": OrderSelectContext,
}
"""The context each hook must carry."""


class Coding(_Closed):
    system: str | None = None
    code: str
    display: str | None = None


class _FeedbackCoding(_Open):
    system: str | None = None
    code: str = Field(min_length=1)
    display: str | None = None


class OverrideReason(_Open):
    reason: _FeedbackCoding | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class AcceptedSuggestion(_Open):
    id: str = Field(min_length=1)


class FeedbackItem(_Open):
    """What the clinician did with one card."""

    card: str = Field(min_length=1, max_length=100)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: dt.datetime

    @model_validator(mode="after")
    def _outcome_members(self) -> FeedbackItem:
        if self.outcome == "overridden" and self.acceptedSuggestions:
            raise ValueError("an overridden card has no acceptedSuggestions")
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("an accepted card has no overrideReason")
        if self.outcomeTimestamp.tzinfo is None:
            raise ValueError("outcomeTimestamp needs a time zone (ISO 8601 with Z or an offset)")
        return self


class FeedbackRequest(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


# --- responses -----------------------------------------------------------------------------


class Source(_Closed):
    label: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://")
    icon: str | None = Field(default=None, pattern=r"^https?://")
    topic: Coding | None = None


class Action(_Closed):
    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)
    resource: dict[str, Any] | None = None
    resourceId: str | None = None

    @model_validator(mode="after")
    def _target(self) -> Action:
        if self.type == "delete" and not self.resourceId:
            raise ValueError("a delete action names its resourceId")
        if self.type in ("create", "update") and self.resource is None:
            raise ValueError(f"a {self.type} action carries the resource")
        return self


class Suggestion(_Closed):
    label: str = Field(min_length=1)
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    isRecommended: bool | None = None
    actions: list[Action] = Field(min_length=1)


class Link(_Closed):
    label: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    type: Literal["absolute", "smart"] = "absolute"
    appContext: str | None = None
    autolaunchable: bool | None = None


class Card(_Closed):
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(min_length=1, max_length=SUMMARY_LIMIT - 1)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("a card with suggestions has a selectionBehavior")
        return self


class Service(_Closed):
    """One entry of the discovery response."""

    hook: str
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    description: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None
