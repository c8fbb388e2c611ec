"""Improbable input: values that are possible but rare enough to be a slip of unit or decimal.

The case model already refuses impossible values. A value outside the probable range of the
knowledge base (labs.yaml `plausible`) is accepted and used as written, but a critical,
blocking finding asks the prescriber to check it: the prescription is not ready until the
value is corrected or marked as checked (`labs[].confirmed: true`, or the field name in
`patient.confirmed`). A confirmed value gets an information finding, so the report still shows
that it was unusual. When the value would be ordinary in another accepted unit (a creatinine of
30 "mg/dL" is an ordinary 30 µmol/L), the finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from lenaguard.case import Case
from lenaguard.findings import Finding, RecordField
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.labs import LabsKnowledge, Plausibility
from lenaguard.plausibility import ValueCheck, check_age, check_lab_value
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.vocab import Category, LabTest, Severity

__all__ = ["ImprobableValue", "evaluate", "improbable_values"]

_input_finding = Finding.maker(Category.INPUT)


@dataclass(frozen=True)
class ImprobableValue:
    """One improbable value of the case: where it is, what it is, and how to confirm it."""

    slug: str
    """What the value is, as the last part of the finding id: the test and date (and time) of
    a lab result, 'anc_2026_11_19', or the patient field, 'patient_weight_kg'. Never the
    position in the file, so no id or order of findings depends on the order of lines."""
    field: str
    """The path of the entry in the case file, e.g. 'labs.3' or 'patient.weight_kg'."""
    what: str
    """What was measured, in words."""
    when: str | None
    """The date of a lab result (None for patient fields)."""
    check: ValueCheck
    confirmed: bool
    record: str
    """What to write in the case file to confirm it."""
    record_field: str
    """The case-file field that confirms it (the finding's remedy)."""


def _words(test: LabTest) -> str:
    return test.value.replace("_", " ")


def improbable_values(case: Case, kb: KnowledgeBase) -> list[ImprobableValue]:
    """Every improbable value of the case, lab results first (in file order), then the patient's
    age, weight and height."""
    labs = kb.get(LabsKnowledge)
    found: list[ImprobableValue] = []
    for index, lab in enumerate(case.labs):
        if lab.value is None or lab.unit is None:
            continue
        check = check_lab_value(labs, lab.lab_test, lab.value, lab.unit)
        if check.level is Plausibility.IMPROBABLE:
            when = lab.date.strftime("%Y_%m_%d")
            if lab.time is not None:
                when += lab.time.strftime("_%H%M%S")
            found.append(
                ImprobableValue(
                    slug=f"{lab.lab_test.value}_{when}",
                    field=f"labs.{index}",
                    what=_words(lab.lab_test),
                    when=lab.date.isoformat(),
                    check=check,
                    confirmed=lab.confirmed,
                    record=f"labs.{index}.confirmed: true",
                    record_field=f"labs.{index}.confirmed",
                )
            )
    patient = case.patient
    age_field = "birth_date" if patient.birth_date is not None else "age_years"
    checks: list[tuple[str, str, ValueCheck | None]] = [
        (age_field, "age", check_age(labs, case.age_years)),
    ]
    for name, test in (("weight_kg", LabTest.WEIGHT), ("height_cm", LabTest.HEIGHT)):
        value = getattr(patient, name)
        unit = labs.tests[test].canonical_unit
        if value is not None and unit is not None:
            checks.append((name, test.value, check_lab_value(labs, test, value, unit)))
    for name, what, check in checks:
        if check is not None and check.level is Plausibility.IMPROBABLE:
            found.append(
                ImprobableValue(
                    slug=f"patient_{name}",
                    field=f"patient.{name}",
                    what=what,
                    when=None,
                    check=check,
                    confirmed=patient.is_confirmed(name),
                    record=f"patient.confirmed: [{name}]",
                    record_field="patient.confirmed",
                )
            )
    return found


def _finding(item: ImprobableValue) -> Finding:
    check = item.check
    dated = f" on {item.when}" if item.when else ""
    if item.confirmed:
        return _input_finding(
            check.entry,
            name=f"improbable_value_confirmed.{item.slug}",
            severity=Severity.INFO,
            summary=(
                f"The {item.what} of {check.value_words}{dated} ({item.field}) is unusual and "
                "was confirmed."
            ),
            detail=(
                f"{check.improbable_message(item.what)}. It is marked as checked "
                f"({item.record}), so it is used as written and does not hold up the prescription."
            ),
            inputs=_inputs(item),
        )
    hint = f" {check.hint}." if check.hint else ""
    return _input_finding(
        check.entry,
        name=f"improbable_value.{item.slug}",
        severity=Severity.CRITICAL,
        summary=(
            f"Check the {item.what} of {check.value_words}{dated} ({item.field}): it is outside "
            "the expected range."
        ),
        detail=(
            f"{check.improbable_message(item.what)}. Such a value is possible but rare, so a "
            f"slip of unit or decimal point is more likely.{hint} The rules use the value as "
            "written. Check it against the source record and correct it, or, "
            f"if it is right, record `{item.record}`. Until then the prescription is not ready."
        ),
        inputs=_inputs(item),
        blocking=True,
        remedy=RecordField(field=item.record_field),
    )


def _inputs(item: ImprobableValue) -> dict[str, object]:
    check = item.check
    inputs: dict[str, object] = {"field": item.field, "value": check.value}
    if check.unit is not None:
        inputs["unit"] = check.unit
    if item.when is not None:
        inputs["date"] = item.when
    inputs.update(expected=check.probable_words, confirmed=item.confirmed, record=item.record)
    return inputs


def evaluate(case: Case, kb: KnowledgeBase) -> RuleOutcome:
    """A blocking finding for each improbable value not yet confirmed; an information finding
    for each confirmed one. The same result written twice gets one finding (the entry not yet
    confirmed, if any)."""
    chosen: dict[str, ImprobableValue] = {}
    for item in improbable_values(case, kb):
        kept = chosen.get(item.slug)
        if kept is None or (kept.confirmed and not item.confirmed):
            chosen[item.slug] = item
    return RuleOutcome(findings=[_finding(item) for item in chosen.values()])
