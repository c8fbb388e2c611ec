"""Make today's dose plan agree with safety findings that require a hold or a stop.

The dose rules decide from blood counts, kidneys and toxicity. Other topics can require more:
a missed period interrupts lenalidomide during the evaluation, a pregnancy stops it. Such
findings carry `requires_dose_action`; this gate lets the strictest of them override a
milder plan, so that the dose panel never says "continue" while a finding says "stop".
"""

from __future__ import annotations

from lenaguard.findings import Finding
from lenaguard.rules.base.results import DosePlan, ResumePlan
from lenaguard.vocab import DoseAction, Frequency

# How strongly an action restrains dosing, mildest first; a finding overrides a plan only upwards.
_LEVELS = (
    (DoseAction.START, DoseAction.CONTINUE, DoseAction.RESUME),
    (DoseAction.HOLD,),
    (DoseAction.STOP,),
)


def _strictness(action: DoseAction) -> int:
    return next(rank for rank, level in enumerate(_LEVELS) if action in level)


def apply_safety_gate(plan: DosePlan | None, findings: list[Finding]) -> DosePlan | None:
    """The plan, or a hold/stop taken from the strictest finding that requires one."""
    demanding = [f for f in findings if f.requires_dose_action is not None]
    if not demanding:
        return plan
    strictest = max(demanding, key=lambda f: _strictness(f.requires_dose_action))
    action = strictest.requires_dose_action
    if plan is not None and _strictness(plan.action) >= _strictness(action):
        return plan
    resume = None
    if action is DoseAction.HOLD:
        resume = ResumePlan(
            when=f"the evaluation that {strictest.id} asks for is complete and resolved",
            dose_mg=None if plan is None else (plan.dose_mg or _resume_dose(plan)),
            frequency=plan.frequency if plan is not None and plan.frequency else Frequency.DAILY,
            days_on=None if plan is None else plan.days_on,
        )
    overridden = "" if plan is None else f" This overrides the dose rules' '{plan.action.value}'."
    return DosePlan(
        action=action,
        dose_mg=None,
        frequency=None if plan is None else plan.frequency,
        days_on=None if plan is None else plan.days_on,
        cycle_days=None if plan is None else plan.cycle_days,
        after_dialysis=False if plan is None else plan.after_dialysis,
        resume=resume,
        reason=f"{strictest.summary}.{overridden}",
        rule=strictest.id,
        status=strictest.status,
        citations=strictest.citations,
    )


def _resume_dose(plan: DosePlan) -> float | None:
    return None if plan.resume is None else plan.resume.dose_mg
