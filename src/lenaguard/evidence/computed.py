"""Values computed by the rules for a question that gives their inputs.

"What dose for myeloma with a CrCl of 45?" names an indication and a creatinine clearance (or
dialysis): the answer then states the starting dose the rules compute (the same calculator as
`lenaguard dose`), with the rule's status and citations, before the passages. Nothing is
computed when an input is missing: the passages answer alone.
"""

from __future__ import annotations

import re

from lenaguard.calculators import starting_dose
from lenaguard.errors import LenaguardError
from lenaguard.evidence.models import ComputedValue
from lenaguard.knowledge.loader import KnowledgeBase
from lenaguard.knowledge.topics.synonyms import SynonymsKnowledge
from lenaguard.vocab import Indication

# the synonym group that names a disease → the indication it means in the label
_DISEASE_KEYS = {
    "mds": Indication.MDS_DEL5Q,
    "mcl": Indication.MCL,
    "fl": Indication.FL,
    "mzl": Indication.MZL,
    "mm": Indication.MM_COMBINATION,
}
_CLEARANCE = re.compile(
    r"(?:crcl|clcr|creatinine clearance|kidney function|renal function|clearance)"
    r"\D{0,25}?(\d{1,3}(?:\.\d+)?)\s*(?:ml\s*/\s*min|ml per min)?|"
    r"(\d{1,3}(?:\.\d+)?)\s*ml\s*/\s*min",
    re.IGNORECASE,
)
_DIALYSIS = re.compile(r"\b(?:haemo|hemo)?dialysis\b|\besrd\b", re.IGNORECASE)
_MAINTENANCE = re.compile(r"\bmaintenance\b", re.IGNORECASE)


def indication_in(question: str, kb: KnowledgeBase) -> Indication | None:
    """The indication a question names, through the knowledge base's disease synonyms."""
    lowered = " ".join(question.lower().split())
    for group in kb.get(SynonymsKnowledge).groups:
        key = next((term for term in group.terms if term in _DISEASE_KEYS), None)
        if key is None:
            continue
        if any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", lowered) for t in group.terms):
            indication = _DISEASE_KEYS[key]
            if indication is Indication.MM_COMBINATION and _MAINTENANCE.search(lowered):
                return Indication.MM_MAINTENANCE
            return indication
    return None


def clearance_in(question: str) -> float | None:
    match = _CLEARANCE.search(question)
    if match is None:
        return None
    return float(match.group(1) or match.group(2))


def computed_values(question: str, kb: KnowledgeBase) -> list[ComputedValue]:
    """The starting dose the rules give for the indication and renal function a question names."""
    indication = indication_in(question, kb)
    crcl = clearance_in(question)
    dialysis = bool(_DIALYSIS.search(question))
    if indication is None or (crcl is None and not dialysis):
        return []
    request = {"indication": indication.value}
    request |= {"on_dialysis": True} if dialysis else {"crcl_ml_min": crcl}
    try:
        plan = starting_dose(request, kb)
    except LenaguardError:
        return []  # an impossible clearance: the passages answer alone
    inputs = "on dialysis" if dialysis else f"creatinine clearance {crcl:g} mL/min"
    return [
        ComputedValue(
            text=plan.reason,
            rule=plan.rule,
            inputs=f"{indication.value}, {inputs}",
            status=plan.status,
            citations=list(plan.citations),
        )
    ]
