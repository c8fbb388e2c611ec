"""Thromboembolism: the boxed warning, the myeloma VTE risk models, and the prophylaxis choice.

`evaluate(case, kb)` scores IMPEDE VTE and SAVED, applies the IMWG risk-factor model, and
returns findings: the boxed warning (every indication), a warning when no aspirin or
anticoagulant is listed, the prophylaxis the models point to, and what input is missing.

Every item is three-valued: it applies (true), does not (false) or is unknown (null) because
the case leaves the deciding field out. A score's `points` are the sum of the items that apply;
unknown items are listed, with the points the score could reach once they are known. Nothing
missing is silently taken as absent, except medications: a drug not listed is not taken.

The models were developed in multiple myeloma. For the other indications they are computed
for information only, marked not applicable, and never used to choose prophylaxis.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from pydantic import Field

from lenaguard.case import Case
from lenaguard.findings import Finding, StartMedication
from lenaguard.knowledge import Cited, KnowledgeBase, Status, merge_citations, weakest
from lenaguard.knowledge.base import Citation, Frozen
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.knowledge.topics.thrombosis import (
    AgeCriterion,
    AnyOfCriterion,
    BandName,
    BmiCriterion,
    ConditionCriterion,
    Criterion,
    DexamethasoneCriterion,
    DrugClassCriterion,
    EthnicityCriterion,
    ImwgModel,
    IndicationCriterion,
    LenalidomideCriterion,
    Prophylaxis,
    ScoreDefinition,
    ScoreItemDefinition,
    ThrombosisKnowledge,
    drug_classes_in,
)
from lenaguard.rules.base.clearance import case_crcl
from lenaguard.rules.base.course import Course, CourseStatus, current_course
from lenaguard.rules.base.medications import RecognisedMedication, recognise_all
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.text import capitalised, format_number
from lenaguard.vocab import Category, HoldReason, LabTest, Severity

_thrombosis_finding = Finding.maker(Category.THROMBOSIS)


IMPEDE_VTE = "impede_vte"
SAVED = "saved"
DEXAMETHASONE = "dexamethasone"
LENALIDOMIDE = "lenalidomide"
ANTICOAGULANT = "anticoagulant"
ASPIRIN = "aspirin"
ANTIPLATELET = "antiplatelet"


# --- results ------------------------------------------------------------------------------


class ScoreItem(Frozen):
    """One item of a point score as applied to the case."""

    id: str
    label: str
    points: int
    present: bool | None = Field(
        description="true: counts toward the score; false: does not; null: unknown input."
    )
    basis: str = Field(description="The case values that decided it, in words.")


class ScoreResult(Frozen):
    """A VTE risk score for the case: points, band, items and what is still unknown."""

    name: str
    points: int = Field(description="Sum of the points of the items that are present.")
    band: BandName
    six_month_vte_percent: float = Field(description="VTE risk of the band in the source.")
    horizon_months: int
    items: list[ScoreItem]
    range: tuple[int, int] = Field(description="Lowest and highest total the score allows.")
    unknown_items: list[str] = Field(description="Ids of the items whose input is missing.")
    possible_points: tuple[int, int] = Field(
        description="Lowest and highest total once the unknown items are known."
    )
    possible_bands: list[BandName]
    points_before_prophylaxis: int = Field(
        description="Points without the existing-thromboprophylaxis items (the risk the "
        "prophylaxis choice is made for)."
    )
    possible_points_before_prophylaxis: tuple[int, int]
    applicable: bool = Field(description="False outside the population the score was built in.")
    applicability: str
    status: Status
    citations: list[Citation] = Field(min_length=1)


class ImwgFactor(Frozen):
    id: str
    kind: Literal["individual", "myeloma", "therapy"]
    label: str
    present: bool | None
    basis: str


class ImwgThrombosisRisk(Frozen):
    """The IMWG risk-factor model applied to the case, with the prophylaxis it recommends."""

    name: str
    applicable: bool
    individual: list[ImwgFactor]
    myeloma: list[ImwgFactor]
    therapy: list[ImwgFactor]
    individual_myeloma_count: int = Field(
        description="Individual plus myeloma-related factors present."
    )
    therapy_count: int
    unknown: list[str] = Field(description="Ids of the factors whose input is missing.")
    recommendation: Prophylaxis
    recommendation_text: str
    settled: bool = Field(description="False when unknown factors could change the choice.")
    status: Status
    citations: list[Citation] = Field(min_length=1)


class ProphylaxisMedication(Frozen):
    """An aspirin or anticoagulant the case lists."""

    name: str
    drug: str
    classes: list[str]
    intensity: Literal["prophylactic", "therapeutic"] | None = None
    dose_mg: float | None = None

    def words(self) -> str:
        extra = []
        if self.dose_mg is not None:
            extra.append(f"{format_number(self.dose_mg)} mg")
        if self.intensity is not None:
            extra.append(self.intensity)
        return f"{self.drug} ({', '.join(extra)})" if extra else self.drug


class ThrombosisOutcome(RuleOutcome):
    scores: dict[str, ScoreResult] = Field(default_factory=dict)
    imwg: ImwgThrombosisRisk
    prophylaxis_in_use: list[ProphylaxisMedication] = Field(default_factory=list)


# --- evaluating criteria ------------------------------------------------------------------


@dataclass(frozen=True)
class _Eval:
    present: bool | None
    basis: str
    needed: tuple[str, ...] = ()
    """Case fields that would settle an unknown result."""


@dataclass(frozen=True)
class _Context:
    case: Case
    knowledge: ThrombosisKnowledge
    catalogue: DrugCatalogue
    indications: IndicationsKnowledge
    recognised: tuple[RecognisedMedication, ...]
    """The case's medications, recognised once for all the score items."""
    course: Course
    renal_kb: RenalKnowledge
    crcl_ml_min: float | None
    """Cockcroft-Gault clearance with the case's weight policy (the LMWH renal dose)."""

    def listed(self, drug_class: str) -> list[RecognisedMedication]:
        if drug_class not in self.catalogue.classes:
            raise KeyError(drug_class)
        return [r for r in self.recognised if r.drug is not None and drug_class in r.drug.classes]

    def bmi(self) -> float | None:
        weight, height = self.case.weight_kg, self.case.height_cm
        if weight is None or height is None:
            return None
        metres = height / self.knowledge.bmi.cm_per_m
        return round(weight / (metres * metres), self.knowledge.bmi.decimals)

    def dexamethasone_expected(self) -> bool:
        entry = self.indications.entry(self.case.indication)
        return entry.combination == DEXAMETHASONE

    @property
    def renal_unit(self) -> str:
        return self.renal_kb.cockcroft_gault.result_unit

    def boxed_recommendation_applies(self) -> bool:
        """Myeloma treated with dexamethasone: the setting of the label's recommendation."""
        boxed = self.knowledge.boxed_warning
        if self.case.indication not in boxed.prophylaxis_indications:
            return False
        drug_class = boxed.prophylaxis_with_drug_class
        entry = self.indications.entry(self.case.indication)
        return entry.combination == drug_class or bool(self.listed(drug_class))


def _names(found: list[RecognisedMedication]) -> str:
    return ", ".join(item.medication.name or f"rxnorm {item.medication.rxnorm}" for item in found)


def _evaluate(criterion: Criterion, ctx: _Context) -> _Eval:
    if isinstance(criterion, LenalidomideCriterion):
        return _lenalidomide(criterion, ctx)
    if isinstance(criterion, DrugClassCriterion):
        return _drug_class(criterion, ctx)
    if isinstance(criterion, ConditionCriterion):
        return _condition(criterion, ctx)
    if isinstance(criterion, BmiCriterion):
        return _bmi(criterion, ctx)
    if isinstance(criterion, DexamethasoneCriterion):
        return _dexamethasone(criterion, ctx)
    if isinstance(criterion, EthnicityCriterion):
        return _ethnicity(criterion, ctx)
    if isinstance(criterion, AgeCriterion):
        return _age(criterion, ctx)
    if isinstance(criterion, IndicationCriterion):
        present = ctx.case.indication in criterion.any_of
        return _Eval(present, f"indication {ctx.case.indication.value}")
    return _any_of(criterion, ctx)


def _lenalidomide(criterion: LenalidomideCriterion, ctx: _Context) -> _Eval:
    others = [
        item
        for item in ctx.listed(criterion.also_drug_class)
        if item.drug is not None and LENALIDOMIDE not in item.drug.classes
    ]
    basis = "lenalidomide, the drug assessed, is an immunomodulatory drug"
    if others:
        basis += f"; also listed: {_names(others)}"
    return _Eval(True, basis)


def _drug_class(criterion: DrugClassCriterion, ctx: _Context) -> _Eval:
    found = ctx.listed(criterion.drug_class)
    description = ctx.catalogue.classes[criterion.drug_class].description
    what = description[:1].lower() + description[1:]
    if criterion.intensity is None:
        if found:
            return _Eval(True, f"listed: {_names(found)}")
        return _Eval(False, f"none listed ({what})")
    matching = [item for item in found if item.medication.intensity == criterion.intensity]
    unstated = [item for item in found if item.medication.intensity is None]
    if matching:
        return _Eval(True, f"listed at {criterion.intensity} intensity: {_names(matching)}")
    if unstated:
        return _Eval(
            None,
            f"{_names(unstated)} listed without its intensity (prophylactic or therapeutic)",
            ("medications[].intensity",),
        )
    if found:
        return _Eval(False, f"{_names(found)} listed, not at {criterion.intensity} intensity")
    return _Eval(False, f"none listed ({what})")


def _condition(criterion: ConditionCriterion, ctx: _Context) -> _Eval:
    values = {name: getattr(ctx.case.conditions, name) for name in criterion.any_of}
    true = [f"conditions.{name}: true" for name, value in values.items() if value is True]
    if criterion.or_on_dialysis and ctx.case.patient.on_dialysis:
        true.append("patient.on_dialysis: true")
    if true:
        return _Eval(True, "; ".join(true))
    unknown = tuple(f"conditions.{name}" for name, value in values.items() if value is None)
    if unknown:
        return _Eval(None, f"{', '.join(unknown)} not given", unknown)
    return _Eval(False, "; ".join(f"conditions.{name}: false" for name in values))


def _bmi(criterion: BmiCriterion, ctx: _Context) -> _Eval:
    bmi = ctx.bmi()
    if bmi is None:
        return _Eval(
            None,
            "weight or height missing: body-mass index unknown",
            ("patient.weight_kg", "patient.height_cm"),
        )
    if criterion.at_least is not None:
        present = bmi >= criterion.at_least
    else:
        present = criterion.above is not None and bmi > criterion.above
    return _Eval(present, f"BMI {format_number(bmi)} {ctx.knowledge.bmi.unit}")


def _dexamethasone(criterion: DexamethasoneCriterion, ctx: _Context) -> _Eval:
    found = ctx.listed(DEXAMETHASONE)
    if not found:
        basis = "no dexamethasone listed"
        if ctx.dexamethasone_expected():
            basis += " (the indication is labelled with dexamethasone: check the medication list)"
        return _Eval(False, basis)
    doses = [item.medication.mg_per_month for item in found]
    if any(dose is None for dose in doses):
        return _Eval(
            None,
            f"{_names(found)} listed without mg_per_month: dose level unknown",
            ("medications[dexamethasone].mg_per_month",),
        )
    total = sum(dose for dose in doses if dose is not None)
    high = total > ctx.knowledge.dexamethasone_high_dose.high_above_mg_per_month
    floor = criterion.at_least_mg_per_month
    in_band = not high and (floor is None or total >= floor)
    present = high if criterion.dose == "high" else in_band
    summed = " (sum of the listed entries)" if len(found) > 1 else ""
    basis = f"dexamethasone {format_number(total)} mg per month{summed}"
    if floor is not None and total < floor:
        basis += f"; below {format_number(floor)} mg this score gives no dexamethasone points"
    return _Eval(present, basis)


def _ethnicity(criterion: EthnicityCriterion, ctx: _Context) -> _Eval:
    value = ctx.case.patient.ethnicity
    if value is None:
        return _Eval(None, "patient.ethnicity not given", ("patient.ethnicity",))
    return _Eval(value == criterion.value, f"patient.ethnicity: {value.value}")


def _age(criterion: AgeCriterion, ctx: _Context) -> _Eval:
    age = ctx.case.age_years
    return _Eval(age >= criterion.at_least, f"age {format_number(age)} years")


def _any_of(criterion: AnyOfCriterion, ctx: _Context) -> _Eval:
    parts = [_evaluate(part, ctx) for part in criterion.criteria]
    true = [part for part in parts if part.present is True]
    if true:
        return _Eval(True, "; ".join(part.basis for part in true))
    unknown = [part for part in parts if part.present is None]
    if unknown:
        needed = tuple(field for part in unknown for field in part.needed)
        return _Eval(None, "; ".join(part.basis for part in unknown), needed)
    return _Eval(False, "; ".join(dict.fromkeys(part.basis for part in parts)))


# --- point scores -------------------------------------------------------------------------


@dataclass(frozen=True)
class _ScoredGroup:
    items: list[ScoreItem]
    needed: list[tuple[str, ...]]
    outcomes: set[int]
    prophylaxis: bool


def _group_outcomes(points: list[int], present: list[bool | None], known: bool) -> set[int]:
    """The totals a group can add: its largest (absolute) applicable item, or none."""
    certain = [p for p, value in zip(points, present, strict=True) if value is True]
    maybe = [p for p, value in zip(points, present, strict=True) if value is None]
    outcomes = set()
    for size in range(len(maybe) + 1):
        for chosen in combinations(maybe, size):
            pool = certain + list(chosen)
            if pool:
                outcomes.add(max(pool, key=abs))
            elif not known:
                outcomes.add(0)
    return outcomes or {0}


def _score_group(
    definition: ScoreDefinition, members: list[ScoreItemDefinition], ctx: _Context
) -> _ScoredGroup:
    evals = [_evaluate(item.criterion, ctx) for item in members]
    present: list[bool | None] = [e.present for e in evals]
    bases = [e.basis for e in evals]
    for index, item in enumerate(members):
        if present[index] is True and item.note:
            bases[index] += f"; {item.note}"
    group = definition.groups.get(members[0].group or "")
    counted = [i for i, value in enumerate(present) if value is True]
    if counted:
        chosen = max(counted, key=lambda i: abs(members[i].points))
        chosen_label = ctx.knowledge.item_label(members[chosen].label, members[chosen].criterion)
        for index, value in enumerate(present):
            if index == chosen or value is False:
                continue
            if value is True or abs(members[index].points) <= abs(members[chosen].points):
                present[index] = False
                bases[index] += f"; not counted: {chosen_label} counts (one level per variable)"
    if group is not None and group.uncounted_drug_class is not None:
        read = set().union(*(drug_classes_in(item.criterion) for item in members))
        uncounted = [
            item
            for item in ctx.listed(group.uncounted_drug_class)
            if item.drug is not None and not read & set(item.drug.classes)
        ]
        if uncounted:
            for index, value in enumerate(present):
                if value is not True:
                    bases[index] += f"; {_names(uncounted)}: {group.uncounted_note}"
    known = False
    if group is not None and group.known_present_if is not None:
        known = _evaluate(group.known_present_if, ctx).present is True
    items = [
        ScoreItem(
            id=item.id,
            label=ctx.knowledge.item_label(item.label, item.criterion),
            points=item.points,
            present=present[index],
            basis=bases[index],
        )
        for index, item in enumerate(members)
    ]
    needed = [evals[i].needed for i, value in enumerate(present) if value is None]
    outcomes = _group_outcomes([item.points for item in members], present, known)
    prophylaxis = group is not None and group.existing_prophylaxis
    return _ScoredGroup(items, needed, outcomes, prophylaxis)


def _bands_between(definition: ScoreDefinition, low: int, high: int) -> list[BandName]:
    return [
        band.band
        for band in definition.bands
        if (band.max_points is None or band.max_points >= low)
        and (band.min_points is None or band.min_points <= high)
    ]


def _applicability(definition_name: str, population: str, applicable: bool, ctx: _Context) -> str:
    if applicable:
        return f"{definition_name}: {population}."
    indication = ctx.indications.entry(ctx.case.indication).name.lower()
    return (
        f"{definition_name} was {population}; it is not validated for {indication}. "
        "Shown for information only, not as a basis for choosing prophylaxis."
    )


def score(key: str, ctx: _Context) -> tuple[ScoreResult, list[tuple[str, tuple[str, ...]]]]:
    """One point score for the case, and the (item id, needed fields) of its unknown items."""
    definition = ctx.knowledge.scores[key]
    groups = [_score_group(definition, members, ctx) for members in definition.grouped()]
    items = [item for group in groups for item in group.items]
    points = sum(item.points for item in items if item.present is True)
    before = sum(
        item.points
        for group in groups
        if not group.prophylaxis
        for item in group.items
        if item.present is True
    )
    low = sum(min(group.outcomes) for group in groups)
    high = sum(max(group.outcomes) for group in groups)
    low_before = sum(min(group.outcomes) for group in groups if not group.prophylaxis)
    high_before = sum(max(group.outcomes) for group in groups if not group.prophylaxis)
    band = definition.band_for(points)
    applicable = ctx.case.indication in definition.applies_to
    knowledge = ctx.knowledge
    entries: list[Cited] = [
        definition,
        *definition.items,
        knowledge.dexamethasone_high_dose,
        knowledge.bmi,
    ]
    if definition.use is not None:
        entries.append(definition.use)
    unknown = [item for item in items if item.present is None]
    needed = [
        (item.id, fields)
        for group in groups
        for item, fields in zip(
            [i for i in group.items if i.present is None], group.needed, strict=True
        )
    ]
    result = ScoreResult(
        name=definition.name,
        points=points,
        band=band.band,
        six_month_vte_percent=band.six_month_vte_percent,
        horizon_months=definition.horizon_months,
        items=items,
        range=definition.possible_range(),
        unknown_items=[item.id for item in unknown],
        possible_points=(low, high),
        possible_bands=_bands_between(definition, low, high),
        points_before_prophylaxis=before,
        possible_points_before_prophylaxis=(low_before, high_before),
        applicable=applicable,
        applicability=_applicability(definition.name, definition.population, applicable, ctx),
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(definition, *([definition.use] if definition.use else [])),
    )
    return result, needed


# --- IMWG risk-factor model ---------------------------------------------------------------


def _lmwh_renal_note(ctx: _Context) -> tuple[str, list[Cited]] | None:
    """What the kidneys change about a low-molecular-weight heparin, when they change it: on
    dialysis (no dose held), a clearance below the enoxaparin limit, or a clearance not known."""
    knowledge = ctx.knowledge
    if ctx.case.patient.on_dialysis:
        return knowledge.lmwh_dialysis.text, [knowledge.lmwh_dialysis]
    renal = knowledge.lmwh_renal
    unit = ctx.renal_unit
    limit = f"{format_number(renal.crcl_below_ml_min)} {unit}"
    dose = f"enoxaparin {format_number(renal.enoxaparin_mg_daily)} mg once daily"
    if ctx.crcl_ml_min is None:
        return (
            f"{renal.text} Creatinine clearance is not known here; below {limit}: {dose}.",
            [renal],
        )
    if ctx.crcl_ml_min < renal.crcl_below_ml_min:
        clearance = format_number(round(ctx.crcl_ml_min, 1))
        return f"{renal.text} CrCl {clearance} {unit}, below {limit}: {dose}.", [renal]
    return None


def _regimen_words(ctx: _Context, choice: Prophylaxis) -> str:
    """The regimen of a choice in words; an anticoagulant's takes the kidneys into account."""
    model = ctx.knowledge.imwg
    if choice == ASPIRIN:
        aspirin = model.aspirin
        return (
            f"aspirin {format_number(aspirin.low_mg)}–{format_number(aspirin.high_mg)} mg "
            "once daily"
        )
    regimen = model.anticoagulant
    warfarin = (
        f"full-dose warfarin (target INR "
        f"{format_number(regimen.inr_low)}–{format_number(regimen.inr_high)})"
    )
    renal = ctx.knowledge.lmwh_renal
    low_dose = f"enoxaparin {format_number(renal.enoxaparin_mg_daily)} mg once daily"
    limit = f"{format_number(renal.crcl_below_ml_min)} {ctx.renal_unit}"
    if ctx.case.patient.on_dialysis:
        return (
            f"{warfarin}, or a low-molecular-weight heparin only at a dose decided for dialysis "
            "(on dialysis: see the note on kidney function)"
        )
    usual = f"enoxaparin {format_number(regimen.enoxaparin_mg_daily)} mg once daily or equivalent"
    if ctx.crcl_ml_min is not None and ctx.crcl_ml_min < renal.crcl_below_ml_min:
        return (
            f"low-molecular-weight heparin at its renal dose ({low_dose}, CrCl below {limit}) "
            f"or {warfarin}"
        )
    if ctx.crcl_ml_min is None:
        return (
            f"low-molecular-weight heparin ({usual}; {low_dose} if CrCl is below {limit}) "
            f"or {warfarin}"
        )
    return f"low-molecular-weight heparin ({usual}) or {warfarin}"


def imwg_risk(ctx: _Context) -> tuple[ImwgThrombosisRisk, list[tuple[str, tuple[str, ...]]]]:
    """The IMWG model for the case, and the (factor id, needed fields) of unknown factors."""
    model = ctx.knowledge.imwg
    factors: list[ImwgFactor] = []
    needed: list[tuple[str, tuple[str, ...]]] = []
    for definition in model.factors:
        result = _evaluate(definition.criterion, ctx)
        factors.append(
            ImwgFactor(
                id=definition.id,
                kind=definition.kind,
                label=ctx.knowledge.item_label(definition.label, definition.criterion),
                present=result.present,
                basis=result.basis,
            )
        )
        if result.present is None:
            needed.append((definition.id, result.needed))
    patient = [f for f in factors if f.kind != "therapy"]
    therapy = [f for f in factors if f.kind == "therapy"]
    count = sum(1 for f in patient if f.present is True)
    count_unknown = sum(1 for f in patient if f.present is None)
    therapy_count = sum(1 for f in therapy if f.present is True)
    therapy_unknown = any(f.present is None for f in therapy)
    limit = model.aspirin_up_to_factors
    if therapy_count or count > limit:
        choice: Prophylaxis = ANTICOAGULANT
        settled = True
    else:
        choice = ASPIRIN
        settled = not therapy_unknown and count + count_unknown <= limit
    entries: list[Cited] = [
        model,
        model.aspirin,
        model.anticoagulant,
        *model.factors,
        ctx.knowledge.dexamethasone_high_dose,
        ctx.knowledge.bmi,
    ]
    renal_note = _lmwh_renal_note(ctx) if choice == ANTICOAGULANT else None
    renal_entries = [] if renal_note is None else renal_note[1]
    risk = ImwgThrombosisRisk(
        name=model.name,
        applicable=ctx.case.indication in model.applies_to,
        individual=[f for f in factors if f.kind == "individual"],
        myeloma=[f for f in factors if f.kind == "myeloma"],
        therapy=therapy,
        individual_myeloma_count=count,
        therapy_count=therapy_count,
        unknown=[f.id for f in factors if f.present is None],
        recommendation=choice,
        recommendation_text=_regimen_words(ctx, choice),
        settled=settled,
        status=weakest(entry.status for entry in [*entries, *renal_entries]),
        citations=merge_citations(model, model.aspirin, model.anticoagulant, *renal_entries),
    )
    return risk, needed


# --- prophylaxis in use -------------------------------------------------------------------


def prophylaxis_in_use(ctx: _Context) -> list[ProphylaxisMedication]:
    """The aspirin and anticoagulants the case lists, in list order."""
    wanted = set(ctx.knowledge.prophylaxis_drug_classes)
    class_names = list(ctx.catalogue.classes)
    return [
        ProphylaxisMedication(
            name=found.medication.name or f"rxnorm {found.medication.rxnorm}",
            drug=found.drug.id,
            classes=[name for name in class_names if name in found.drug.classes],
            intensity=found.medication.intensity,
            dose_mg=found.medication.dose_mg,
        )
        for found in recognise_all(ctx.case, ctx.catalogue)
        if found.drug is not None and wanted & set(found.drug.classes)
    ]


# --- findings -----------------------------------------------------------------------------


def _boxed_warning(ctx: _Context) -> Finding:
    boxed = ctx.knowledge.boxed_warning
    symptoms = [boxed.symptom_words[symptom] for symptom in boxed.warning_symptoms]
    return _thrombosis_finding(
        boxed,
        name="boxed_warning",
        severity=Severity.INFO,
        summary="Boxed warning — venous and arterial thromboembolism.",
        detail=(
            f"Events: {', '.join(boxed.events)}. Risk {boxed.setting}. {boxed.prophylaxis} "
            f"Symptoms that need immediate medical care: {', '.join(symptoms)}. Tell the "
            f"patient: {boxed.patient_instruction}"
        ),
        inputs={"indication": ctx.case.indication.value},
    )


def _no_prophylaxis(ctx: _Context) -> Finding:
    """No aspirin or anticoagulant listed in myeloma: the label's recommendation when
    dexamethasone is given, the IMWG 2008 recommendation otherwise."""
    boxed = ctx.knowledge.boxed_warning
    others = [
        item
        for item in ctx.listed(ANTIPLATELET)
        if item.drug is not None and ASPIRIN not in item.drug.classes
    ]
    if ctx.boxed_recommendation_applies():
        basis: Cited = boxed
        why = boxed.prophylaxis
        summary = (
            "No thromboprophylaxis listed; the label recommends it in myeloma with dexamethasone."
        )
    else:
        basis = ctx.knowledge.prophylaxis_advice.myeloma_without_dexamethasone
        why = basis.text
        summary = (
            f"No thromboprophylaxis listed; {ctx.knowledge.imwg.short_name} advises it in myeloma "
            "on lenalidomide."
        )
    detail = (
        f"{why} No aspirin and no anticoagulant is among the case's medications. "
        "If prophylaxis is given, add it to the medication list; if it is deliberately not "
        "given, record the reason."
    )
    if others:
        detail += (
            f" Listed antiplatelet drugs other than aspirin ({_names(others)}) are not the "
            "thromboprophylaxis the risk models name."
        )
    return _thrombosis_finding(
        basis,
        name="no_prophylaxis",
        severity=Severity.WARNING,
        summary=summary,
        detail=detail,
        inputs={"medications": [m.name or m.rxnorm for m in ctx.case.medications]},
    )


# --- when no advice to add prophylaxis is given ----------------------------------------------


@dataclass(frozen=True)
class _Pause:
    """A reason lenaguard gives no advice to add or escalate thromboprophylaxis now."""

    name: str
    words: str
    detail: str
    severity: Severity
    entries: tuple[Cited, ...]
    inputs: dict[str, object]


def _platelet_pause(ctx: _Context, in_use: list[ProphylaxisMedication]) -> _Pause | None:
    advice = ctx.knowledge.prophylaxis_advice
    low = advice.low_platelets
    latest = ctx.case.latest(LabTest.PLATELETS)
    if latest is None or latest.canonical_value is None:
        return None
    count = latest.canonical_value
    if count >= low.below_per_ul:
        return None
    nearest = advice.treatment_platelet_thresholds
    per = "/mcL"
    detail = (
        f"{low.text} The nearest guideline numbers concern treating an established "
        f"cancer-associated clot: {nearest.isth_name}, full-dose LMWH at platelets ≥ "
        f"{format_number(nearest.isth_full_dose_from_per_ul)}{per}, a half or prophylactic dose "
        f"from {format_number(nearest.isth_reduced_dose_from_per_ul)} to "
        f"{format_number(nearest.isth_full_dose_from_per_ul)}{per}, a temporary stop below "
        f"{format_number(nearest.isth_reduced_dose_from_per_ul)}{per}; {nearest.itac_name}, "
        f"full dose above "
        f"{format_number(nearest.itac_full_dose_above_per_ul)}{per} without bleeding. "
        f"{nearest.text}"
    )
    if in_use:
        detail += (
            " Review the prophylaxis in use at this count: "
            + ", ".join(item.words() for item in in_use)
            + "."
        )
    return _Pause(
        name="low_platelets",
        words=(
            f"platelets {format_number(count)}{per} on {latest.date.isoformat()}, under "
            f"{format_number(low.below_per_ul)}{per}"
        ),
        detail=detail,
        severity=Severity.WARNING,
        entries=(low, nearest),
        inputs={"platelets_per_ul": count, "platelets_date": latest.date.isoformat()},
    )


def _pauses(ctx: _Context, in_use: list[ProphylaxisMedication]) -> list[_Pause]:
    """Why no advice to add prophylaxis is given now: the course ended, a hold for
    thrombocytopenia, a platelet count under lenaguard's limit (in that order)."""
    advice = ctx.knowledge.prophylaxis_advice
    course = ctx.course
    pauses: list[_Pause] = []
    if course.status is CourseStatus.STOPPED and course.stopped_on is not None:
        pauses.append(
            _Pause(
                name="course_ended",
                words=f"the course ended on {course.stopped_on.isoformat()}",
                detail=advice.course_ended.text,
                severity=Severity.INFO,
                entries=(advice.course_ended,),
                inputs={"stopped_on": course.stopped_on.isoformat()},
            )
        )
    held = course.status is CourseStatus.HELD
    if held and course.hold_reason is HoldReason.THROMBOCYTOPENIA and course.held_since:
        pauses.append(
            _Pause(
                name="thrombocytopenia_hold",
                words=(
                    "lenalidomide is held for thrombocytopenia since "
                    f"{course.held_since.isoformat()}"
                ),
                detail=advice.thrombocytopenia_hold.text,
                severity=Severity.INFO,
                entries=(advice.thrombocytopenia_hold,),
                inputs={"held_since": course.held_since.isoformat()},
            )
        )
    platelets = _platelet_pause(ctx, in_use)
    if platelets is not None:
        pauses.append(platelets)
    return pauses


_SEVERITY_ORDER = (Severity.INFO, Severity.WARNING, Severity.CRITICAL)
"""Mildest first: a finding takes the strongest severity of its reasons."""


def _pause_finding(pauses: list[_Pause]) -> Finding:
    first = pauses[0]
    others = len(pauses) - 1
    more = ""
    if others:
        more = f" (and {format_number(others)} more reason{'' if others == 1 else 's'})"
    inputs: dict[str, object] = {"reasons": [pause.name for pause in pauses]}
    for pause in pauses:
        inputs.update(pause.inputs)
    return _thrombosis_finding(
        *(entry for pause in pauses for entry in pause.entries),
        name="prophylaxis_not_advised_now",
        severity=max((pause.severity for pause in pauses), key=_SEVERITY_ORDER.index),
        summary=f"No advice to add thromboprophylaxis now: {first.words}{more}.",
        detail=" ".join(f"{capitalised(pause.words)}. {pause.detail}" for pause in pauses),
        inputs=inputs,
    )


def _choice_words(choice: Prophylaxis) -> str:
    return "aspirin" if choice == ASPIRIN else "anticoagulant prophylaxis"


def _choice_word(choice: Prophylaxis) -> str:
    """The choice in one word, for a card summary: 'aspirin' or 'anticoagulant'."""
    return "aspirin" if choice == ASPIRIN else "anticoagulant"


def _points(value: int) -> str:
    return f"{format_number(value)} point" + ("" if abs(value) == 1 else "s")


def _points_words(result: ScoreResult, definition: ScoreDefinition) -> str:
    band = definition.band_for(result.points)
    words = (
        f"{result.name}: {_points(result.points)} ({band.band} band, score {band.words()}; "
        f"{format_number(band.six_month_vte_percent)}% VTE in "
        f"{format_number(result.horizon_months)} months)"
    )
    low, high = result.possible_points
    if (low, high) != (result.points, result.points):
        words += f"; with the missing inputs it could be {format_number(low)} to {_points(high)}"
    return words + "."


def _choice_points(result: ScoreResult, definition: ScoreDefinition) -> tuple[int, int, int]:
    """Points the NCCN use reads its band from, and their possible range.

    With `use.assume_item` (IMPEDE VTE: the aspirin item), the score without the prophylaxis in
    use plus that item; otherwise the score as it stands.
    """
    assumed = definition.assumed_item()
    if assumed is None:
        low, high = result.possible_points
        return result.points, low, high
    low, high = result.possible_points_before_prophylaxis
    extra = assumed.points
    return result.points_before_prophylaxis + extra, low + extra, high + extra


def _impede_line(
    result: ScoreResult, definition: ScoreDefinition, with_choice: bool
) -> tuple[str, Prophylaxis]:
    """The IMPEDE VTE sentence and the choice its NCCN use gives."""
    use = definition.use
    points, _, _ = _choice_points(result, definition)
    choice_band = definition.band_for(points)
    choice: Prophylaxis = use.by_band[choice_band.band] if use else ANTICOAGULANT
    line = _points_words(result, definition)
    if result.points != result.points_before_prophylaxis:
        line += (
            " The score includes the existing thromboprophylaxis; without it: "
            f"{_points(result.points_before_prophylaxis)}."
        )
    if use is not None and with_choice:
        line += f" {use.text}"
        assumed = definition.assumed_item()
        if assumed is not None and use.assume_text is not None:
            line += (
                f" {use.assume_text} With that item counted ({format_number(assumed.points)}): "
                f"{_points(points)}, {choice_band.band} band."
            )
        line += f" Here: {_choice_words(choice)}."
    return line, choice


def _impede_choices(result: ScoreResult, definition: ScoreDefinition) -> set[Prophylaxis]:
    """Every choice the NCCN use could give once the unknown items are known."""
    if definition.use is None:
        return set()
    _, low, high = _choice_points(result, definition)
    return {definition.use.by_band[band] for band in _bands_between(definition, low, high)}


def _lower(label: str) -> str:
    """A label inside a sentence: first letter lower case, unless it is an abbreviation."""
    if label.split(" ", 1)[0].isupper():
        return label
    return label[:1].lower() + label[1:]


def _imwg_line(risk: ImwgThrombosisRisk, model: ImwgModel, with_choice: bool) -> str:
    patient = [_lower(f.label) for f in (*risk.individual, *risk.myeloma) if f.present is True]
    therapy = [_lower(f.label) for f in risk.therapy if f.present is True]
    line = (
        f"{risk.name}: {format_number(risk.individual_myeloma_count)} individual or "
        f"myeloma-related risk factor(s) ({', '.join(patient) or 'none'}); therapy-related: "
        f"{', '.join(therapy) or 'none'}."
    )
    if not with_choice:
        return line
    line += (
        f" Aspirin when at most {format_number(model.aspirin_up_to_factors)} individual or "
        "myeloma-related factor and no therapy-related factor; otherwise LMWH or warfarin. "
        f"Here: {risk.recommendation_text}."
    )
    if not risk.settled:
        line += " Unknown factors could change this: " + ", ".join(risk.unknown) + "."
    return line


def _in_use_words(in_use: list[ProphylaxisMedication]) -> str:
    if not in_use:
        return "In use: no aspirin or anticoagulant listed."
    return "In use: " + "; ".join(item.words() for item in in_use) + "."


@dataclass(frozen=True)
class _ModelLines:
    """The three models in words, the IMPEDE choice, and what the finding rests on."""

    impede: str
    saved: str
    imwg: str
    in_use: str
    impede_choice: Prophylaxis
    entries: tuple[Cited, ...]
    inputs: dict[str, object]

    def text(self) -> str:
        return f"{self.impede} {self.saved} {self.imwg} {self.in_use}"


def _model_lines(
    ctx: _Context,
    scores: dict[str, ScoreResult],
    risk: ImwgThrombosisRisk,
    in_use: list[ProphylaxisMedication],
    advising: bool,
) -> _ModelLines:
    knowledge = ctx.knowledge
    impede_def = knowledge.scores[IMPEDE_VTE]
    saved_def = knowledge.scores[SAVED]
    entries: list[Cited] = [knowledge.imwg, impede_def, saved_def]
    if impede_def.use is not None:
        entries.append(impede_def.use)
    impede_line, impede_choice = _impede_line(scores[IMPEDE_VTE], impede_def, advising)
    return _ModelLines(
        impede=impede_line,
        saved=_points_words(scores[SAVED], saved_def),
        imwg=_imwg_line(risk, knowledge.imwg, advising),
        in_use=_in_use_words(in_use),
        impede_choice=impede_choice,
        entries=tuple(entries),
        inputs={
            "impede_vte_points": scores[IMPEDE_VTE].points,
            "impede_vte_points_before_prophylaxis": scores[IMPEDE_VTE].points_before_prophylaxis,
            "saved_points": scores[SAVED].points,
            "imwg_individual_myeloma_factors": risk.individual_myeloma_count,
            "imwg_therapy_factors": risk.therapy_count,
            "prophylaxis_in_use": [item.words() for item in in_use],
        },
    )


@dataclass(frozen=True)
class _Choice:
    """What the models decide for a myeloma patient, before it is put into words."""

    choices: frozenset[Prophylaxis]
    impede_choice: Prophylaxis
    imwg_choice: Prophylaxis
    uncertain: bool
    under: bool
    """Only aspirin is in use while a model points to anticoagulant prophylaxis."""
    anticoagulated: bool
    renal_note: tuple[str, list[Cited]] | None

    @property
    def recommendation(self) -> str:
        return "models_differ" if len(self.choices) > 1 else self.imwg_choice


def _decide_choice(
    ctx: _Context,
    scores: dict[str, ScoreResult],
    risk: ImwgThrombosisRisk,
    in_use: list[ProphylaxisMedication],
    impede_choice: Prophylaxis,
) -> _Choice:
    impede_def = ctx.knowledge.scores[IMPEDE_VTE]
    choices = frozenset({impede_choice, risk.recommendation})
    anticoagulated = any(ANTICOAGULANT in item.classes for item in in_use)
    return _Choice(
        choices=choices,
        impede_choice=impede_choice,
        imwg_choice=risk.recommendation,
        uncertain=not risk.settled or len(_impede_choices(scores[IMPEDE_VTE], impede_def)) > 1,
        under=ANTICOAGULANT in choices and bool(in_use) and not anticoagulated,
        anticoagulated=anticoagulated,
        renal_note=_lmwh_renal_note(ctx) if ANTICOAGULANT in choices else None,
    )


def _choice_words_for(
    ctx: _Context, choice: _Choice, in_use: list[ProphylaxisMedication]
) -> tuple[str, str]:
    """(card summary, verdict) of a decided choice."""
    knowledge = ctx.knowledge
    impede_name = knowledge.scores[IMPEDE_VTE].name
    impede_words = f"{impede_name} as NCCN uses it: {_choice_words(choice.impede_choice)}"
    imwg_words = f"{knowledge.imwg.short_name}: {_choice_words(choice.imwg_choice)}"
    if len(choice.choices) > 1:
        verdict = (
            f"The models differ ({impede_words}; {imwg_words}). The label leaves the regimen to "
            "the prescriber's assessment of the patient's own risks."
        )
    else:
        verdict = f"The models agree: {_choice_words(choice.imwg_choice)}."
    if choice.under and len(choice.choices) == 1:
        verdict += " Only aspirin is in use: both models point to more."
    elif choice.under:
        pointing = (
            impede_name if choice.impede_choice == ANTICOAGULANT else knowledge.imwg.short_name
        )
        verdict += (
            f" Only aspirin is in use: enough by one model, but {pointing} points to "
            f"{_choice_words(ANTICOAGULANT)}; review which fits this patient."
        )
    elif choice.anticoagulated and choice.choices == {ASPIRIN}:
        verdict += (
            " An anticoagulant is in use: for VTE prophylaxis alone the models ask for no more "
            "than aspirin (it may be given for another reason)."
        )
    if choice.uncertain:
        verdict += " Missing inputs could change the choice (see the unknown-inputs finding)."
    if choice.renal_note is not None:
        verdict += f" Kidney function and heparin: {choice.renal_note[0]}"
    summary = _choice_summary(
        (impede_name, knowledge.imwg.short_name),
        (choice.impede_choice, choice.imwg_choice),
        in_use=bool(in_use),
        anticoagulated=choice.anticoagulated,
    )
    return summary, verdict


def _choice_outside_myeloma(ctx: _Context, lines: _ModelLines) -> Finding:
    """Outside myeloma: the risk presented, not an instruction."""
    knowledge = ctx.knowledge
    indication = ctx.indications.entry(ctx.case.indication).name.lower()
    outside = knowledge.prophylaxis_advice.outside_recommendation
    impede_name, saved_name = (knowledge.scores[key].name for key in (IMPEDE_VTE, SAVED))
    return _thrombosis_finding(
        knowledge.boxed_warning,
        outside,
        *lines.entries,
        name="prophylaxis_choice",
        severity=Severity.INFO,
        summary=(
            "Clot risk: the boxed advice concerns myeloma with dexamethasone; the VTE models "
            "are not validated here."
        ),
        detail=(
            f"{outside.text} {impede_name}, {saved_name} and the {knowledge.imwg.name} were "
            f"developed in multiple myeloma, not in {indication}. For information only: "
            f"{lines.text()}"
        ),
        inputs=lines.inputs,
    )


def _offer_start(finding: Finding, choice: Finding) -> Finding:
    """ "No prophylaxis listed" offers to start what the models settle on (aspirin or an
    anticoagulant); an unsettled choice offers nothing to click."""
    recommendation = choice.inputs.get("recommendation")
    if (
        finding.id != "thrombosis.no_prophylaxis"
        or not choice.inputs.get("settled")
        or recommendation not in (ASPIRIN, ANTICOAGULANT)
    ):
        return finding
    return finding.model_copy(update={"remedy": StartMedication(medication_class=recommendation)})


def _prophylaxis_choice(
    ctx: _Context,
    scores: dict[str, ScoreResult],
    risk: ImwgThrombosisRisk,
    in_use: list[ProphylaxisMedication],
    *,
    paused: bool = False,
) -> Finding:
    """The models side by side. Outside myeloma, or while advice is paused (course ended, a
    hold for thrombocytopenia, a low platelet count), they are shown for information only."""
    lines = _model_lines(ctx, scores, risk, in_use, advising=risk.applicable and not paused)
    if not risk.applicable:
        return _choice_outside_myeloma(ctx, lines)
    if paused:
        return _thrombosis_finding(
            *lines.entries,
            name="prophylaxis_choice",
            severity=Severity.INFO,
            summary=(
                "Thromboprophylaxis models, for information only: no advice to add or escalate "
                "prophylaxis now."
            ),
            detail=(
                "Why no advice is given now is said in its own finding. For information: "
                f"{lines.text()}"
            ),
            inputs={**lines.inputs, "recommendation": "not_advised_now", "settled": True},
        )
    choice = _decide_choice(ctx, scores, risk, in_use, lines.impede_choice)
    summary, verdict = _choice_words_for(ctx, choice, in_use)
    renal_entries = [] if choice.renal_note is None else choice.renal_note[1]
    return _thrombosis_finding(
        *lines.entries,
        *renal_entries,
        name="prophylaxis_choice",
        severity=Severity.WARNING if choice.under else Severity.INFO,
        summary=summary,
        detail=f"{verdict} {lines.text()}",
        inputs={
            **lines.inputs,
            "recommendation": choice.recommendation,
            "settled": not choice.uncertain,
        },
    )


def _choice_summary(
    names: tuple[str, str],
    choices: tuple[Prophylaxis, Prophylaxis],
    *,
    in_use: bool,
    anticoagulated: bool,
) -> str:
    """The card summary of the choice: what the models point to, against what is in use.

    `names` and `choices` are those of IMPEDE VTE and of the IMWG model, in that order; the
    scores, the verdict and the drugs in use are in the finding's detail.
    """
    (impede, imwg), (impede_choice, imwg_choice) = names, choices
    if in_use and not anticoagulated and ANTICOAGULANT in choices:  # only aspirin: review
        if impede_choice == imwg_choice:
            return (
                "Thromboprophylaxis: only aspirin is in use, but the myeloma VTE models point to "
                f"{_choice_words(ANTICOAGULANT)}: review."
            )
        pointing, other = (impede, imwg) if impede_choice == ANTICOAGULANT else (imwg, impede)
        return (
            f"Thromboprophylaxis: only aspirin is in use, but {pointing} points to "
            f"{_choice_words(ANTICOAGULANT)} ({other}: {_choice_words(ASPIRIN)}): review."
        )
    if impede_choice == imwg_choice:
        summary = (
            f"Thromboprophylaxis: the myeloma VTE models point to {_choice_words(imwg_choice)}"
        )
    else:
        summary = (
            f"Thromboprophylaxis: the myeloma VTE models differ ({impede}: "
            f"{_choice_word(impede_choice)}; {imwg}: {_choice_word(imwg_choice)})"
        )
    if in_use:
        summary += "; an anticoagulant is in use" if anticoagulated else "; aspirin is in use"
    return summary + "."


def _dexamethasone_findings(ctx: _Context) -> list[Finding]:
    found = ctx.listed(DEXAMETHASONE)
    dex = ctx.knowledge.dexamethasone_high_dose
    limit = format_number(dex.high_above_mg_per_month)
    impede = ctx.knowledge.scores[IMPEDE_VTE]
    saved = ctx.knowledge.scores[SAVED]
    if not found and ctx.dexamethasone_expected():
        entry = ctx.indications.entry(ctx.case.indication)
        return [
            _thrombosis_finding(
                entry,
                dex,
                name="dexamethasone_not_listed",
                severity=Severity.WARNING,
                summary=(
                    "No dexamethasone listed, though this indication is labelled with it; the VTE "
                    "scores count it as not given."
                ),
                detail=(
                    f"{entry.name}: the label regimen includes dexamethasone. The case lists none, "
                    f"so {impede.name}, {saved.name} and the IMWG high-dose factor count no "
                    "dexamethasone and may understate the risk. If the patient takes it, add it "
                    f"with mg_per_month (high dose is above {limit} mg per month)."
                ),
                inputs={"indication": ctx.case.indication.value},
            )
        ]
    missing = [item for item in found if item.medication.mg_per_month is None]
    if not missing:
        return []
    return [
        _thrombosis_finding(
            dex,
            name="dexamethasone_dose_missing",
            severity=Severity.WARNING,
            summary="Dexamethasone listed without mg_per_month: the VTE scores need its dose.",
            detail=(
                f"{_names(missing)}: give the monthly total as mg_per_month (see the case-file definition). Above "
                f"{limit} mg per month counts as high dose in {impede.name} and {saved.name} and "
                "as a therapy-related factor in the IMWG model; at or below it, as low (standard) "
                "dose. Until then the dexamethasone items are unknown."
            ),
            inputs={"medications": [item.medication.name for item in missing]},
        )
    ]


def _unknown_inputs(
    ctx: _Context,
    scores: dict[str, ScoreResult],
    needed: dict[str, list[tuple[str, tuple[str, ...]]]],
    risk: ImwgThrombosisRisk,
    *,
    paused: bool = False,
) -> Finding | None:
    """What is missing, per model (keyed by score key, or the IMWG model's name)."""
    if not any(needed.values()):
        return None
    lines = []
    fields: dict[str, None] = {}
    for key, pairs in needed.items():
        if not pairs:
            continue
        for _, wanted in pairs:
            fields.update(dict.fromkeys(wanted))
        listed = ", ".join(f"{item_id} ({', '.join(wanted)})" for item_id, wanted in pairs)
        result = scores.get(key)
        line = f"{key if result is None else result.name}: {listed}."
        if result is not None:
            low, high = result.possible_points
            line += (
                f" Known items give {_points(result.points)}; with the missing "
                f"inputs {format_number(low)} to {format_number(high)} "
                f"({', '.join(result.possible_bands)})."
            )
        lines.append(line)
    impede_def = ctx.knowledge.scores[IMPEDE_VTE]
    unsettled = not paused and (
        not risk.settled or len(_impede_choices(scores[IMPEDE_VTE], impede_def)) > 1
    )
    entries: list[Cited] = [ctx.knowledge.imwg, *ctx.knowledge.scores.values()]
    return _thrombosis_finding(
        *entries,
        name="inputs_unknown",
        severity=Severity.WARNING if unsettled else Severity.INFO,
        summary=(
            f"VTE risk inputs missing ({format_number(len(fields))}): they "
            + ("could change" if unsettled else "do not change")
            + " the prophylaxis choice."
        ),
        detail=(
            f"Not recorded: {', '.join(fields)}. Unknown items are not counted as absent: the "
            "scores add only what is known and show the range the missing inputs allow. "
            + " ".join(lines)
            + (
                " The prophylaxis choice depends on them."
                if unsettled
                else " They do not change the prophylaxis choice."
            )
        ),
        inputs={"needed": list(fields)},
    )


# --- entry point --------------------------------------------------------------------------


def evaluate(case: Case, kb: KnowledgeBase) -> ThrombosisOutcome:
    """Thromboembolism findings, the IMPEDE VTE and SAVED scores, and the IMWG model."""
    catalogue = kb.get(DrugCatalogue)
    renal_kb = kb.get(RenalKnowledge)
    ctx = _Context(
        case=case,
        knowledge=kb.get(ThrombosisKnowledge),
        catalogue=catalogue,
        indications=kb.get(IndicationsKnowledge),
        recognised=tuple(recognise_all(case, catalogue)),
        course=current_course(case),
        renal_kb=renal_kb,
        crcl_ml_min=case_crcl(case, renal_kb),
    )
    scores: dict[str, ScoreResult] = {}
    needed: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for key in ctx.knowledge.scores:
        result, wanted = score(key, ctx)
        scores[key] = result
        needed[key] = wanted
    risk, wanted = imwg_risk(ctx)
    needed[risk.name] = wanted
    in_use = prophylaxis_in_use(ctx)

    # Advice to add prophylaxis is given only in myeloma (the models' population), and not
    # while the course has ended, lenalidomide is held for thrombocytopenia or platelets are low.
    pauses = _pauses(ctx, in_use) if risk.applicable else []
    findings = [_boxed_warning(ctx)]
    if risk.applicable and not in_use and not pauses:
        findings.append(_no_prophylaxis(ctx))
    if pauses:
        findings.append(_pause_finding(pauses))
    choice = _prophylaxis_choice(ctx, scores, risk, in_use, paused=bool(pauses))
    findings = [_offer_start(finding, choice) for finding in findings]
    findings.append(choice)
    if risk.applicable:
        findings.extend(_dexamethasone_findings(ctx))
        unknown = _unknown_inputs(ctx, scores, needed, risk, paused=bool(pauses))
        if unknown is not None:
            findings.append(unknown)
    return ThrombosisOutcome(findings=findings, scores=scores, imwg=risk, prophylaxis_in_use=in_use)
