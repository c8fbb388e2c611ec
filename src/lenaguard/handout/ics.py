"""The handout's dates as an iCalendar file: dosing days and test days, for a phone's calendar.

One all-day event per dosing day (none unless the handout's plan is to take the capsules) and
one per test day. The file is the same for the same assessment: event ids and the stamp come
from the patient, the dates and the assessment date, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Calendar, Event

from lenaguard.handout.i18n import SOURCE_LANGUAGE, translations
from lenaguard.handout.model import Handout

__all__ = ["calendar_ics"]

PRODID = "-//lenaguard//patient handout//EN"


def _uid(handout: Handout, date: dt.date, kind: str) -> str:
    key = hashlib.sha256(f"{handout.patient_id}\x00{handout.as_of}".encode()).hexdigest()[:16]
    return f"{date.isoformat()}-{kind}-{key}@lenaguard"


def _event(handout: Handout, date: dt.date, kind: str, summary: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", _uid(handout, date, kind))
    event.add("dtstamp", stamp)
    event.add("dtstart", date)
    event.add("dtend", date + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_ics(handout: Handout, *, language: str = SOURCE_LANGUAGE) -> bytes:
    """The dosing and test dates of `handout` as an iCalendar (.ics) file."""
    catalogue = translations(language)
    _ = catalogue.gettext
    ngettext = catalogue.ngettext

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Lenalidomide plan"))
    stamp = dt.datetime.combine(handout.as_of, dt.time(0, 0), tzinfo=dt.UTC)

    for week in handout.weeks:
        for cell in week:
            if not cell.take:
                continue
            if cell.capsules:
                summary = ngettext(
                    "Take lenalidomide: %(count)s capsule",
                    "Take lenalidomide: %(count)s capsules",
                    cell.capsules,
                ) % {"count": cell.capsules}
            else:
                summary = _("Take lenalidomide")
            calendar.add_component(_event(handout, cell.date, "dose", summary, stamp))
    for test in handout.test_dates:
        if test.pregnancy:
            calendar.add_component(
                _event(handout, test.date, "pregnancy-test", _("Pregnancy test"), stamp)
            )
        if test.blood_tests:
            calendar.add_component(_event(handout, test.date, "blood-test", _("Blood test"), stamp))
    return calendar.to_ical()
