"""Make today's dose plan obey every finding that stops the prescription: one decision.

The dose rules decide from blood counts, kidneys and toxicity. Other topics can require more:
a missed period interrupts lenalidomide during the evaluation, a pregnancy stops it, symptoms
of a clot or a missing pregnancy test block the prescription. This gate applies, in order:

1. the strictest `requires_dose_action` of any finding (hold or stop), when stricter than the
   plan;
2. any blocking finding turns a plan that would give the drug (start, continue, resume) — or
   no plan at all — into a hold: "do not give until …", naming the finding that decides;
3. a stop on a course that never started becomes `do_not_start`.

So the dose panel can never say "continue" while a finding blocks the prescription.
"""

from __future__ import annotations

from lenaguard.findings import Finding
from lenaguard.rules.base.results import DosePlan, ResumePlan
from lenaguard.vocab import DoseAction, Frequency

# How strongly an action restrains dosing, mildest first; a finding overrides a plan only upwards.
_LEVELS = (
    (DoseAction.START, DoseAction.CONTINUE, DoseAction.RESUME),
    (DoseAction.HOLD,),
    (DoseAction.STOP, DoseAction.DO_NOT_START),
)


def _strictness(action: DoseAction) -> int:
    return next(rank for rank, level in enumerate(_LEVELS) if action in level)


def apply_safety_gate(
    plan: DosePlan | None,
    findings: list[Finding],
    *,
    blocking: list[Finding],
    started: bool,
) -> DosePlan | None:
    """The final plan: the dose rules' plan, held or stopped by the findings that require it.

    `blocking` are the findings that block the prescription, most important first; the first
    one names the reason for a hold it causes.
    """
    plan = _required_actions(plan, findings)
    if blocking and (plan is None or plan.action.gives_drug):
        plan = _hold_for(plan, blocking)
    if plan is not None and plan.action is DoseAction.STOP and not started:
        plan = plan.model_copy(update={"action": DoseAction.DO_NOT_START})
    return plan


def _required_actions(plan: DosePlan | None, findings: list[Finding]) -> DosePlan | None:
    demanding = [f for f in findings if f.requires_dose_action is not None]
    if not demanding:
        return plan
    strictest = max(demanding, key=lambda f: _strictness(f.requires_dose_action))
    action = strictest.requires_dose_action
    if plan is not None and _strictness(plan.action) >= _strictness(action):
        return plan
    resume = None
    if action is DoseAction.HOLD:
        resume = _resume(plan, f"the evaluation that {strictest.id} asks for is complete")
    return _overriding(plan, strictest, action, resume, f"{strictest.summary}")


def _hold_for(plan: DosePlan | None, blocking: list[Finding]) -> DosePlan:
    decisive = blocking[0]
    others = len(blocking) - 1
    also = f" ({others} more blocking finding{'s' if others > 1 else ''})" if others else ""
    resume = _resume(plan, f"{decisive.id} is resolved{also}")
    reason = f"Do not give until this is resolved: {decisive.summary}"
    return _overriding(plan, decisive, DoseAction.HOLD, resume, reason)


def _resume(plan: DosePlan | None, when: str) -> ResumePlan:
    return ResumePlan(
        when=when,
        dose_mg=None if plan is None else (plan.dose_mg or _resume_dose(plan)),
        frequency=plan.frequency if plan is not None and plan.frequency else Frequency.DAILY,
        days_on=None if plan is None else plan.days_on,
    )


def _overriding(
    plan: DosePlan | None,
    finding: Finding,
    action: DoseAction,
    resume: ResumePlan | None,
    reason: str,
) -> DosePlan:
    overridden = "" if plan is None else f" This overrides the dose rules' '{plan.action.value}'."
    return DosePlan(
        action=action,
        dose_mg=None,
        frequency=None if plan is None else plan.frequency,
        days_on=None if plan is None else plan.days_on,
        cycle_days=None if plan is None else plan.cycle_days,
        after_dialysis=False if plan is None else plan.after_dialysis,
        resume=resume,
        reason=f"{reason.rstrip('.')}.{overridden}",
        rule=finding.id,
        status=finding.status,
        citations=finding.citations,
    )


def _resume_dose(plan: DosePlan) -> float | None:
    return None if plan.resume is None else plan.resume.dose_mg
