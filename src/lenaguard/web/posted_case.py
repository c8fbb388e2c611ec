"""One reader for a case posted to a page: the workbench, the handout and the evidence page.

A case arrives as an uploaded file or pasted text in the field `case` (or `case_text`, the
evidence page's name for pasted text), with two optional choices: the indication to use when a
FHIR Bundle's diagnoses name none (`indication`, or the workbench's `fhir_indication`) and the
date for a case file without `as_of` (`as_of_default`; else the clinic's today). An assessment
page hands the same case on to the handout and the evidence page as hidden fields
(`handoff_fields`), so each page reads the same case, on the same date, the same way.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile

from lenaguard.assess import Assessment, assess
from lenaguard.case import Case
from lenaguard.case_input import read_case_input
from lenaguard.caseio import decode_case_bytes, max_case_bytes, read_limited
from lenaguard.errors import CaseError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.vocab import Indication

__all__ = ["CASE_FIELDS", "PostedCase", "assess_posted", "handoff_fields", "read_posted_case"]

CASE_FIELDS = ("case", "case_text")
"""The fields that may carry the case: a file or text in `case`, pasted text in `case_text`."""
_INDICATION_FIELDS = ("indication", "fhir_indication")
_AS_OF_FIELD = "as_of_default"


@dataclass(frozen=True)
class PostedCase:
    """The posted case text (empty when none was posted) and the choices that go with it."""

    text: str
    indication: Indication | None = None
    as_of_default: dt.date | None = None

    def today(self, clinic_today: dt.date) -> dt.date:
        """The date of a case file without `as_of`: the chosen one, else the clinic's today."""
        return self.as_of_default or clinic_today


async def read_posted_case(form: FormData, *, source: str) -> PostedCase:
    """The case of a posted form: the first uploaded file with content, else the first
    non-blank text, in the order of CASE_FIELDS. Bounded by the case size limit (CaseTooLarge)
    and decoded as case files are; a bad choice is a CaseError naming its field."""
    return PostedCase(
        text=await _text(form, source),
        indication=_indication(form, source),
        as_of_default=_as_of_default(form, source),
    )


def assess_posted(
    posted: PostedCase, *, clinic_today: dt.date, kb: KnowledgeBase, source: str
) -> tuple[Case, Assessment]:
    """The case and its assessment, read as `POST /assess` reads them (a FHIR Bundle's mapping
    notes become findings)."""
    case, notes = read_case_input(
        posted.text,
        today=posted.today(clinic_today),
        kb=kb,
        indication=posted.indication,
        source=source,
    )
    return case, assess(case, kb, notes=notes)


def handoff_fields(posted: PostedCase) -> list[tuple[str, str]]:
    """Hidden form fields that post the same case, with its choices, to another page."""
    fields = [("case", posted.text)]
    if posted.indication is not None:
        fields.append(("indication", posted.indication.value))
    if posted.as_of_default is not None:
        fields.append((_AS_OF_FIELD, posted.as_of_default.isoformat()))
    return fields


async def _text(form: FormData, source: str) -> str:
    limit = max_case_bytes()
    values = [value for name in CASE_FIELDS for value in form.getlist(name)]
    for value in values:
        if isinstance(value, UploadFile) and (value.filename or value.size):
            data = read_limited(value.file, limit, source=source)
            if data.strip():
                return decode_case_bytes(data, source=source)
    for value in values:
        if isinstance(value, str) and value.strip():
            read_limited(io.BytesIO(value.encode("utf-8")), limit, source=source)
            return value
    return ""


def _indication(form: FormData, source: str) -> Indication | None:
    for name in _INDICATION_FIELDS:
        chosen = form.get(name)
        if isinstance(chosen, str) and chosen.strip():
            try:
                return Indication(chosen.strip())
            except ValueError:
                allowed = ", ".join(item.value for item in Indication)
                raise CaseError(
                    [(name, f"{chosen.strip()[:40]!r} is not an indication; allowed: {allowed}")],
                    source=source,
                ) from None
    return None


def _as_of_default(form: FormData, source: str) -> dt.date | None:
    text = form.get(_AS_OF_FIELD)
    if isinstance(text, str) and text.strip():
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise CaseError([(_AS_OF_FIELD, "give a date as YYYY-MM-DD")], source=source) from None
    return None
