"""The handout as a reader gets it: reading level, escaping, the calendar file, the catalogue."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import textstat
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from icalendar import Calendar

from lenaguard.handout import calendar_ics, contact_for, i18n, render, render_html
from lenaguard.handout.i18n import MESSAGES
from tests.handout.conftest import EXAMPLES, ROOT, visible_text

MAX_GRADE = 8.0
PACKAGE = ROOT / "src" / "lenaguard" / "handout"

CONTACTS = {
    "clinic": contact_for("Demo Oncology Clinic", "555-0100"),
    "prescriber": contact_for(None, None, "Dr. Ada Demo"),
    "care team": contact_for(None, None),
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_reads_at_or_below_grade_8(handout_of, path):
    """Flesch-Kincaid grade (textstat 0.7.8) of the page's whole visible text, calendar
    included, for each way of naming whom to call."""
    for contact in CONTACTS.values():
        _case, _assessment, handout = handout_of(path, contact=contact)
        text = visible_text(render_html(handout))
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= MAX_GRADE, (path.name, grade)


def test_the_readability_check_would_catch_hard_text():
    hard = (
        "Contraceptive methods demonstrating substantial effectiveness are obligatory "
        "throughout pharmacological administration, notwithstanding documented infertility. "
    )
    assert textstat.flesch_kincaid_grade(hard * 5) > MAX_GRADE


def test_a_patient_id_and_clinic_name_with_markup_are_shown_as_text(handout_of):
    text = (ROOT / "examples" / "frp-ready.yaml").read_text()
    hostile = '<script>alert("x")</script><b onclick=x>Eve</b>'
    assert "id: demo-frp-ready" in text
    case_text = text.replace("id: demo-frp-ready", "id: '" + hostile.replace("'", "''") + "'")
    clinic = contact_for('Clinic <img src=x onerror="alert(1)">', "555 <b>1</b>")
    _case, _assessment, handout = handout_of(case_text, contact=clinic)
    assert handout.patient_id == hostile
    html = render_html(handout)
    assert "<script>alert" not in html and "<b onclick" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert hostile in visible_text(html)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_the_standalone_file_embeds_its_stylesheet_and_the_web_page_links_it(handout_of):
    _case, _assessment, handout = handout_of(ROOT / "examples" / "male-patient.yaml")
    standalone = render_html(handout)
    assert "<style>" in standalone and ".handout-calendar" in standalone
    assert 'rel="stylesheet"' not in standalone and "<script" not in standalone
    web = render_html(handout, web=render.WebParts(back_href="/handout"))
    assert "<style" not in web and " style=" not in web
    assert '<link rel="stylesheet" href="/static/css/handout.css">' in web
    assert '<script src="/static/js/handout.js" defer></script>' in web
    assert "@media print" in render.stylesheet()


def _events(data: bytes) -> list[tuple[dt.date, str]]:
    calendar = Calendar.from_ical(data)
    return sorted(
        (event.decoded("dtstart"), str(event.get("summary"))) for event in calendar.walk("VEVENT")
    )


def test_the_calendar_file_has_each_dosing_day_and_test_day(handout_of):
    _case, _assessment, handout = handout_of(ROOT / "examples" / "frp-ready.yaml")
    events = _events(calendar_ics(handout))
    doses = [date for date, summary in events if summary.startswith("Take lenalidomide")]
    assert tuple(doses) == handout.dosing_days and doses
    assert all(
        summary == "Take lenalidomide: 1 capsule"
        for date, summary in events
        if date in doses and summary.startswith("Take")
    )
    pregnancy = [date for date, summary in events if summary == "Pregnancy test"]
    blood = [date for date, summary in events if summary == "Blood test"]
    assert pregnancy == [t.date for t in handout.test_dates if t.pregnancy] and pregnancy
    assert blood == [t.date for t in handout.test_dates if t.blood_tests]
    # the same assessment gives the same file (no clock in it)
    assert calendar_ics(handout) == calendar_ics(handout)


def test_the_calendar_file_of_a_blocked_case_has_tests_and_no_dosing_day(handout_of):
    _case, _assessment, handout = handout_of(ROOT / "examples" / "frp-not-ready.yaml")
    events = _events(calendar_ics(handout))
    assert events and not [s for _d, s in events if s.startswith("Take")]
    assert any(summary == "Pregnancy test" for _date, summary in events)


def test_the_message_catalogue_template_is_current():
    """messages.pot lists exactly the messages of the template and the code (babel.cfg)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options_map = {
        "templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "true",
            "lstrip_blocks": "true",
        }
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=method_map,
        options_map=options_map,
        keywords=DEFAULT_KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    with (MESSAGES / "messages.pot").open("rb") as stream:
        catalog = read_po(stream)
    listed = {message.id for message in catalog if message.id}
    assert found == listed, "run the pybabel extract command in messages/babel.cfg"


def test_a_translation_is_a_po_file_read_at_run_time(handout_of, tmp_path, monkeypatch):
    """Adding a language: a <language>.po beside messages.pot; no build step."""
    shutil.copy(MESSAGES / "messages.pot", tmp_path / "messages.pot")
    (tmp_path / "es.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Your lenalidomide plan"\nmsgstr "Su plan de lenalidomida"\n\n'
        'msgid "Pregnancy test"\nmsgstr "Prueba de embarazo"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "MESSAGES", tmp_path)
    i18n.translations.cache_clear()
    render._environment.cache_clear()
    try:
        assert i18n.languages() == ["en", "es"]
        _case, _assessment, handout = handout_of(ROOT / "examples" / "frp-ready.yaml")
        html = render_html(handout, language="es")
        assert '<html lang="es">' in html and "Su plan de lenalidomida" in html
        assert "noviembre" in html  # dates in the language's own words (Babel)
        assert b"Prueba de embarazo" in calendar_ics(handout, language="es")
    finally:
        i18n.translations.cache_clear()
        render._environment.cache_clear()
