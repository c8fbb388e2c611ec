"""Cockcroft-Gault creatinine clearance and the body weight that enters it (pure arithmetic).

Shared by the dose rules (the renal band and starting dose) and the safety rules (the renal
dose of a low-molecular-weight heparin), which may not import each other. Every number comes
from the `renal` knowledge topic; which weight is used is an explicit policy, and every weight
comes with one sentence saying which weight it is and why.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.errors import FieldValueError
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.text import format_number
from lenaguard.vocab import LabTest, Sex, WeightPolicy

# --- the arithmetic -----------------------------------------------------------------------------


def ideal_body_weight_kg(sex: Sex | str, height_cm: float, renal_kb: RenalKnowledge) -> float:
    """Devine ideal body weight: the base weight for the sex plus a fixed weight per inch of
    height above the reference height (shorter patients get the base weight)."""
    if height_cm <= 0:
        raise FieldValueError("height_cm", "must be a positive number")
    devine = renal_kb.weight_policies.ideal
    inches_over = max(height_cm / devine.cm_per_inch - devine.reference_height_in, 0)
    return devine.base_kg[Sex(sex)] + devine.kg_per_inch * inches_over


def _below_reference_height(height_cm: float, renal_kb: RenalKnowledge) -> bool:
    devine = renal_kb.weight_policies.ideal
    return height_cm / devine.cm_per_inch < devine.reference_height_in


def _kg(value: float) -> str:
    return f"{format_number(round(value, 1))} kg"


def _require(name: str, value: float | None, policy: WeightPolicy) -> float:
    if value is None:
        raise FieldValueError(name, f"required for the '{policy.value}' weight policy")
    if value <= 0:
        raise FieldValueError(name, "must be a positive number")
    return float(value)


def _ideal_words(sex: Sex, height_cm: float, ibw: float, renal_kb: RenalKnowledge) -> str:
    words = (
        f"ideal body weight {_kg(ibw)} (Devine, {sex.value}, height {format_number(height_cm)} cm"
    )
    if _below_reference_height(height_cm, renal_kb):
        reference_cm = (
            renal_kb.weight_policies.ideal.reference_height_in
            * renal_kb.weight_policies.ideal.cm_per_inch
        )
        reference = format_number(round(reference_cm, 1))
        words += f"; shorter than the formula's {reference} cm, so the base weight"
    return words + ")"


def _adjusted(
    sex: Sex, weight_kg: float, height_cm: float, renal_kb: RenalKnowledge
) -> tuple[float, str]:
    ibw = ideal_body_weight_kg(sex, height_cm, renal_kb)
    fraction = renal_kb.weight_policies.adjusted.fraction_of_excess
    ideal_words = _ideal_words(sex, height_cm, ibw, renal_kb)
    if weight_kg <= ibw:
        return weight_kg, (
            f"actual body weight {_kg(weight_kg)}, because it is not above the {ideal_words} "
            "and there is no excess to adjust for"
        )
    adjusted = ibw + fraction * (weight_kg - ibw)
    return adjusted, (
        f"adjusted body weight {_kg(adjusted)}: the {ideal_words} plus "
        f"{format_number(fraction)} × the {_kg(weight_kg - ibw)} of actual weight "
        f"({_kg(weight_kg)}) above it"
    )


def body_mass_index(weight_kg: float, height_cm: float, renal_kb: RenalKnowledge) -> float:
    """BMI in kg/m²."""
    height_m = height_cm / renal_kb.weight_policies.bmi_rule.cm_per_m
    return weight_kg / (height_m * height_m)


def crcl_weight(
    policy: WeightPolicy | str,
    sex: Sex | str,
    weight_kg: float | None,
    height_cm: float | None,
    renal_kb: RenalKnowledge,
) -> tuple[float, str]:
    """The body weight (kg) that enters Cockcroft-Gault under `policy`, and one sentence saying
    which weight it is and why.

    `actual` needs weight_kg; `ideal` needs height_cm; `adjusted` and `bmi_rule` need both.
    Raises ValueError naming the missing or impossible input.
    """
    policy, sex = WeightPolicy(policy), Sex(sex)
    default = renal_kb.weight_policies.default.policy
    if policy is WeightPolicy.ACTUAL:
        weight = _require("weight_kg", weight_kg, policy)
        qualifier = "default policy" if policy is default else "actual-weight policy"
        return weight, f"actual body weight {_kg(weight)} ({qualifier})"
    height = _require("height_cm", height_cm, policy)
    if policy is WeightPolicy.IDEAL:
        ibw = ideal_body_weight_kg(sex, height, renal_kb)
        basis = f"{_ideal_words(sex, height, ibw, renal_kb)} (ideal-weight policy)"
        if weight_kg is not None and weight_kg < ibw:
            basis += (
                f"; this is more than the actual weight of {_kg(weight_kg)}, so the clearance "
                "comes out higher than with actual weight"
            )
        return ibw, basis
    weight = _require("weight_kg", weight_kg, policy)
    if policy is WeightPolicy.ADJUSTED:
        adjusted, basis = _adjusted(sex, weight, height, renal_kb)
        return adjusted, f"{basis} (adjusted-weight policy)"
    rule = renal_kb.weight_policies.bmi_rule
    bmi = body_mass_index(weight, height, renal_kb)
    bmi_words = f"BMI {format_number(round(bmi, 1))}"
    if bmi < rule.normal_from:
        return weight, (
            f"actual body weight {_kg(weight)} ({bmi_words}, below "
            f"{format_number(rule.normal_from)}; BMI-rule policy)"
        )
    if bmi < rule.overweight_from:
        ibw = ideal_body_weight_kg(sex, height, renal_kb)
        chosen = min(ibw, weight)
        return chosen, (
            f"the lower of the {_ideal_words(sex, height, ibw, renal_kb)} and the actual weight "
            f"{_kg(weight)}: {_kg(chosen)} ({bmi_words}, {format_number(rule.normal_from)} to "
            f"< {format_number(rule.overweight_from)}; BMI-rule policy)"
        )
    adjusted, basis = _adjusted(sex, weight, height, renal_kb)
    return adjusted, (
        f"{basis} ({bmi_words}, at least {format_number(rule.overweight_from)}; BMI-rule policy)"
    )


def cockcroft_gault(
    age_years: float,
    weight_kg: float,
    creatinine_mg_dl: float,
    sex: Sex | str,
    renal_kb: RenalKnowledge,
) -> float:
    """Creatinine clearance in mL/min by Cockcroft-Gault, full precision (not BSA-normalised).

    Raises ValueError naming the input when the equation cannot apply (creatinine or weight not
    not positive, negative age, age at or above the equation's age constant).
    """
    equation = renal_kb.cockcroft_gault
    if creatinine_mg_dl <= 0:
        raise FieldValueError("creatinine", "must be a positive number")
    if weight_kg <= 0:
        raise FieldValueError("weight_kg", "must be a positive number")
    if age_years < 0 or age_years >= equation.age_constant_years:
        raise FieldValueError(
            "age_years",
            f"must not be negative and must be under "
            f"{format_number(equation.age_constant_years)} for Cockcroft-Gault",
        )
    clearance = (
        (equation.age_constant_years - age_years)
        * weight_kg
        / (equation.creatinine_factor * creatinine_mg_dl)
    )
    if Sex(sex) is Sex.FEMALE:
        clearance *= equation.female_factor
    return clearance


def case_crcl(case: Case, renal_kb: RenalKnowledge) -> float | None:
    """The case's Cockcroft-Gault clearance on its assessment date: the latest creatinine, the
    case's weight policy. None when an input is missing or implausible (the renal rules say
    which, as findings)."""
    creatinine = case.latest(LabTest.CREATININE)
    if creatinine is None or creatinine.canonical_value is None:
        return None
    try:
        weight, _ = crcl_weight(
            case.renal.weight_policy, case.patient.sex, case.weight_kg, case.height_cm, renal_kb
        )
        return cockcroft_gault(
            case.age_years, weight, creatinine.canonical_value, case.patient.sex, renal_kb
        )
    except ValueError:
        return None
