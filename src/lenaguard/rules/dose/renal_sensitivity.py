"""How firmly the renal band rests on the estimate: the weight policy and the band edges.

Two findings show the prescriber a second dose when the band could reasonably be another:

- `renal.weight_policy_changes_band` (warning): the case's weight policy puts the clearance in
  another band than actual body weight (lenalidomide's default) would. Both clearances and both
  renal starting doses are shown.
- `renal.near_band_edge` (warning): the clearance lies within the stated margin of a band
  threshold (`renal.reliability.band_edge`, lenaguard's reading): the neighbouring band's
  starting dose is shown as well. "Within" includes the margin itself (a clearance exactly the
  margin away counts).

Neither applies on dialysis, whose dose row does not depend on the clearance. The doses are
the renal table's starting doses (`starting_dose.renal_starting_dose`); on a course under way
they are the reference the dose review uses.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import Cited, KnowledgeBase
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.clearance import cockcroft_gault
from lenaguard.rules.base.results import DosePlan, RenalFunction
from lenaguard.rules.dose.renal import (
    band_definition_entries,
    crcl_words,
    renal_band,
    weight_policy_entries,
)
from lenaguard.rules.dose.starting_dose import renal_starting_dose
from lenaguard.text import dose_words, format_number
from lenaguard.vocab import Category, RenalBand, Severity

_renal_finding = Finding.maker(Category.RENAL)


def _dose(plan: DosePlan) -> str:
    if plan.dose_mg is None or plan.frequency is None:
        return "no table dose"
    timing = " (after dialysis on dialysis days)" if plan.after_dialysis else ""
    return dose_words(plan.dose_mg, plan.frequency) + timing


def _table_dose(case: Case, band: RenalBand, kb: KnowledgeBase) -> DosePlan:
    return renal_starting_dose(case.indication, band, kb)


def _actual_weight_crcl(case: Case, renal: RenalFunction, renal_kb: RenalKnowledge) -> float | None:
    if case.weight_kg is None or renal.creatinine_mg_dl is None:
        return None
    try:
        return cockcroft_gault(
            case.age_years, case.weight_kg, renal.creatinine_mg_dl, case.patient.sex, renal_kb
        )
    except ValueError:
        return None


def _policy_finding(case: Case, renal: RenalFunction, kb: KnowledgeBase) -> Finding | None:
    renal_kb = kb.get(RenalKnowledge)
    default = renal_kb.weight_policies.default
    policy = renal.weight_policy
    if policy is default.policy or renal.crcl_ml_min is None:
        return None
    actual = _actual_weight_crcl(case, renal, renal_kb)
    if actual is None:
        return None
    actual_band = renal_band(actual, False, renal_kb)
    if actual_band is renal.band:
        return None
    chosen_plan = _table_dose(case, renal.band, kb)
    actual_plan = _table_dose(case, actual_band, kb)
    chosen_words = crcl_words(renal.crcl_ml_min, renal_kb)
    actual_words = crcl_words(actual, renal_kb)
    entries: list[Cited] = [
        default,
        *weight_policy_entries(policy, renal_kb),
        *band_definition_entries(renal.band, renal_kb),
        *band_definition_entries(actual_band, renal_kb),
    ]
    return _renal_finding(
        *entries,
        name="weight_policy_changes_band",
        severity=Severity.WARNING,
        summary=(
            f"Weight policy changes the band: '{policy.value}' {chosen_words} "
            f"({renal.band.value}); actual weight {actual_words} ({actual_band.value})."
        ),
        detail=(
            f"With the '{policy.value}' policy ({renal.weight_basis}): CrCl {chosen_words}, "
            f"{renal.band.value} band, starting dose {_dose(chosen_plan)}. With actual body "
            f"weight ({format_number(round(case.weight_kg or 0, 1))} kg): CrCl {actual_words}, "
            f"{actual_band.value} band, starting dose {_dose(actual_plan)}. {words(default, 'text')} "
            "Confirm which weight fits this patient before the dose is chosen."
        ),
        inputs={
            "weight_policy": policy.value,
            "crcl_ml_min": renal.crcl_ml_min,
            "band": renal.band.value,
            "dose_mg": chosen_plan.dose_mg,
            "actual_weight_crcl_ml_min": actual,
            "actual_weight_band": actual_band.value,
            "actual_weight_dose_mg": actual_plan.dose_mg,
        },
    )


def _edges(renal_kb: RenalKnowledge) -> list[tuple[float, RenalBand, RenalBand]]:
    """Each band threshold with the band below and the band above it."""
    bands = renal_kb.bands
    return [
        (bands.moderate.from_ml_min, RenalBand.SEVERE, RenalBand.MODERATE),
        (bands.normal.from_ml_min, RenalBand.MODERATE, RenalBand.NORMAL),
    ]


def _edge_findings(case: Case, renal: RenalFunction, kb: KnowledgeBase) -> list[Finding]:
    renal_kb = kb.get(RenalKnowledge)
    crcl = renal.crcl_ml_min
    if crcl is None:
        return []
    edge = renal_kb.reliability.band_edge
    unit = renal_kb.cockcroft_gault.result_unit
    findings = []
    for threshold, below, above in _edges(renal_kb):
        if abs(crcl - threshold) > edge.margin_ml_min:
            continue
        neighbour = below if renal.band is above else above
        own_plan = _table_dose(case, renal.band, kb)
        other_plan = _table_dose(case, neighbour, kb)
        entries = [
            edge,
            *band_definition_entries(renal.band, renal_kb),
            *band_definition_entries(neighbour, renal_kb),
        ]
        margin = f"{format_number(edge.margin_ml_min)} {unit}"
        findings.append(
            _renal_finding(
                *entries,
                name="near_band_edge",
                severity=Severity.WARNING,
                summary=(
                    f"CrCl {crcl_words(crcl, renal_kb)} is within {margin} of the "
                    f"{format_number(threshold)} {unit} band edge: {neighbour.value} band "
                    f"{_dose(other_plan)}."
                ),
                detail=(
                    f"{renal.band.value.capitalize()} band (this estimate): starting dose "
                    f"{_dose(own_plan)}. {neighbour.value.capitalize()} band (across the edge "
                    f"at {format_number(threshold)} {unit}): starting dose {_dose(other_plan)}. "
                    f"{edge.text}"
                ),
                inputs={
                    "crcl_ml_min": crcl,
                    "band": renal.band.value,
                    "edge_ml_min": threshold,
                    "margin_ml_min": edge.margin_ml_min,
                    "neighbour_band": neighbour.value,
                    "dose_mg": own_plan.dose_mg,
                    "neighbour_dose_mg": other_plan.dose_mg,
                },
            )
        )
    return findings


def evaluate(case: Case, renal: RenalFunction | None, kb: KnowledgeBase) -> list[Finding]:
    """The weight-policy and band-edge findings for a patient not on dialysis."""
    if renal is None or renal.band is RenalBand.DIALYSIS:
        return []
    policy = _policy_finding(case, renal, kb)
    return [*([policy] if policy is not None else []), *_edge_findings(case, renal, kb)]
