"""How the command line shows an error: one line for a person, a problem object for JSON.

Both read the structured `LenaguardError` (title + field problems); no message is parsed back.
An unexpected exception is shown the same way, titled "internal error", never as a traceback.
"""

from __future__ import annotations

from typing import Any

from lenaguard.errors import LenaguardError

INTERNAL_TITLE = "internal error"


def one_line(error: BaseException) -> str:
    """The error in one line: 'SOURCE: title: field: message; field: message'.

    A problem about the input as a whole (a field such as "(file)") shows only its message.
    """
    if not isinstance(error, LenaguardError):
        return f"{INTERNAL_TITLE}: {type(error).__name__}: {error}"
    head = f"{error.source}: {error.title}" if error.source else error.title
    parts = [
        problem.message if problem.field.startswith("(") else str(problem)
        for problem in error.problems
    ]
    return f"{head}: {'; '.join(' '.join(part.split()) for part in parts)}"


def problem(error: BaseException) -> dict[str, Any]:
    """The problem object of the JSON output (the shape the REST API uses)."""
    if isinstance(error, LenaguardError):
        return error.to_problem()
    detail = f"{type(error).__name__}: {error}"
    return {"title": INTERNAL_TITLE, "errors": [{"field": "(input)", "message": detail}]}
