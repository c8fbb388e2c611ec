"""The minimal assessment page a card links to: decision, dose and actions, as escaped HTML.

No script and no inline style (the page is served with a Content-Security-Policy that allows
neither); the web pages issue restyles it.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _dose(plan: dict[str, Any] | None) -> str:
    if not plan:
        return "No dose decided (see the actions)."
    words = f"{plan.get('action')}"
    if plan.get("dose_mg") is not None:
        words += f": {plan['dose_mg']:g} mg {plan.get('frequency') or ''}".rstrip()
    if plan.get("days_on") and plan.get("cycle_days"):
        days = plan["days_on"]
        words += f", days {days[0]}–{days[1]} of a {plan['cycle_days']}-day cycle"
    resume = plan.get("resume")
    if resume and resume.get("dose_mg") is not None:
        words += f"; resume at {resume['dose_mg']:g} mg when {resume.get('when', '')}"
    return f"{words}. {plan.get('reason', '')}"


def _section(assessment: dict[str, Any]) -> str:
    decision = "ready to prescribe" if assessment.get("ready_to_prescribe") else "not ready"
    actions = "".join(
        f"<li><strong>{escape(str(a.get('severity')))}</strong> "
        f"{'(blocking) ' if a.get('blocking') else ''}{escape(str(a.get('text')))} "
        f"<code>{escape(str(a.get('finding_id')))}</code></li>"
        for a in assessment.get("actions", [])
    )
    return (
        f"<section><h2>{escape(str(assessment.get('indication')))} — "
        f"{escape(str(assessment.get('as_of')))}</h2>"
        f"<p>Decision: <strong>{escape(decision)}</strong> "
        f"(readiness: {escape(str(assessment.get('readiness')))})</p>"
        f"<p>Dose: {escape(_dose(assessment.get('dose')))}</p>"
        f"<h3>Actions</h3><ol>{actions or '<li>None</li>'}</ol></section>"
    )


def render(record: dict[str, Any]) -> str:
    """The page for a stored hook assessment ({"assessments": [...]} )."""
    assessments = record.get("assessments", [])
    patient = escape(str(assessments[0].get("patient_id"))) if assessments else ""
    sections = "".join(_section(a) for a in assessments)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>lenaguard assessment</title></head><body>"
        f"<h1>lenaguard assessment — patient {patient}</h1>{sections}"
        "<p>Decision support, not a prescription: check against the label.</p></body></html>"
    )
