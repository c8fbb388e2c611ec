"""The assessment page a CDS Hooks card links to, in the web pages' layout.

It shows each stored assessment with the same template as the case workbench
(`assess/_assessment.html`): the decision, the dose, the actions, the calendar and the
findings with their sources. The stored record holds the assessments' JSON, not the case, so
the page has no charts. It loads no script (the link's own Content-Security-Policy allows
none) and only the site's stylesheets; everything is escaped by the template.
"""

from __future__ import annotations

from typing import Any

from lenaguard.assess import Assessment
from lenaguard.knowledge import KnowledgeBase


def render(record: dict[str, Any], kb: KnowledgeBase) -> str:
    """The page for a stored hook assessment ({"assessments": [...]})."""
    from lenaguard.web.assess_pages import assessment_view, page_context
    from lenaguard.web.templating import templates

    items = []
    for data in record.get("assessments", []):
        assessment = Assessment.model_validate(data)
        view = assessment_view(assessment, kb, case=None, source="the card's hook request")
        items.append(page_context(view, kb))
    patient = items[0]["a"].patient_id if items else ""
    return templates.env.get_template("assess/cds.html").render(
        items=items, patient_id=patient, version=""
    )
