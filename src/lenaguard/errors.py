"""One tree of errors for every surface, with structured field problems.

    LenaguardError                 anything lenaguard refuses, with a title and field problems
    ├── CaseError                  a case file (or FHIR bundle) that cannot be used
    ├── InputError                 a calculator or command-line value outside what is allowed
    ├── KnowledgeError             a knowledge file missing, malformed or citing an unknown source
    ├── EvidenceError              a document or question the evidence module cannot use
    └── WorkflowError              a REMS workflow step that is not allowed now (HTTP 422)
        ├── AccessDenied           not yours, or no such record: the same answer (HTTP 403)
        ├── NotFound               no such record, told only to whoever may see it (HTTP 404)
        └── Conflict               the record's state forbids it: used, expired (HTTP 409)

Every error carries `problems`: a list of `FieldProblem(field, message)` naming the field (a
dotted path into the case file, a command-line option, or a knowledge file) and what is allowed.
Surfaces render the same object: the CLI as lines or JSON, the web service as an RFC 9457
problem document (HTTP 422) or a FHIR OperationOutcome. Nobody parses a message back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

WHOLE_INPUT = "(case)"
"""The `field` of a problem that concerns the input as a whole rather than one field."""


class FieldProblem(NamedTuple):
    """One thing wrong with one field: where it is, and what is allowed there."""

    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class LenaguardError(Exception):
    """Base of every error lenaguard raises on purpose."""

    title = "lenaguard error"
    whole_field = WHOLE_INPUT
    """The field named when a bare message is given (the input as a whole)."""

    def __init__(
        self,
        problems: Iterable[FieldProblem | tuple[str, str]] | str,
        *,
        source: str | None = None,
        title: str | None = None,
    ):
        if isinstance(problems, str):
            problems = [FieldProblem(self.whole_field, problems)]
        self.problems: list[FieldProblem] = [
            p if isinstance(p, FieldProblem) else FieldProblem(*p) for p in problems
        ]
        self.source = source
        if title is not None:
            self.title = title
        super().__init__(self.describe())

    def describe(self) -> str:
        """The error in lines a person reads: the title, then one line per field."""
        head = f"{self.source}: {self.title}" if self.source else self.title
        if len(self.problems) == 1 and self.problems[0].field == self.whole_field:
            return f"{head}: {self.problems[0].message}"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])

    def to_problem(self) -> dict[str, Any]:
        """The problem shape the CLI's JSON and the web service share."""
        return {"title": self.title, "errors": [problem.to_json() for problem in self.problems]}


class CaseError(LenaguardError):
    """The case file cannot be used: every problem names its field."""

    title = "invalid case file"


class InputError(LenaguardError):
    """A calculator or command-line value outside what is allowed."""

    title = "invalid input"
    whole_field = "(input)"


class KnowledgeError(LenaguardError):
    """A knowledge file is missing, malformed, or cites an unknown source."""

    title = "knowledge base error"
    whole_field = "(knowledge)"

    def describe(self) -> str:
        return "\n".join(problem.message for problem in self.problems)


class EvidenceError(LenaguardError):
    """A document or question the evidence module cannot use."""

    title = "evidence error"


class WorkflowError(LenaguardError):
    """A REMS workflow step that is not allowed now (say why in the problems).

    `unmet` lists the requirements the step is waiting for, each a machine-readable code with
    a sentence (e.g. `pregnancy_test_missing`), for the service's problem document.
    """

    title = "workflow step refused"
    status = 422
    whole_field = "(request)"

    def __init__(
        self,
        problems: Iterable[FieldProblem | tuple[str, str]] | str,
        *,
        source: str | None = None,
        title: str | None = None,
        unmet: Iterable[tuple[str, str]] = (),
    ):
        self.unmet = [{"code": code, "message": message} for code, message in unmet]
        super().__init__(problems, source=source, title=title)

    def to_problem(self) -> dict[str, Any]:
        problem = super().to_problem()
        if self.unmet:
            problem["unmet"] = self.unmet
        return problem


class AccessDenied(WorkflowError):
    """The caller may not see or do this, or the record does not exist: one answer for both."""

    title = "not allowed"
    status = 403


class NotFound(WorkflowError):
    """No such record (told only to callers who could see it if it existed)."""

    title = "not found"
    status = 404


class Conflict(WorkflowError):
    """The record exists and is the caller's, but its state forbids the step (used, expired)."""

    title = "conflict"
    status = 409


class FieldValueError(ValueError):
    """Raised inside a model validator to name the field (relative to the validated model).

    pydantic keeps the exception in the error's context; `lenaguard.caseio` joins its field to
    the model's location, so the problem names the full path without parsing any message.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
