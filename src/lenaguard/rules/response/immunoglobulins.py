"""Immune recovery on lenalidomide: do the uninvolved immunoglobulins come back to normal?

Myeloma suppresses the normal (polyclonal) immunoglobulins. A pooled analysis of two trials
called an uninvolved immunoglobulin "improved" when it rose by a set percentage from baseline
and ended inside the normal range. lenaguard reports this as a descriptive indicator of immune
recovery, never as a response category. The myeloma's own heavy chain is left out: its total
level carries the M-protein and says nothing about recovery.
"""

from __future__ import annotations

import datetime as dt
import math

from pydantic import Field

from lenaguard.case import Case, LabResult
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.topics.response import PERCENT, ResponseKnowledge, percent_change
from lenaguard.rules.base.course import current_course
from lenaguard.text import format_number
from lenaguard.vocab import Category, HeavyChain, LabTest, Severity

_response_finding = Finding.maker(Category.RESPONSE)


IMMUNOGLOBULINS = (LabTest.IGA, LabTest.IGG, LabTest.IGM)
"""The immunoglobulins the recovery indicator looks at, in the order reports list them."""

_HEAVY_CHAIN_TEST = {
    HeavyChain.IGA: LabTest.IGA,
    HeavyChain.IGG: LabTest.IGG,
    HeavyChain.IGM: LabTest.IGM,
}

_NAMES = {LabTest.IGA: "IgA", LabTest.IGG: "IgG", LabTest.IGM: "IgM"}


def immunoglobulin_name(test: LabTest) -> str:
    """How a clinician writes the immunoglobulin: IgA, IgG, IgM."""
    return _NAMES.get(test, test.value)


class RangeUsed(Frozen):
    """The normal range a latest value was judged against, and where it came from."""

    low: float | None
    high: float | None
    source: str = Field(description="laboratory (the result's own range) or default (knowledge)")

    def contains(self, value: float) -> bool:
        """Inclusive bounds; a missing bound does not limit (FHIR referenceRange)."""
        above_low = self.low is None or value >= self.low or math.isclose(value, self.low)
        below_high = self.high is None or value <= self.high or math.isclose(value, self.high)
        return above_low and below_high

    def words(self, unit: str) -> str:
        low = "no lower limit" if self.low is None else format_number(round(self.low, 1))
        high = "no upper limit" if self.high is None else format_number(round(self.high, 1))
        return f"{low}–{high} {unit} ({self.source} range)"


class ImmunoglobulinRecovery(Frozen):
    """One uninvolved immunoglobulin: baseline, latest, change, and whether it improved."""

    immunoglobulin: LabTest
    baseline: float | None = Field(description="Last value on or before the course start (mg/dL).")
    baseline_date: dt.date | None
    latest: float | None = Field(description="Latest value after the course start (mg/dL).")
    latest_date: dt.date | None
    change_pct: float | None
    normal_range: RangeUsed
    improved: bool | None = Field(description="Null when baseline or latest value is missing.")
    basis: list[str]
    status: Status
    citations: list[Citation] = Field(min_length=1)


def _latest_after(case: Case, test: LabTest, start: dt.date) -> LabResult | None:
    found = case.latest(test)
    return found if found is not None and found.date > start else None


def _range_for(result: LabResult | None, test: LabTest, kb: KnowledgeBase) -> RangeUsed:
    own = None if result is None else result.canonical_reference_range()
    if own is not None:
        return RangeUsed(low=own[0], high=own[1], source="laboratory")
    default = kb.get(ResponseKnowledge).immunoglobulins.normal_ranges.ranges[test]
    return RangeUsed(low=default.low, high=default.high, source="default")


def _assess_one(
    case: Case, test: LabTest, start: dt.date, kb: KnowledgeBase
) -> ImmunoglobulinRecovery:
    knowledge = kb.get(ResponseKnowledge).immunoglobulins
    rule = knowledge.improvement
    unit = knowledge.normal_ranges.unit
    name = immunoglobulin_name(test)
    baseline = case.latest(test, on_or_before=start)
    latest = _latest_after(case, test, start)
    normal = _range_for(latest, test, kb)
    entries: list[Cited] = (
        [rule] if normal.source == "laboratory" else [rule, knowledge.normal_ranges]
    )
    basis: list[str] = []
    change = improved = None
    if baseline is None:
        basis.append(f"no {name} result on or before the course start ({start})")
    if latest is None:
        basis.append(f"no {name} result after the course start ({start})")
    if baseline is not None and latest is not None:
        before, after = baseline.canonical_value or 0, latest.canonical_value or 0
        change = percent_change(before, after)
        target = before * (PERCENT + rule.rise_min_pct) / PERCENT
        risen = after >= target or math.isclose(after, target)
        inside = normal.contains(after)
        improved = risen and inside
        change_words = (
            "baseline of zero" if change is None else f"{format_number(round(change, 1))}%"
        )
        basis.append(
            f"{name} {format_number(before)} {unit} ({baseline.date}) → {format_number(after)} "
            f"{unit} ({latest.date}): change {change_words}, "
            f"{'meets' if risen else 'below'} the {format_number(rule.rise_min_pct)}% rise"
        )
        basis.append(
            f"latest {name} {'inside' if inside else 'outside'} the normal range "
            f"{normal.words(unit)}"
        )
    return ImmunoglobulinRecovery(
        immunoglobulin=test,
        baseline=None if baseline is None else baseline.canonical_value,
        baseline_date=None if baseline is None else baseline.date,
        latest=None if latest is None else latest.canonical_value,
        latest_date=None if latest is None else latest.date,
        change_pct=None if change is None else round(change, 1),
        normal_range=normal,
        improved=improved,
        basis=basis,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )


def involved_immunoglobulin(heavy_chain: HeavyChain | None) -> LabTest | None:
    """The total-immunoglobulin test that carries the myeloma's own heavy chain, if any."""
    return None if heavy_chain is None else _HEAVY_CHAIN_TEST.get(heavy_chain)


def uninvolved_immunoglobulins(heavy_chain: HeavyChain | None) -> tuple[LabTest, ...]:
    """IgA, IgG, IgM minus the myeloma's own heavy chain; all three when it is not known."""
    involved = involved_immunoglobulin(heavy_chain)
    return tuple(test for test in IMMUNOGLOBULINS if test is not involved)


def assess_immunoglobulin_recovery(
    case: Case, kb: KnowledgeBase
) -> tuple[list[ImmunoglobulinRecovery], list[Finding]]:
    """Recovery of each uninvolved immunoglobulin since the start of the current course."""
    course = current_course(case)
    if not course.started or course.start_date is None:
        return [], []
    start = course.start_date
    knowledge = kb.get(ResponseKnowledge).immunoglobulins
    rule = knowledge.improvement
    heavy_chain = None if case.myeloma is None else case.myeloma.heavy_chain
    tests = uninvolved_immunoglobulins(heavy_chain)
    items = [_assess_one(case, test, start, kb) for test in tests]
    findings: list[Finding] = []
    names = ", ".join(immunoglobulin_name(test) for test in tests)

    if heavy_chain is None:
        findings.append(
            _response_finding(
                rule,
                name="immunoglobulins_heavy_chain_unknown",
                severity=Severity.INFO,
                summary=f"Myeloma heavy chain not given: immune recovery assessed for {names}.",
                detail=(
                    "One of these may be the myeloma's own immunoglobulin, whose total level "
                    "follows the M-protein rather than immune recovery. Give myeloma.heavy_chain "
                    "(igg, iga, igm, igd, ige or none) so that only the uninvolved "
                    "immunoglobulins are assessed."
                ),
                inputs={"assessed": [test.value for test in tests]},
            )
        )

    improved = [item for item in items if item.improved]
    if improved:
        listed = "; ".join("; ".join(item.basis) for item in improved)
        # Without the heavy chain, an "improved" immunoglobulin may be the myeloma's own,
        # whose rise would mean more M-protein, not recovery: say so where it is claimed.
        caveat = (
            " (heavy chain not given: rule out the myeloma's own)" if heavy_chain is None else ""
        )
        findings.append(
            _response_finding(
                *_entries_for(improved, kb),
                name="immunoglobulins_improved",
                severity=Severity.INFO,
                summary=(
                    "Immune recovery: "
                    + ", ".join(immunoglobulin_name(item.immunoglobulin) for item in improved)
                    + f" improved since the start of lenalidomide{caveat}."
                ),
                detail=(
                    f"{listed}. {rule.text} {rule.context} A descriptive indicator only; it "
                    "does not change the IMWG response category."
                ),
                inputs={item.immunoglobulin.value: item.latest for item in improved},
            )
        )

    missing = [item for item in items if item.improved is None]
    if missing:
        needs = []
        for item in missing:
            name = immunoglobulin_name(item.immunoglobulin)
            if item.baseline is None:
                needs.append(f"{name} on or before {start}")
            if item.latest is None:
                needs.append(f"{name} after {start}")
        findings.append(
            _response_finding(
                rule,
                name="immunoglobulins_not_assessable",
                severity=Severity.INFO,
                summary=(
                    "Immune recovery not assessable for "
                    + ", ".join(immunoglobulin_name(item.immunoglobulin) for item in missing)
                    + "."
                ),
                detail=(
                    "Needed: " + "; ".join(needs) + ". Recovery compares the last value before "
                    "the course start with the latest value on treatment."
                ),
                inputs={"course_start": start.isoformat()},
            )
        )
    return items, findings


def _entries_for(items: list[ImmunoglobulinRecovery], kb: KnowledgeBase) -> list[Cited]:
    knowledge = kb.get(ResponseKnowledge).immunoglobulins
    entries: list[Cited] = [knowledge.improvement]
    if any(item.normal_range.source == "default" for item in items):
        entries.append(knowledge.normal_ranges)
    return entries
