"""Case builders shared by the blood-count tests: treatment events, counts, and one dose decision.

Every builder returns new dicts on each call, so no test can change another test's data.
"""

from __future__ import annotations

from typing import Any

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from tests.factories import lab, make_case

AS_OF = "2026-11-20"
LAB_DAY = "2026-11-18"


def ev(date: str, event: str, dose: float | None = None, **extra: Any) -> dict[str, Any]:
    """One treatment event of a case file (start, hold, resume, …)."""
    entry: dict[str, Any] = {"date": date, "event": event, **extra}
    if dose is not None:
        entry["dose_mg"] = dose
    return entry


def counts(platelets: float | None, anc: float | None, date: str = LAB_DAY) -> list[dict]:
    """A platelet count and an ANC (/mcL) on one date; None leaves that count out."""
    found = []
    if platelets is not None:
        found.append(lab("platelets", platelets, "/uL", date=date))
    if anc is not None:
        found.append(lab("anc", anc, "/uL", date=date))
    return found


def transfusion(date: str, kind: str = "platelets") -> dict[str, Any]:
    """One transfusion of a case file."""
    return {"date": date, "kind": kind, "units": 1}


def decide(
    indication: str,
    events: list[dict],
    labs: list[dict],
    *,
    as_of: str = AS_OF,
    other_toxicity: dict | None = None,
    **extra: Any,
):
    """The dose rules' plan and findings for a case built from these parts."""
    therapy: dict[str, Any] = {"events": events}
    if other_toxicity is not None:
        therapy["other_toxicity"] = other_toxicity
    case = make_case(indication=indication, as_of=as_of, therapy=therapy, labs=labs, **extra)
    return ongoing_dose(case, default_knowledge())


def ids(findings) -> list[str]:
    """The finding ids, sorted: compare with a list to pin the exact set."""
    return sorted(finding.id for finding in findings)
