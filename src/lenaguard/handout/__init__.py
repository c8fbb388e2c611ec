"""The personal patient handout: a plain-language page for one patient, from their assessment.

`build_handout(assessment, case, kb, contact)` gathers what the patient is told (a typed
`Handout`, no words); `render_html` writes it as HTML from one template whose texts are in a
gettext message catalogue; `calendar_ics` writes the dosing and test dates as an iCalendar
file. Core code: no web, terminal or database library.
"""

from lenaguard.handout.build import build_handout, contact_for, plan_of
from lenaguard.handout.i18n import languages
from lenaguard.handout.ics import calendar_ics
from lenaguard.handout.model import Contact, ContactKind, Handout, Plan
from lenaguard.handout.render import CalendarForm, WebParts, render_html

__all__ = [
    "CalendarForm",
    "Contact",
    "ContactKind",
    "Handout",
    "Plan",
    "WebParts",
    "build_handout",
    "calendar_ics",
    "contact_for",
    "languages",
    "plan_of",
    "render_html",
]
