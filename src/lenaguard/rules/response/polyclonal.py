"""Total IgA/IgG rising on lenalidomide: a polyclonal rise is not progression.

Lenalidomide can raise the total (polyclonal) IgA and IgG. When a total immunoglobulin rises by
the progression percentage while the serum M-protein does not, the finding says it is likely
polyclonal and not progression; when there is no serum M-protein after the start, it asks for
one before anyone calls it progression. Myeloma, IgA myeloma included, is judged by the
M-protein on electrophoresis and immunofixation, never by the total immunoglobulin.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.response import PERCENT, ResponseKnowledge, percent_change, scaled
from lenaguard.rules.response.immunoglobulins import immunoglobulin_name, involved_immunoglobulin
from lenaguard.rules.response.imwg_markers import (
    Disease,
    Marker,
    at_least,
    latest_result,
    points_after,
    value_words,
)
from lenaguard.rules.response.imwg_progression import Progression
from lenaguard.text import format_number
from lenaguard.vocab import Category, Severity

_response_finding = Finding.maker(Category.RESPONSE)


def polyclonal_findings(
    case: Case, disease: Disease, kb: KnowledgeBase, progression: Progression
) -> list[Finding]:
    """Total IgA/IgG up while the M-protein is not: say it is not progression by itself."""
    imwg = kb.get(ResponseKnowledge).imwg
    rule, progressive = imwg.polyclonal_rise, imwg.progressive
    heavy = None if case.myeloma is None else case.myeloma.heavy_chain
    serum_after = points_after(disease.series[Marker.SERUM_M_PROTEIN], disease.start, disease.as_of)
    findings: list[Finding] = []
    for test in rule.immunoglobulins:
        base = case.latest(test, on_or_before=disease.start)
        latest = latest_result(case, test, disease.start, disease.as_of)
        if base is None or latest is None:
            continue
        before, after = base.canonical_value or 0, latest.canonical_value or 0
        if before == 0 or not at_least(after, scaled(before, PERCENT + progressive.rise_min_pct)):
            continue
        name = immunoglobulin_name(test)
        change = format_number(round(percent_change(before, after) or 0, 1))
        own = involved_immunoglobulin(heavy) is test
        rose = (
            f"Total {name} rose {change}% ({format_number(before)} → {format_number(after)} "
            f"mg/dL, {base.date} → {latest.date})"
        )
        whose = (
            f" This is {name} myeloma: judge it by the M-protein on serum electrophoresis and "
            f"immunofixation, never by total {name}."
            if own
            else ""
        )
        if not serum_after:
            findings.append(
                _response_finding(
                    rule,
                    name=f"total_{test.value}_rise_needs_m_protein",
                    severity=Severity.WARNING,
                    summary=(
                        f"Total {name} rose and no serum M-protein is recorded since the start: "
                        "check it before calling this progression."
                    ),
                    detail=(
                        f"{rose}, and there is no serum M-protein after the course start.{whose} "
                        f"{rule.text}"
                    ),
                    inputs={"baseline": before, "latest": after},
                )
            )
        elif not progression.serum_latest_rises:
            findings.append(
                _response_finding(
                    rule,
                    progressive,
                    name=f"polyclonal_{test.value}_rise",
                    severity=Severity.INFO,
                    summary=(
                        f"Total {name} rose {format_number(progressive.rise_min_pct)}% or more "
                        "while the serum M-protein did not: likely polyclonal, not progression."
                    ),
                    detail=(
                        f"{rose}; latest serum M-protein "
                        f"{value_words(kb, Marker.SERUM_M_PROTEIN, serum_after[-1])} does not "
                        f"meet the progression rise.{whose} {rule.text}"
                    ),
                    inputs={"baseline": before, "latest": after},
                )
            )
    return findings
