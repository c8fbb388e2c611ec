"""The exit codes of `lenaguard`, and how an error or a batch of outcomes maps to one.

    0  success
    1  an unexpected internal error (one line on stderr, never a traceback)
    2  invalid input: a case file, a directory or an option value (the message names the field),
       or a workflow step refused (`users create` for a prescriber that does not exist)
    3  the knowledge base is broken
    4  --strict only: a case was assessed but is not ready to prescribe

Usage errors found by the argument parser (an unknown option, a bad choice) also exit with 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from lenaguard.errors import CaseError, InputError, KnowledgeError, WorkflowError


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    INVALID_INPUT = 2
    KNOWLEDGE = 3
    NOT_READY = 4


# When several inputs end differently, the most serious decides: a broken knowledge base, then
# a bug, then invalid input, then a case not ready to prescribe (2 wins over 4).
_PRECEDENCE = (
    ExitCode.KNOWLEDGE,
    ExitCode.INTERNAL,
    ExitCode.INVALID_INPUT,
    ExitCode.NOT_READY,
    ExitCode.OK,
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of an error: the user's input, the knowledge base, or lenaguard itself."""
    if isinstance(error, CaseError | InputError | WorkflowError):
        return ExitCode.INVALID_INPUT
    if isinstance(error, KnowledgeError):
        return ExitCode.KNOWLEDGE
    return ExitCode.INTERNAL


def most_serious(codes: Iterable[ExitCode]) -> ExitCode:
    """The most serious of several outcomes' codes; OK when there are none."""
    present = set(codes)
    return next((code for code in _PRECEDENCE if code in present), ExitCode.OK)


def run_exit_code(codes: Iterable[ExitCode], *, strict: bool) -> ExitCode:
    """The exit code of an `assess` run: NOT_READY counts only with --strict."""
    code = most_serious(codes)
    return ExitCode.OK if code is ExitCode.NOT_READY and not strict else code
