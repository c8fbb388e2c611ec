"""A hook call → the case, its assessment(s) and the draft order being checked. Pure.

The documents are the prefetch (fetched by the service where the EHR left keys out) and, for
the order hooks, `context.draftOrders`. The indication comes from the patient's Conditions or
the draft's `reasonCode`; when neither names one, the draft is assessed once per indication
whose starting dose it fits, never guessed. The assessment date is the server's date.

Only the draft lenalidomide orders are read from `draftOrders`. What gets no cards: an order
hook with no lenalidomide draft (including an order-select fired before a drug is chosen: a
MedicationRequest with no `intent` and no medication), and a
patient-view of a patient with no lenalidomide course or no known indication.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lenaguard.assess import assess
from lenaguard.errors import CaseError
from lenaguard.interop.cds_hooks.cards import Assessed, Draft, fits
from lenaguard.interop.cds_hooks.models import (
    CONTEXTS,
    HookRequest,
    OrderSignContext,
    PatientViewContext,
)
from lenaguard.interop.fhir import MappedCase, case_from_fhir
from lenaguard.interop.fhir.medications import is_lenalidomide
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.fhir import RXNORM
from lenaguard.vocab import Indication

DRAFT_PATH = "context.draftOrders"
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")


@dataclass(frozen=True)
class HookAssessment:
    """What a hook call found: the assessments (none: no cards) and the draft, if any."""

    assessed: list[Assessed] = field(default_factory=list)
    draft: Draft | None = None
    patient_id: str | None = None


def parse_context(request: HookRequest) -> PatientViewContext:
    """The context validated for its hook (raises pydantic's ValidationError)."""
    model = CONTEXTS.get(request.hook)
    if model is None:
        raise ValueError(f"hook {request.hook!r} is not one lenaguard answers")
    return model.model_validate(request.context)


def missing_prefetch(templates: Mapping[str, str], prefetch: Mapping[str, Any] | None) -> list[str]:
    """Prefetch keys the EHR left out or could not fill (an OperationOutcome in their place).

    A key sent as null means "no data" (CDS Hooks 2.0) and is not missing.
    """
    given = prefetch or {}
    return [
        key
        for key in templates
        if key not in given
        or (isinstance(given[key], dict) and given[key].get("resourceType") == "OperationOutcome")
    ]


def fill_template(template: str, context: Mapping[str, Any]) -> str | None:
    """A prefetch template with its context tokens replaced (None: a token has no value)."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = context.get(match.group(1))
        if not isinstance(found, str) or not found:
            missing = True
            return ""
        return found

    filled = _TOKEN.sub(value, template)
    return None if missing else filled


def _names_lenalidomide(resource: Mapping[str, Any], kb: KnowledgeBase) -> bool:
    """Whether a draft MedicationRequest orders lenalidomide (RxNorm code first, then names),
    read from the JSON as sent: other drafts are not read at all, so an invalid one (the spec's
    own examples have some) cannot fail the call."""
    concept = resource.get("medicationCodeableConcept")
    if not isinstance(concept, dict):
        reference = resource.get("medicationReference")
        display = reference.get("display") if isinstance(reference, dict) else None
        concept = {"text": display} if isinstance(display, str) else {}
    catalogue = kb.get(DrugCatalogue)
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    for coding in codings:
        code = coding.get("code")
        if coding.get("system") == RXNORM and isinstance(code, str):
            found = catalogue.find(None, code)
            if found is not None:
                return is_lenalidomide(found[0])
    words = [concept.get("text"), *(c.get("display") for c in codings)]
    for word in words:
        if isinstance(word, str) and word:
            found = catalogue.find(word, None)
            if found is not None:
                return is_lenalidomide(found[0])
    return False


def lenalidomide_drafts(
    bundle: Mapping[str, Any], kb: KnowledgeBase
) -> list[tuple[int, dict[str, Any]]]:
    """(entry index, resource) of the draft lenalidomide orders. A MedicationRequest with no
    intent or no medication (order-select fires before they are chosen) is not one yet."""
    found = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "MedicationRequest":
            continue
        if resource.get("intent") and _names_lenalidomide(resource, kb):
            found.append((index, resource))
    return found


def _reason_conditions(drafts: list[dict[str, Any]], patient_id: str) -> list[dict[str, Any]]:
    """The drafts' reasonCode as Conditions, so the mapping reads the indication they name."""
    made = []
    for resource in drafts:
        for number, reason in enumerate(resource.get("reasonCode") or []):
            if isinstance(reason, dict) and reason.get("coding"):
                made.append(
                    {
                        "resourceType": "Condition",
                        "id": f"reason-{resource.get('id', 'draft')}-{number}"[:64],
                        "clinicalStatus": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                    "code": "active",
                                }
                            ]
                        },
                        "code": reason,
                        "subject": {"reference": f"Patient/{patient_id}"},
                    }
                )
    return made


def _indication_unknown(error: CaseError) -> bool:
    return any(problem.field == "indication" for problem in error.problems)


def assess_hook(
    request: HookRequest,
    context: PatientViewContext,
    prefetch: Mapping[str, Any],
    *,
    today: dt.date,
    kb: KnowledgeBase,
) -> HookAssessment:
    """Assess the patient of a hook call. Raises CaseError when the FHIR data cannot be read."""
    documents: list[tuple[str, Any]] = [
        (f"prefetch.{key}", value)
        for key, value in prefetch.items()
        if isinstance(value, dict) and value.get("resourceType") != "OperationOutcome"
    ]
    drafts: dict[int, dict[str, Any]] = {}
    if isinstance(context, OrderSignContext):
        bundle = context.draftOrders.model_dump()
        complete = lenalidomide_drafts(bundle, kb)
        drafts = dict(complete)
        if not complete:
            return HookAssessment(patient_id=context.patientId)
        documents += [(f"{DRAFT_PATH}.entry.{index}.resource", r) for index, r in complete]
        reasons = _reason_conditions(list(drafts.values()), context.patientId)
        documents += [(f"{DRAFT_PATH}.reasonCode", c) for c in reasons]
    order_hook = isinstance(context, OrderSignContext)
    try:
        mapped = case_from_fhir(documents, today=today, kb=kb, source="CDS Hooks request")
        candidates = [(mapped, False)]
    except CaseError as error:
        if not _indication_unknown(error) or not order_hook:
            if _indication_unknown(error):
                return HookAssessment(patient_id=context.patientId)
            raise
        candidates = _per_indication(documents, today, kb)
    first = candidates[0][0] if candidates else None
    if first is None or (order_hook and not first.proposals):
        return HookAssessment(patient_id=context.patientId)
    if not order_hook and first.case.therapy is None:
        return HookAssessment(patient_id=context.patientId)
    draft = None
    if order_hook:
        proposal = first.proposals[0]
        index = int(proposal.where.split(".")[3])
        draft = Draft(proposal=proposal, resource=drafts[index])
    assessed = [
        Assessed(assess(item.case, kb, notes=item.notes), assumed=assumed)
        for item, assumed in candidates
    ]
    return HookAssessment(assessed=assessed, draft=draft, patient_id=first.case.patient.id)


def _per_indication(
    documents: list[tuple[str, Any]], today: dt.date, kb: KnowledgeBase
) -> list[tuple[MappedCase, bool]]:
    """The case under each indication whose starting dose the draft fits (all when none does)."""
    every = [
        case_from_fhir(documents, today=today, kb=kb, indication=ind, source="CDS Hooks request")
        for ind in Indication
    ]
    if not every[0].proposals:
        return []
    proposal = every[0].proposals[0]
    fitting = [
        mapped for ind, mapped in zip(Indication, every, strict=True) if fits(ind, proposal, kb)
    ]
    return [(mapped, True) for mapped in (fitting or every)]
