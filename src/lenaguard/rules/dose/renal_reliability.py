"""When a Cockcroft-Gault clearance cannot settle a renal dose on its own.

Cockcroft-Gault assumes a stable serum creatinine measured recently in an adult. Three cases
break that, and each becomes a finding and a *caveat* that keeps a renal starting dose from
being presented as settled (`starting_dose.renal_start_not_settled`):

- **Acute kidney injury** (KDIGO 2012): a creatinine rise of at least the absolute threshold
  within the hours window, or a value at least the ratio × the baseline within the days window.
  Results carry dates, not times, so lenaguard reads the windows from the dates
  (`renal.reliability.aki_from_dates`, status unverified): results on dates at most the stated
  number of days apart count as within the hours window; the baseline is the lowest creatinine
  dated in the days window before the rising result; two results on one date are not ordered,
  so a difference of the threshold size between them counts either way; a rise counts for
  today when the rising result is the latest creatinine or lies in the days window before it.
  Critical and blocking, on a course under way too: the clearance behind the dose is unreliable.
- **An out-of-date creatinine**: older than `renal.reliability.stale_creatinine.max_age_days`
  (lenaguard's limit). Blocking before the first dose, because the starting dose rests on it; a
  warning on a course under way, whose dose follows tolerance.
- **A patient under the label's adult age**: the finding comes from `renal.assess_renal`; the
  caveat is built here from the same knowledge.

Patients on dialysis are skipped for the first two: their dose row does not depend on the
clearance. Every number comes from the `renal` knowledge topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from lenaguard.case import Case, LabResult
from lenaguard.findings import Finding, TestDue
from lenaguard.knowledge import Cited, KnowledgeBase
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.course import current_course
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.rules.dose.renal import under_adult_age
from lenaguard.text import format_number
from lenaguard.vocab import Category, LabTest, Severity

_renal_finding = Finding.maker(Category.RENAL)

CREATININE_TEST = "creatinine"
"""The monitoring test id of a serum creatinine (as in the monitoring knowledge)."""


@dataclass(frozen=True)
class RenalCaveat:
    """A reason the renal dose is not settled on today's clearance, and what would settle it."""

    finding_id: str
    reason: str
    settle_when: str
    entries: tuple[Cited, ...]


@dataclass(frozen=True)
class CreatinineRise:
    """A creatinine rise that meets a KDIGO acute-kidney-injury criterion."""

    criterion: str
    """'absolute' (a rise within the hours window) or 'ratio' (a multiple of the baseline)."""
    earlier: LabResult
    later: LabResult
    days_apart: int

    @property
    def rise_mg_dl(self) -> float:
        return _value(self.later) - _value(self.earlier)

    @property
    def ratio(self) -> float:
        return _value(self.later) / _value(self.earlier)


def _value(result: LabResult) -> float:
    assert result.canonical_value is not None  # a creatinine result always has a value
    return result.canonical_value


def _mg(value: float, renal_kb: RenalKnowledge) -> str:
    return f"{format_number(round(value, renal_kb.reliability.aki_from_dates.compare_decimals))}"


# --- acute kidney injury --------------------------------------------------------------------


def _ratio_rise(
    later: LabResult, series: list[LabResult], renal_kb: RenalKnowledge
) -> CreatinineRise | None:
    """The later result against the lowest result dated in the days window before it."""
    rules = renal_kb.reliability
    window = rules.acute_kidney_injury.ratio_within_days
    before = [r for r in series if 0 < (later.date - r.date).days <= window]
    if not before:
        return None
    baseline = min(before, key=_value)
    ratio = round(_value(later) / _value(baseline), rules.aki_from_dates.compare_decimals)
    if ratio < rules.acute_kidney_injury.ratio_to_baseline:
        return None
    return CreatinineRise("ratio", baseline, later, (later.date - baseline.date).days)


def _absolute_rise(
    later: LabResult, series: list[LabResult], renal_kb: RenalKnowledge
) -> CreatinineRise | None:
    """The largest rise to the later result from a result dated close enough before it (or,
    on the same date, the largest difference either way: the order of the two is unknown)."""
    rules = renal_kb.reliability
    apart = rules.aki_from_dates.rise_dates_at_most_days_apart
    decimals = rules.aki_from_dates.compare_decimals
    best: CreatinineRise | None = None
    for earlier in series:
        if earlier is later:
            continue
        days = (later.date - earlier.date).days
        if days < 0 or days > apart:
            continue
        low, high = (
            (earlier, later) if days or _value(earlier) <= _value(later) else (later, earlier)
        )
        rise = round(_value(high) - _value(low), decimals)
        if rise >= rules.acute_kidney_injury.rise_mg_dl and (
            best is None or rise > round(best.rise_mg_dl, decimals)
        ):
            best = CreatinineRise("absolute", low, high, days)
    return best


def acute_kidney_injury(case: Case, renal_kb: RenalKnowledge) -> CreatinineRise | None:
    """The creatinine rise that makes today's clearance unreliable, if there is one.

    Candidates are the latest creatinine and the results dated in the days window before it,
    latest first; for each, the ratio criterion is tried before the absolute one.
    """
    series = [
        r
        for r in case.series(LabTest.CREATININE)
        if r.date <= case.as_of and r.canonical_value is not None
    ]
    if not series:
        return None
    latest = series[-1]
    window = renal_kb.reliability.acute_kidney_injury.ratio_within_days
    for later in reversed(series):
        if (latest.date - later.date).days > window:
            break
        found = _ratio_rise(later, series, renal_kb) or _absolute_rise(later, series, renal_kb)
        if found is not None:
            return found
    return None


def _rise_words(rise: CreatinineRise, renal_kb: RenalKnowledge) -> str:
    unit = renal_kb.cockcroft_gault.creatinine_unit
    earlier, later = _value(rise.earlier), _value(rise.later)
    if rise.criterion == "ratio":
        window = renal_kb.reliability.acute_kidney_injury.ratio_within_days
        return (
            f"creatinine {_mg(later, renal_kb)} {unit} is {_mg(rise.ratio, renal_kb)} × the "
            f"lowest of the {format_number(window)} days before ({_mg(earlier, renal_kb)})"
        )
    if rise.days_apart == 0:
        return (
            f"creatinine {_mg(earlier, renal_kb)} and {_mg(later, renal_kb)} {unit} "
            "on the same date"
        )
    days = "day" if rise.days_apart == 1 else "days"
    return (
        f"creatinine rose from {_mg(earlier, renal_kb)} to {_mg(later, renal_kb)} {unit} "
        f"in {format_number(rise.days_apart)} {days}"
    )


def _criterion_words(rise: CreatinineRise, renal_kb: RenalKnowledge) -> str:
    aki = renal_kb.reliability.acute_kidney_injury
    unit = renal_kb.cockcroft_gault.creatinine_unit
    if rise.criterion == "ratio":
        return (
            f"KDIGO: a creatinine at least {format_number(aki.ratio_to_baseline)} × the baseline "
            f"within {format_number(aki.ratio_within_days)} days. Here "
            f"{_mg(_value(rise.later), renal_kb)} {unit} on {rise.later.date.isoformat()} against "
            f"{_mg(_value(rise.earlier), renal_kb)} {unit} on {rise.earlier.date.isoformat()}."
        )
    return (
        f"KDIGO: a rise of at least {format_number(aki.rise_mg_dl)} {unit} within "
        f"{format_number(aki.rise_within_hours)} hours. Here "
        f"{_mg(_value(rise.earlier), renal_kb)} {unit} on {rise.earlier.date.isoformat()} and "
        f"{_mg(_value(rise.later), renal_kb)} {unit} on {rise.later.date.isoformat()}."
    )


def _aki_entries(renal_kb: RenalKnowledge) -> tuple[Cited, ...]:
    rules = renal_kb.reliability
    return (rules.acute_kidney_injury, rules.aki_from_dates, rules.aki_causes)


def _aki_finding(case: Case, rise: CreatinineRise, renal_kb: RenalKnowledge) -> Finding:
    rules = renal_kb.reliability
    started = current_course(case).started
    consequence = (
        "Review the current dose against kidney function once the creatinine is stable."
        if started
        else "The renal starting dose is not settled on this clearance: repeat the creatinine "
        "and choose the dose once it is stable."
    )
    dates = rules.aki_from_dates
    return _renal_finding(
        *_aki_entries(renal_kb),
        name="acute_kidney_injury",
        severity=Severity.CRITICAL,
        summary=(
            f"Acute kidney injury: {_rise_words(rise, renal_kb)}; CrCl is unreliable, "
            "review the dose."
        ),
        detail=(
            f"{_criterion_words(rise, renal_kb)} {rules.acute_kidney_injury.text} {consequence} "
            f"{rules.aki_causes.text} {rules.acute_kidney_injury.urine_output} {words(dates, 'text')} "
            f"{dates.baseline} {dates.same_day} {dates.recent}"
        ),
        inputs={
            "criterion": rise.criterion,
            "earlier_mg_dl": _value(rise.earlier),
            "earlier_date": rise.earlier.date.isoformat(),
            "later_mg_dl": _value(rise.later),
            "later_date": rise.later.date.isoformat(),
            "days_apart": rise.days_apart,
        },
        blocking=True,
        tests_due=[_repeat_creatinine(case)],
    )


# --- an out-of-date creatinine --------------------------------------------------------------


def creatinine_age_days(case: Case) -> int | None:
    """Days from the latest creatinine to the assessment date (None when there is none)."""
    latest = case.latest(LabTest.CREATININE)
    return None if latest is None else (case.as_of - latest.date).days


def creatinine_out_of_date(case: Case, renal_kb: RenalKnowledge) -> bool:
    age = creatinine_age_days(case)
    return age is not None and age > renal_kb.reliability.stale_creatinine.max_age_days


def _stale_finding(case: Case, renal_kb: RenalKnowledge) -> Finding:
    stale = renal_kb.reliability.stale_creatinine
    latest = case.latest(LabTest.CREATININE)
    assert latest is not None  # only called when the creatinine is out of date
    age = (case.as_of - latest.date).days
    started = current_course(case).started
    limit = format_number(stale.max_age_days)
    if started:
        consequence = "repeat it to review the dose against kidney function"
        detail = (
            "On a course under way the dose follows tolerance, but the review of the dose "
            "against kidney function rests on this value."
        )
    else:
        consequence = "the renal starting dose cannot be settled on it"
        detail = "Get a current creatinine before the starting dose is chosen."
    return _renal_finding(
        stale,
        name="creatinine_out_of_date",
        severity=Severity.WARNING,
        summary=(
            f"Latest creatinine is {format_number(age)} days old (limit {limit}): {consequence}."
        ),
        detail=f"Latest creatinine on {latest.date.isoformat()}. {stale.text} {detail}",
        inputs={
            "creatinine_date": latest.date.isoformat(),
            "age_days": age,
            "max_age_days": stale.max_age_days,
            "course_started": started,
        },
        blocking=not started,
        tests_due=[_repeat_creatinine(case)],
    )


# --- the outcome ----------------------------------------------------------------------------


def _repeat_creatinine(case: Case) -> TestDue:
    """A creatinine repeated now: the finding's remedy, and a monitoring item due today."""
    return TestDue(test=CREATININE_TEST, by=case.as_of)


def evaluate(case: Case, kb: KnowledgeBase) -> tuple[RuleOutcome, list[RenalCaveat]]:
    """Findings for acute kidney injury and an out-of-date creatinine (each asks for a creatinine
    today), and the caveats (these two, and a patient under adult age) that keep a renal
    starting dose from being settled."""
    renal_kb = kb.get(RenalKnowledge)
    rules = renal_kb.reliability
    findings: list[Finding] = []
    caveats: list[RenalCaveat] = []
    if under_adult_age(case, kb):
        adults = kb.get(IndicationsKnowledge).adults_only
        caveats.append(
            RenalCaveat(
                finding_id="renal.crcl_not_validated_in_children",
                reason=(
                    f"the patient is under {format_number(adults.years)}, and Cockcroft-Gault "
                    "is not validated in children"
                ),
                settle_when="the clinician has assessed kidney function and confirmed the dose",
                entries=(rules.children, adults),
            )
        )
    if case.patient.on_dialysis:
        return RuleOutcome(findings=findings), caveats
    rise = acute_kidney_injury(case, renal_kb)
    if rise is not None:
        finding = _aki_finding(case, rise, renal_kb)
        findings.append(finding)
        caveats.append(
            RenalCaveat(
                finding_id=finding.id,
                reason=f"acute kidney injury ({_rise_words(rise, renal_kb)})",
                settle_when="a repeat creatinine is stable and its cause has been looked for",
                entries=_aki_entries(renal_kb),
            )
        )
    if creatinine_out_of_date(case, renal_kb):
        finding = _stale_finding(case, renal_kb)
        findings.append(finding)
        caveats.append(
            RenalCaveat(
                finding_id=finding.id,
                reason=(
                    f"the latest creatinine is over {format_number(rules.stale_creatinine.max_age_days)} "
                    "days old"
                ),
                settle_when="a current creatinine is on file",
                entries=(rules.stale_creatinine,),
            )
        )
    return RuleOutcome(findings=findings), caveats
