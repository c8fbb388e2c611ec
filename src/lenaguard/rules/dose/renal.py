"""Renal function: Cockcroft-Gault creatinine clearance and the US label's renal band.

The label sets lenalidomide's starting dose by creatinine clearance (CrCl) estimated with
Cockcroft-Gault — in mL/min for this patient, not an eGFR scaled to a standard body surface area.
Which body weight enters the equation is an explicit policy (`actual` by default, after a
lenalidomide body-weight study); every result says which weight was used and why.

Pure functions only; every number comes from the `renal` knowledge topic.
"""

from __future__ import annotations

from pydantic import Field

from lenaguard.case import Case
from lenaguard.errors import FieldValueError
from lenaguard.findings import Finding
from lenaguard.knowledge import (
    Citation,
    Cited,
    Frozen,
    KnowledgeBase,
    Status,
    merge_citations,
    weakest,
)
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.clearance import body_mass_index as body_mass_index
from lenaguard.rules.base.clearance import cockcroft_gault, crcl_weight
from lenaguard.rules.base.clearance import ideal_body_weight_kg as ideal_body_weight_kg
from lenaguard.rules.base.course import current_course
from lenaguard.rules.base.results import RenalFunction
from lenaguard.text import capitalised, format_number
from lenaguard.vocab import Category, LabTest, RenalBand, Severity, Sex, WeightPolicy

_renal_finding = Finding.maker(Category.RENAL)


# --- evidence for the weight -------------------------------------------------------------


def weight_policy_entries(policy: WeightPolicy | str, renal_kb: RenalKnowledge) -> list[Cited]:
    """The knowledge entries a weight policy rests on (for status and citations)."""
    policies = renal_kb.weight_policies
    return {
        WeightPolicy.ACTUAL: [policies.default],
        WeightPolicy.IDEAL: [policies.ideal],
        WeightPolicy.ADJUSTED: [policies.ideal, policies.adjusted],
        WeightPolicy.BMI_RULE: [policies.bmi_rule, policies.ideal, policies.adjusted],
    }[WeightPolicy(policy)]


# --- the band -------------------------------------------------------------------------------------


def renal_band(crcl_ml_min: float | None, on_dialysis: bool, renal_kb: RenalKnowledge) -> RenalBand:
    """The label band: dialysis for any patient on dialysis; otherwise by CrCl thresholds, with
    the knowledge file's boundary rule deciding a value exactly on a threshold."""
    if on_dialysis:
        return RenalBand.DIALYSIS
    if crcl_ml_min is None:
        raise FieldValueError("crcl_ml_min", "required when the patient is not on dialysis")
    bands = renal_kb.bands
    if crcl_ml_min == bands.boundary.at_ml_min:
        return bands.boundary.band
    if crcl_ml_min >= bands.normal.from_ml_min:
        return RenalBand.NORMAL
    if crcl_ml_min >= bands.moderate.from_ml_min:
        return RenalBand.MODERATE
    return RenalBand.SEVERE


def band_entries(
    crcl_ml_min: float | None, on_dialysis: bool, renal_kb: RenalKnowledge
) -> list[Cited]:
    """The knowledge entries that place this CrCl in its band (the boundary rule only when the
    value sits exactly on it)."""
    bands = renal_kb.bands
    used = band_definition_entries(renal_band(crcl_ml_min, on_dialysis, renal_kb), renal_kb)
    if not on_dialysis and crcl_ml_min == bands.boundary.at_ml_min:
        used = [*used, bands.boundary]
    return used


def band_definition_entries(band: RenalBand, renal_kb: RenalKnowledge) -> list[Cited]:
    """The knowledge entries that define a band (its own entry and the threshold above it)."""
    bands = renal_kb.bands
    return {
        RenalBand.NORMAL: [bands.normal],
        RenalBand.MODERATE: [bands.moderate, bands.normal],
        RenalBand.SEVERE: [bands.severe, bands.moderate],
        RenalBand.DIALYSIS: [bands.dialysis],
    }[RenalBand(band)]


def band_range_words(band: RenalBand, renal_kb: RenalKnowledge) -> str:
    """The band's CrCl range in words, built from the thresholds (honours the boundary rule)."""
    bands = renal_kb.bands
    unit = renal_kb.cockcroft_gault.result_unit
    low, high = bands.moderate.from_ml_min, bands.normal.from_ml_min
    boundary = bands.boundary

    def owns(threshold: float, owner: RenalBand) -> bool:
        return boundary.at_ml_min != threshold or boundary.band is owner

    if band is RenalBand.DIALYSIS:
        return "on dialysis"
    if band is RenalBand.NORMAL:
        return f"{'≥' if owns(high, band) else '>'} {format_number(high)} {unit}"
    if band is RenalBand.MODERATE:
        lower = "from " if owns(low, band) else "above "
        upper = "≤" if boundary.at_ml_min == high and boundary.band is band else "<"
        return f"{lower}{format_number(low)} to {upper} {format_number(high)} {unit}"
    upper = "≤" if boundary.at_ml_min == low and boundary.band is band else "<"
    return f"{upper} {format_number(low)} {unit}, not on dialysis"


def crcl_words(crcl_ml_min: float, renal_kb: RenalKnowledge) -> str:
    """CrCl for a message, to one decimal; a value that would round onto a threshold (a band or
    a not-studied limit) from below is written 'just under' it, so the words never contradict
    the band or the warning."""
    unit = renal_kb.cockcroft_gault.result_unit
    shown = round(crcl_ml_min, 1)
    thresholds = (
        renal_kb.bands.normal.from_ml_min,
        renal_kb.bands.moderate.from_ml_min,
        renal_kb.not_studied.not_on_dialysis_below_ml_min,
        renal_kb.not_studied.on_dialysis_below_ml_min,
    )
    for threshold in thresholds:
        if crcl_ml_min < threshold <= shown:
            return f"just under {format_number(threshold)} {unit}"
    return f"{format_number(shown)} {unit}"


def not_studied_limit(on_dialysis: bool, renal_kb: RenalKnowledge) -> float:
    """CrCl below which the label's renal study included no patients."""
    limits = renal_kb.not_studied
    return limits.on_dialysis_below_ml_min if on_dialysis else limits.not_on_dialysis_below_ml_min


def in_not_studied_range(
    crcl_ml_min: float | None, on_dialysis: bool, renal_kb: RenalKnowledge
) -> bool:
    return crcl_ml_min is not None and crcl_ml_min < not_studied_limit(on_dialysis, renal_kb)


# --- the calculator (CLI `lenaguard crcl`) -------------------------------------------------------


class CrclResult(Frozen):
    """The calculator's answer: Cockcroft-Gault clearance, the weight used and the label band."""

    crcl_ml_min: float
    weight_kg_used: float
    weight_policy: WeightPolicy
    weight_basis: str = Field(description="Which weight was used and why.")
    band: RenalBand = Field(description="The label's renal band for a patient not on dialysis.")
    status: Status
    citations: list[Citation] = Field(min_length=1)


def calculate_crcl(
    sex: Sex | str,
    age_years: float,
    weight_kg: float | None,
    height_cm: float | None,
    creatinine: float,
    creatinine_unit: str,
    weight_policy: WeightPolicy | str,
    kb: KnowledgeBase,
) -> CrclResult:
    """Cockcroft-Gault for the creatinine-clearance calculator (CLI and REST).

    Full-precision floats (the caller rounds for display) and the band for a patient not on
    dialysis. The creatinine unit is converted with the labs knowledge (mg/dL or umol/L).
    Raises ValueError naming the offending input (the CLI reports it as invalid input).
    """
    renal_kb = kb.get(RenalKnowledge)
    try:
        sex = Sex(sex)
    except ValueError:
        allowed = ", ".join(item.value for item in Sex)
        raise FieldValueError("sex", f"{sex!r} is not allowed; allowed: {allowed}") from None
    try:
        weight_policy = WeightPolicy(weight_policy)
    except ValueError:
        allowed = ", ".join(item.value for item in WeightPolicy)
        raise FieldValueError(
            "weight_policy", f"{weight_policy!r} is not allowed; allowed: {allowed}"
        ) from None
    creatinine_def = kb.get(LabsKnowledge).tests[LabTest.CREATININE]
    conversion = creatinine_def.units.get(creatinine_unit)
    if conversion is None:
        allowed = ", ".join(creatinine_def.units)
        raise FieldValueError(
            "creatinine_unit", f"{creatinine_unit!r} is not accepted; allowed: {allowed}"
        )
    minimum_age = kb.get(IndicationsKnowledge).adults_only.years
    if age_years < minimum_age:
        raise FieldValueError(
            "age_years",
            f"{format_number(age_years)} is under {minimum_age}; lenalidomide "
            "and this calculator are for adults",
        )
    if height_cm is not None and height_cm <= 0:
        raise FieldValueError("height_cm", "must be a positive number")
    creatinine_mg_dl = conversion.to_canonical(creatinine)
    weight_used, basis = crcl_weight(weight_policy, sex, weight_kg, height_cm, renal_kb)
    crcl = cockcroft_gault(age_years, weight_used, creatinine_mg_dl, sex, renal_kb)
    return CrclResult(
        crcl_ml_min=crcl,
        weight_kg_used=weight_used,
        weight_policy=weight_policy,
        weight_basis=basis,
        band=renal_band(crcl, False, renal_kb),
        status=renal_kb.cockcroft_gault.status,
        citations=list(renal_kb.cockcroft_gault.cite),
    )


# --- the case rule --------------------------------------------------------------------------------


def _needed_inputs(policy: WeightPolicy) -> tuple[bool, bool]:
    """(needs actual weight, needs height) for a weight policy."""
    return policy is not WeightPolicy.IDEAL, policy is not WeightPolicy.ACTUAL


def _missing_finding(
    case: Case, missing: list[str], renal_kb: RenalKnowledge, on_dialysis: bool
) -> Finding:
    policy = case.renal.weight_policy
    needs = "age, sex, serum creatinine and body weight"
    if policy is not WeightPolicy.ACTUAL:
        needs += f", plus height for the '{policy.value}' weight policy"
    if on_dialysis:
        purpose = (
            "The patient is on dialysis, so the dialysis row of the dose table applies whatever "
            "the clearance; a clearance is still needed to tell whether it lies below "
            f"{crcl_words(not_studied_limit(True, renal_kb), renal_kb)}, the range the label's "
            "study did not include."
        )
    elif current_course(case).started:
        purpose = (
            "Treatment is under way; the clearance is still needed to review the current dose "
            "against kidney function. " + renal_kb.baseline_requirement.text
        )
    else:
        purpose = (
            "Treatment has not started, and the starting dose depends on this clearance. "
            + renal_kb.baseline_requirement.text
        )
    return _renal_finding(
        renal_kb.cockcroft_gault,
        renal_kb.baseline_requirement,
        name="crcl_inputs_missing",
        severity=Severity.INFO if on_dialysis else Severity.WARNING,
        summary=f"Creatinine clearance cannot be calculated: {', '.join(missing)} needed.",
        detail=f"Cockcroft-Gault needs {needs}. {purpose}",
        inputs={"missing": missing, "weight_policy": policy.value, "on_dialysis": on_dialysis},
    )


def _implausible_finding(case: Case, problem: str, renal_kb: RenalKnowledge) -> Finding:
    return _renal_finding(
        renal_kb.cockcroft_gault,
        name="crcl_input_implausible",
        severity=Severity.WARNING,
        summary="Creatinine clearance cannot be calculated from the values given.",
        detail=f"Check the case data: {problem}.",
        inputs={
            "age_years": case.age_years,
            "weight_kg": case.weight_kg,
            "height_cm": case.height_cm,
        },
    )


def _policy_finding(policy: WeightPolicy, basis: str | None, renal_kb: RenalKnowledge) -> Finding:
    default = renal_kb.weight_policies.default
    detail = (
        f"{words(default, 'text')} The analysis covered {format_number(default.patients_studied)} "
        f"patients. This case uses the '{policy.value}' policy"
    )
    detail += f": {basis}." if basis else "."
    return _renal_finding(
        default,
        *weight_policy_entries(policy, renal_kb),
        name="weight_policy",
        severity=Severity.INFO,
        summary=(
            f"Weight policy '{policy.value}' differs from the one recommended for lenalidomide "
            f"('{default.policy.value}' body weight)."
        ),
        detail=detail,
        inputs={"weight_policy": policy.value},
    )


def _band_finding(renal: RenalFunction, renal_kb: RenalKnowledge, entries: list[Cited]) -> Finding:
    band = renal.band
    meaning = getattr(renal_kb.bands, band.value).meaning
    range_words = band_range_words(band, renal_kb)
    if renal.crcl_ml_min is None:
        clearance = "clearance not calculated"
    else:
        clearance = f"Cockcroft-Gault CrCl {crcl_words(renal.crcl_ml_min, renal_kb)}"
    if band is RenalBand.DIALYSIS:
        summary = f"On dialysis ({clearance}): dialysis band of the renal dose table."
    else:
        summary = f"{clearance} → {band.value} renal band ({range_words})."
    parts = [capitalised(meaning.rstrip(".")) + "."]
    if renal.weight_kg_used is not None:
        parts.append(f"Weight used: {renal.weight_basis}.")
    if renal.creatinine_mg_dl is not None and renal.creatinine_date is not None:
        unit = renal_kb.cockcroft_gault.creatinine_unit
        parts.append(
            f"Serum creatinine {format_number(renal.creatinine_mg_dl)} {unit} on "
            f"{renal.creatinine_date.isoformat()}."
        )
    parts.append(renal_kb.cockcroft_gault.assumptions)
    return _renal_finding(
        *entries,
        name="band",
        severity=Severity.WARNING
        if band in (RenalBand.SEVERE, RenalBand.DIALYSIS)
        else Severity.INFO,
        summary=summary,
        detail=" ".join(parts),
        inputs={
            "crcl_ml_min": renal.crcl_ml_min,
            "band": band.value,
            "weight_policy": renal.weight_policy.value,
            "weight_kg_used": renal.weight_kg_used,
            "creatinine_mg_dl": renal.creatinine_mg_dl,
            "creatinine_date": None
            if renal.creatinine_date is None
            else renal.creatinine_date.isoformat(),
        },
    )


def _not_studied_finding(crcl: float, on_dialysis: bool, renal_kb: RenalKnowledge) -> Finding:
    limit = not_studied_limit(on_dialysis, renal_kb)
    who = "on dialysis" if on_dialysis else "not on dialysis"
    return _renal_finding(
        renal_kb.not_studied,
        renal_kb.cockcroft_gault,
        name="not_studied",
        severity=Severity.WARNING,
        summary=(
            f"CrCl {crcl_words(crcl, renal_kb)} is below "
            f"{crcl_words(limit, renal_kb)}: not studied in patients {who}."
        ),
        detail=renal_kb.not_studied.text,
        inputs={"crcl_ml_min": crcl, "on_dialysis": on_dialysis, "limit_ml_min": limit},
    )


def not_studied_finding(
    crcl_ml_min: float | None, on_dialysis: bool, renal_kb: RenalKnowledge
) -> Finding | None:
    """The `renal.not_studied` warning when a clearance lies below the range the label's
    renal study included (None otherwise, or when the clearance is unknown)."""
    if crcl_ml_min is None or not in_not_studied_range(crcl_ml_min, on_dialysis, renal_kb):
        return None
    return _not_studied_finding(crcl_ml_min, on_dialysis, renal_kb)


def under_adult_age(case: Case, kb: KnowledgeBase) -> bool:
    """Whether the patient is younger than the label's adult age (Cockcroft-Gault not validated)."""
    return case.age_years < kb.get(IndicationsKnowledge).adults_only.years


def _child_finding(case: Case, renal: RenalFunction | None, kb: KnowledgeBase) -> Finding:
    renal_kb = kb.get(RenalKnowledge)
    adults = kb.get(IndicationsKnowledge).adults_only
    children = renal_kb.reliability.children
    if renal is None or renal.crcl_ml_min is None:
        estimate = "No clearance could be computed here either."
    else:
        estimate = (
            f"The Cockcroft-Gault value computed, {crcl_words(renal.crcl_ml_min, renal_kb)} "
            f"({renal.band.value} band), is shown for reference only."
        )
    return _renal_finding(
        children,
        adults,
        name="crcl_not_validated_in_children",
        severity=Severity.CRITICAL,
        summary=(
            f"Patient aged {format_number(case.age_years)}, under {format_number(adults.years)}: "
            "Cockcroft-Gault is not validated in children; the clinician must confirm the renal dose."
        ),
        detail=(
            f"{children.text} {adults.text} {estimate} Assess kidney function by a method suited "
            "to the patient's age and record the renal dose decision before prescribing."
        ),
        inputs={
            "age_years": case.age_years,
            "adult_age_years": adults.years,
            "crcl_ml_min": None if renal is None else renal.crcl_ml_min,
        },
        blocking=True,
    )


def assess_renal(case: Case, kb: KnowledgeBase) -> tuple[RenalFunction | None, list[Finding]]:
    """Renal function on the assessment date, and what it means.

    Uses the latest serum creatinine on or before `as_of`, the patient's weight and height,
    `renal.weight_policy` and `on_dialysis`. A patient on dialysis is in the dialysis band
    whatever the clearance (which is still computed, when possible, for the not-studied check).
    Returns None for the renal function when a patient not on dialysis lacks the inputs;
    findings then say what is needed.
    """
    renal_kb = kb.get(RenalKnowledge)
    policy = case.renal.weight_policy
    on_dialysis = case.patient.on_dialysis
    creatinine = case.latest(LabTest.CREATININE)
    creatinine_mg_dl = None if creatinine is None else creatinine.canonical_value
    weight, height = case.weight_kg, case.height_cm
    needs_weight, needs_height = _needed_inputs(policy)

    missing = []
    if creatinine_mg_dl is None:
        missing.append("serum creatinine")
    if needs_weight and weight is None:
        missing.append("body weight")
    if needs_height and height is None:
        missing.append("height")

    findings: list[Finding] = []
    crcl: float | None = None
    weight_used: float | None = None
    basis: str | None = None
    if missing:
        findings.append(_missing_finding(case, missing, renal_kb, on_dialysis))
    else:
        assert creatinine_mg_dl is not None  # checked above
        try:
            weight_used, basis = crcl_weight(policy, case.patient.sex, weight, height, renal_kb)
            crcl = cockcroft_gault(
                case.age_years, weight_used, creatinine_mg_dl, case.patient.sex, renal_kb
            )
        except ValueError as problem:
            weight_used = basis = None
            findings.append(_implausible_finding(case, str(problem), renal_kb))

    if policy is not renal_kb.weight_policies.default.policy:
        findings.append(_policy_finding(policy, basis, renal_kb))

    if crcl is None and not on_dialysis:
        if under_adult_age(case, kb):
            findings.append(_child_finding(case, None, kb))
        return None, findings

    band = renal_band(crcl, on_dialysis, renal_kb)
    entries: list[Cited] = []
    if crcl is not None:
        entries += [renal_kb.cockcroft_gault, *weight_policy_entries(policy, renal_kb)]
    entries += band_entries(crcl, on_dialysis, renal_kb)
    renal = RenalFunction(
        crcl_ml_min=crcl,
        band=band,
        weight_policy=policy,
        weight_kg_used=weight_used,
        weight_basis=basis or "not calculated: inputs missing or implausible",
        creatinine_mg_dl=creatinine_mg_dl,
        creatinine_date=None if creatinine is None else creatinine.date,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )
    findings.append(_band_finding(renal, renal_kb, entries))
    not_studied = not_studied_finding(crcl, on_dialysis, renal_kb)
    if not_studied is not None:
        findings.append(not_studied)
    if under_adult_age(case, kb):
        findings.append(_child_finding(case, renal, kb))
    return renal, findings
