"""Is it working? IMWG myeloma response, immune recovery and MDS erythroid response.

`evaluate(case, kb)` is the topic's entry point. For myeloma it assesses the IMWG response
category (Kumar et al., Lancet Oncology) of the current course and the recovery of the uninvolved
immunoglobulins; for MDS with del(5q) it assesses transfusion independence and HI-E.

How the IMWG assessment reads a case:

- Baseline is the last result on or before the start of the current course (a result drawn
  on the first day counts as baseline); assessments are results after it, up to `as_of`.
- Measurable disease at baseline decides which markers carry the response: serum and/or urine
  M-protein; otherwise the free light chain difference (dFLC); otherwise marrow plasma cells.
  Each measurable M-protein component must meet its part of a category; the overall category
  is the lowest of them. A missing piece of data never counts as met: the category stays
  below it and a finding names what is needed.
- Progression is judged against the lowest confirmed value: the baseline, or a level seen on
  two consecutive assessments (the higher of the pair). It needs consecutive qualifying
  assessments; a single qualifying rise is reported as possible progression to confirm.
- Stringent CR needs marrow clonality, which the case file does not carry: lenaguard stops at
  CR and says so.

Modules: `imwg_markers` reads the case into markers, baseline and response path;
`imwg_grade` grades the response category on a date and confirms it; `imwg_progression` finds
progression; `imwg_words` words what they decided; `polyclonal` explains a total IgA/IgG rise.
This module decides the course's IMWG response (`decide_imwg`, a typed `ImwgDecision`) and
words it into the result and its findings (`assess_imwg`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.response import ImwgCriteria, ResponseKnowledge
from lenaguard.rules.base.course import current_course
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.rules.response.immunoglobulins import (
    ImmunoglobulinRecovery,
    assess_immunoglobulin_recovery,
)
from lenaguard.rules.response.imwg_grade import (
    ImwgCategory,
    Observation,
    category_entry,
    confirmed,
    grade_on,
)
from lenaguard.rules.response.imwg_markers import (
    Disease,
    Marker,
    Need,
    Point,
    ResponsePath,
    decide_disease,
    flc_pairs,
    flc_ratio,
    unit_of,
)
from lenaguard.rules.response.imwg_progression import Progression, find_progression
from lenaguard.rules.response.imwg_words import (
    need_text,
    observation_words,
    possible_progression_words,
    progression_words,
)
from lenaguard.rules.response.mds import MdsResponse, assess_mds_response
from lenaguard.rules.response.polyclonal import polyclonal_findings
from lenaguard.text import format_number
from lenaguard.vocab import Category, Indication, LightChain, Severity

_response_finding = Finding.maker(Category.RESPONSE)


MYELOMA_INDICATIONS = frozenset({Indication.MM_COMBINATION, Indication.MM_MAINTENANCE})

__all__ = [
    "MYELOMA_INDICATIONS",
    "FlcRatioReading",
    "ImwgCategory",
    "ImwgDecision",
    "ImwgOutcome",
    "ImwgResponse",
    "Marker",
    "MarkerValue",
    "ResponseOutcome",
    "ResponsePath",
    "assess_imwg",
    "decide_imwg",
    "evaluate",
]


class MarkerValue(Frozen):
    value: float
    unit: str
    date: dt.date


class ImwgResponse(Frozen):
    """The IMWG response category of the current course, with what decided it."""

    category: ImwgCategory | None = Field(description="Null when not assessable (see findings).")
    date: dt.date | None = Field(
        description="Date of the latest result the category rests on (PD: the confirming one)."
    )
    confirmed: bool | None = Field(
        default=None, description="Shown on consecutive assessments; null for SD or no category."
    )
    path: ResponsePath | None = None
    involved_light_chain: LightChain | None = None
    measurable: list[Marker] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list, description="The values that decided.")
    baseline: dict[Marker, MarkerValue] = Field(default_factory=dict)
    nadir: dict[Marker, MarkerValue] = Field(
        default_factory=dict, description="Lowest confirmed value per marker (progression)."
    )
    needed: list[str] = Field(default_factory=list, description="Data needed for a category.")
    status: Status
    citations: list[Citation] = Field(min_length=1)


class ResponseOutcome(RuleOutcome):
    """What `evaluate` returns: findings plus the IMWG, immunoglobulin and MDS results."""

    imwg: ImwgResponse | None = None
    immunoglobulins: list[ImmunoglobulinRecovery] = Field(default_factory=list)
    mds: MdsResponse | None = None


# --- the decision ------------------------------------------------------------------------------


class ImwgOutcome(StrEnum):
    """What the IMWG assessment of the course came to."""

    PROGRESSION = "progression"
    """Progressive disease, confirmed on consecutive assessments."""
    NOT_MEASURABLE = "not_measurable"
    """No measurable disease at baseline and nothing missing: no category can be graded."""
    PATH_UNDECIDED = "path_undecided"
    """Baseline results are missing to decide which markers carry the response."""
    BASELINE_INCOMPLETE = "baseline_incomplete"
    """The response markers are known, but baseline results the categories need are missing."""
    NOT_GRADED = "not_graded"
    """A response marker has no result after the course start yet."""
    GRADED = "graded"


@dataclass(frozen=True)
class FlcRatioReading:
    """The latest free light chain ratio after the course start (for stringent CR)."""

    date: dt.date | None
    """None: no kappa and lambda pair after the start."""
    ratio: float | None
    """None: not computable (both chains zero)."""
    normal: bool


@dataclass(frozen=True)
class ImwgDecision:
    """The IMWG response of the current course as decided from the case, without words.

    A frozen dataclass like the `Disease` and `Progression` it carries (pydantic would have to
    copy their series on every read).
    """

    outcome: ImwgOutcome
    disease: Disease
    progression: Progression
    category: ImwgCategory | None
    """PD, the graded category, or (baseline incomplete) the category the measurable markers
    alone would give; None otherwise."""
    date: dt.date | None
    """Latest result the category rests on (PD: the confirming assessment)."""
    confirmed: bool | None
    """Shown on consecutive assessments; None for SD or when no category is graded."""
    basis: tuple[Observation, ...]
    """The values the category rests on (PD: see `progression.confirmed_by`)."""
    needs: tuple[Need, ...]
    """Data still needed, baseline first, in the order the criteria met them (may repeat)."""
    entries: tuple[Cited, ...]
    latest_flc_ratio: FlcRatioReading | None = None
    """For CR: the free light chain ratio that stringent CR would also need."""


def _latest_flc_ratio(case: Case, disease: Disease, imwg: ImwgCriteria) -> FlcRatioReading:
    pairs = {day: pair for day, pair in flc_pairs(case).items() if disease.start < day}
    if not pairs:
        return FlcRatioReading(date=None, ratio=None, normal=False)
    day = max(pairs)
    ratio = flc_ratio(*pairs[day])
    normal = ratio is not None and math.isfinite(ratio) and imwg.flc_ratio_normal.is_normal(ratio)
    return FlcRatioReading(date=day, ratio=ratio, normal=normal)


def decide_imwg(case: Case, kb: KnowledgeBase) -> ImwgDecision | None:
    """The IMWG response of the current course on `case.as_of`; None before the first start."""
    course = current_course(case)
    if not course.started or course.start_date is None:
        return None
    imwg = kb.get(ResponseKnowledge).imwg
    disease = decide_disease(case, kb, course.start_date)
    progression = find_progression(case, disease, kb)
    known = {"disease": disease, "progression": progression}
    unassessed = {"category": None, "date": None, "confirmed": None}
    if progression.confirmed_on is not None:
        return ImwgDecision(
            outcome=ImwgOutcome.PROGRESSION,
            category=ImwgCategory.PD,
            date=progression.confirmed_on,
            confirmed=True,
            basis=(),
            needs=(),
            entries=(imwg.progressive,),
            **known,
        )
    if disease.path is None:
        outcome = (
            ImwgOutcome.PATH_UNDECIDED if disease.baseline_needs else ImwgOutcome.NOT_MEASURABLE
        )
        return ImwgDecision(
            outcome=outcome,
            basis=(),
            needs=disease.baseline_needs,
            entries=(imwg.measurable_disease,),
            **unassessed,
            **known,
        )
    snapshot = grade_on(case, disease, kb, case.as_of)
    needs = (*disease.baseline_needs, *snapshot.needs)
    if disease.baseline_needs or snapshot.category is None:
        return ImwgDecision(
            outcome=(
                ImwgOutcome.BASELINE_INCOMPLETE
                if disease.baseline_needs
                else ImwgOutcome.NOT_GRADED
            ),
            category=snapshot.category,
            date=None,
            confirmed=None,
            basis=tuple(snapshot.basis),
            needs=needs,
            entries=(imwg.measurable_disease,),
            **known,
        )
    category = snapshot.category
    return ImwgDecision(
        outcome=ImwgOutcome.GRADED,
        category=category,
        date=max(snapshot.dates) if snapshot.dates else None,
        confirmed=(None if category is ImwgCategory.SD else confirmed(case, disease, kb, category)),
        basis=tuple(snapshot.basis),
        needs=needs,
        entries=tuple(snapshot.entries),
        latest_flc_ratio=(
            _latest_flc_ratio(case, disease, imwg) if category is ImwgCategory.CR else None
        ),
        **known,
    )


# --- in words ----------------------------------------------------------------------------------


def _need_findings(needs: tuple[Need, ...], start: dt.date, kb: KnowledgeBase) -> list[Finding]:
    seen: dict[str, Need] = {}
    for need in needs:
        seen.setdefault(need.slug, need)
    findings = []
    for need in seen.values():
        text = need_text(need, start, kb)
        findings.append(
            _response_finding(
                *need.entries,
                name=f"imwg_needed_{need.slug}",
                severity=Severity.INFO,
                summary=f"For IMWG response assessment: {text.split(':')[0]} needed.",
                detail=f"Needed: {text}.",
                inputs={},
            )
        )
    return findings


def _marker_values(kb: KnowledgeBase, points: dict[Marker, Point]) -> dict[Marker, MarkerValue]:
    return {
        marker: MarkerValue(value=point.value, unit=unit_of(kb, marker), date=point.date)
        for marker, point in points.items()
    }


def _possible_progression_finding(imwg: ImwgCriteria, possible: list[str]) -> Finding:
    count = format_number(imwg.progressive.consecutive_assessments)
    return _response_finding(
        imwg.progressive,
        name="imwg_possible_progression",
        severity=Severity.WARNING,
        summary="Possible progression (IMWG): confirm with a repeat assessment.",
        detail=(
            "; ".join(possible)
            + f". IMWG progression needs {count} consecutive qualifying assessments, so this is "
            f"not yet progressive disease. Repeat the tests to confirm or refute. "
            f"{imwg.progressive.text}"
        ),
        inputs={},
    )


def _light_chain_findings(disease: Disease, imwg: ImwgCriteria) -> list[Finding]:
    if not disease.involved_inferred or disease.involved is None:
        return []
    return [
        _response_finding(
            imwg.involved_light_chain,
            imwg.flc_ratio_normal,
            name="imwg_light_chain_inferred",
            severity=Severity.INFO,
            summary=(
                f"Involved light chain taken as {disease.involved.value} from the baseline "
                "kappa/lambda ratio."
            ),
            detail=(
                f"{imwg.involved_light_chain.text} Give myeloma.light_chain to state it. "
                f"{imwg.flc_ratio_normal.text}"
            ),
            inputs={"baseline_ratio": disease.baseline_ratio},
        )
    ]


def _imwg_response(decision: ImwgDecision, kb: KnowledgeBase) -> ImwgResponse:
    """The decision as the assessment's IMWG result."""
    disease, progression = decision.disease, decision.progression
    if decision.outcome is ImwgOutcome.PROGRESSION:
        assert progression.confirmed_by is not None  # progression has its confirming sign
        basis = [progression_words(progression.confirmed_by, kb)]
    else:
        basis = [observation_words(observation, kb) for observation in decision.basis]
    graded = decision.outcome in (ImwgOutcome.PROGRESSION, ImwgOutcome.GRADED)
    return ImwgResponse(
        category=decision.category if graded else None,
        date=decision.date,
        confirmed=decision.confirmed,
        path=disease.path,
        involved_light_chain=disease.involved,
        measurable=list(disease.measurable),
        basis=basis,
        baseline=_marker_values(kb, disease.baseline),
        nadir=_marker_values(kb, progression.nadirs),
        needed=[need_text(need, disease.start, kb) for need in decision.needs],
        status=weakest(e.status for e in decision.entries),
        citations=merge_citations(*decision.entries),
    )


def _not_graded_findings(decision: ImwgDecision, imwg: ImwgCriteria) -> list[Finding]:
    """Why no category could be graded: not measurable, or baseline results missing."""
    disease = decision.disease
    if decision.outcome is ImwgOutcome.NOT_MEASURABLE:
        return [
            _response_finding(
                imwg.measurable_disease,
                name="imwg_not_measurable",
                severity=Severity.INFO,
                summary="No measurable disease at baseline: IMWG response cannot be graded.",
                detail=(
                    f"{imwg.measurable_disease.text} Marrow plasma cells can carry a "
                    f"partial response only from a baseline of at least "
                    f"{format_number(imwg.partial.marrow_baseline_min_pct)}%. Progression "
                    "is still watched."
                ),
                inputs={m.value: p.value for m, p in disease.baseline.items()},
            )
        ]
    if decision.outcome is not ImwgOutcome.BASELINE_INCOMPLETE:
        return []
    provisional = (
        f" On the measurable marker(s) alone it would be {decision.category.value}."
        if decision.category is not None
        else ""
    )
    return [
        _response_finding(
            imwg.measurable_disease,
            imwg.confirmation,
            name="imwg_not_assessable",
            severity=Severity.INFO,
            summary="IMWG response not assessable: baseline results missing.",
            detail=(
                "Response needs both serum and urine M-protein at baseline, to know which "
                f"markers must respond.{provisional} {imwg.confirmation.text}"
            ),
            inputs={},
        )
    ]


def _graded_findings(decision: ImwgDecision, imwg: ImwgCriteria, basis: list[str]) -> list[Finding]:
    """The category, whether it is confirmed, and (CR) why stringent CR is not assessed."""
    category, date, path = decision.category, decision.date, decision.disease.path
    assert category is not None and path is not None  # graded
    state = {True: "confirmed", False: "not yet confirmed", None: ""}[decision.confirmed]
    findings = [
        _response_finding(
            *decision.entries,
            name="imwg_category",
            severity=Severity.INFO,
            summary=(
                f"IMWG response: {category.value} ({category.words}) as of {date}"
                + (f", {state}." if state else ".")
            ),
            detail="; ".join(basis) + f". {_category_text(imwg, category)}",
            inputs={"path": path.value, "date": None if date is None else date.isoformat()},
        )
    ]
    if decision.confirmed is False:
        findings.append(
            _response_finding(
                imwg.confirmation,
                name="imwg_unconfirmed",
                severity=Severity.INFO,
                summary=f"{category.value} rests on a single assessment: repeat to confirm.",
                detail=imwg.confirmation.text,
                inputs={},
            )
        )
    if decision.latest_flc_ratio is not None:
        findings.append(_stringent_note(decision.latest_flc_ratio, imwg))
    return findings


def _imwg_findings(
    decision: ImwgDecision, response: ImwgResponse, kb: KnowledgeBase
) -> list[Finding]:
    """The decision's findings after the light-chain and polyclonal ones."""
    imwg = kb.get(ResponseKnowledge).imwg
    progression = decision.progression
    if decision.outcome is ImwgOutcome.PROGRESSION:
        assert progression.confirmed_on is not None
        return [
            _response_finding(
                *decision.entries,
                name="imwg_progression",
                severity=Severity.WARNING,
                summary=f"IMWG progressive disease, confirmed {progression.confirmed_on}.",
                detail=f"{'; '.join(response.basis)}. {imwg.progressive.text}",
                inputs={"confirmed_on": progression.confirmed_on.isoformat()},
            )
        ]
    findings: list[Finding] = []
    if progression.possible:
        possible = [possible_progression_words(sign, kb) for sign in progression.possible]
        findings.append(_possible_progression_finding(imwg, possible))
    findings += _need_findings(decision.needs, decision.disease.start, kb)
    if decision.outcome is ImwgOutcome.GRADED:
        return findings + _graded_findings(decision, imwg, response.basis)
    return findings + _not_graded_findings(decision, imwg)


def assess_imwg(case: Case, kb: KnowledgeBase) -> tuple[ImwgResponse | None, list[Finding]]:
    """The IMWG response of the current course; (None, []) before the first start."""
    decision = decide_imwg(case, kb)
    if decision is None:
        return None, []
    imwg = kb.get(ResponseKnowledge).imwg
    response = _imwg_response(decision, kb)
    findings = _light_chain_findings(decision.disease, imwg)
    findings += polyclonal_findings(case, decision.disease, kb, decision.progression)
    findings += _imwg_findings(decision, response, kb)
    return response, findings


def _stringent_note(reading: FlcRatioReading, imwg: ImwgCriteria) -> Finding:
    if reading.date is not None:
        shown = "not computable" if reading.ratio is None else format_number(reading.ratio)
        normal = "normal" if reading.normal else "abnormal"
        flc = f"Free light chain ratio {shown} ({reading.date}): {normal}."
    else:
        flc = "No free light chain ratio after the course start."
    return _response_finding(
        imwg.stringent_complete,
        imwg.flc_ratio_normal,
        name="imwg_stringent_not_assessable",
        severity=Severity.INFO,
        summary="Stringent CR cannot be assessed from the case data; reported as CR.",
        detail=f"{flc} {imwg.stringent_complete.text} {imwg.flc_ratio_normal.text}",
        inputs={},
    )


# --- entry point -----------------------------------------------------------------------------


def _not_started(case: Case, kb: KnowledgeBase) -> Finding:
    knowledge = kb.get(ResponseKnowledge)
    if case.indication in MYELOMA_INDICATIONS:
        entry: Cited = knowledge.imwg.measurable_disease
        baseline = (
            "serum M-protein (electrophoresis and immunofixation), urine M-protein from a "
            "24h collection (electrophoresis and immunofixation), serum free light chains, "
            "marrow plasma cells, IgA/IgG/IgM and imaging of any plasmacytoma"
        )
    else:
        entry = knowledge.mds.transfusion_independence
        baseline = (
            "haemoglobin and the RBC transfusions of the weeks before the start (date, units, "
            "pre-transfusion haemoglobin)"
        )
    return _response_finding(
        entry,
        name="not_started",
        severity=Severity.INFO,
        summary="Lenalidomide not started: no response assessment yet.",
        detail=(
            f"Response is measured from the start of treatment. Record the baseline on or before "
            f"the first dose: {baseline}."
        ),
        inputs={"indication": case.indication.value},
    )


def evaluate(case: Case, kb: KnowledgeBase) -> ResponseOutcome:
    """Response assessment for the case's indication (myeloma or MDS); empty otherwise."""
    myeloma = case.indication in MYELOMA_INDICATIONS
    if not myeloma and case.indication is not Indication.MDS_DEL5Q:
        return ResponseOutcome()
    if not current_course(case).started:
        return ResponseOutcome(findings=[_not_started(case, kb)])
    if myeloma:
        imwg, imwg_findings = assess_imwg(case, kb)
        immunoglobulins, ig_findings = assess_immunoglobulin_recovery(case, kb)
        return ResponseOutcome(
            findings=imwg_findings + ig_findings, imwg=imwg, immunoglobulins=immunoglobulins
        )
    mds, mds_findings = assess_mds_response(case, kb)
    return ResponseOutcome(findings=mds_findings, mds=mds)


def _category_text(imwg: ImwgCriteria, category: ImwgCategory) -> str:
    """The category's criteria in words ('' for a category without them)."""
    entry = category_entry(imwg, category)
    return words(entry, "text") if "text" in type(entry).model_fields else ""
