"""`lenaguard handout CASE [--out FILE] [--ics FILE] [--as-of DATE]`."""

from __future__ import annotations

from icalendar import Calendar

from tests.cli.runner import run
from tests.handout.conftest import ROOT, visible_text

FRP_READY = str(ROOT / "examples" / "frp-ready.yaml")


def test_writes_a_standalone_file_and_a_calendar(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LENAGUARD_CLINIC_NAME", "Lakeside Oncology")
    monkeypatch.setenv("LENAGUARD_CLINIC_PHONE", "555-0199")
    out, ics = tmp_path / "handout.html", tmp_path / "dates.ics"
    code, stdout, stderr = run(
        capsys, monkeypatch, "handout", FRP_READY, "--out", str(out), "--ics", str(ics)
    )
    assert (code, stdout, stderr) == (0, "", "")
    html = out.read_text(encoding="utf-8")
    assert "<style>" in html and 'rel="stylesheet"' not in html  # opens offline
    text = visible_text(html)
    assert "Lakeside Oncology" in text and "Phone: 555-0199" in text
    assert "Take 1 capsule of 25 mg each time." in text
    events = list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert any(str(event["summary"]) == "Pregnancy test" for event in events)


def test_without_out_prints_the_html(capsys, monkeypatch):
    monkeypatch.delenv("LENAGUARD_CLINIC_NAME", raising=False)
    monkeypatch.delenv("LENAGUARD_CLINIC_PHONE", raising=False)
    code, stdout, _err = run(capsys, monkeypatch, "handout", FRP_READY)
    assert code == 0 and stdout.startswith("<!doctype html>")
    assert "Call your care team right away" in visible_text(stdout)


def test_a_blocked_case_tells_the_patient_to_wait(capsys, monkeypatch):
    code, stdout, _err = run(
        capsys, monkeypatch, "handout", str(ROOT / "examples" / "frp-not-ready.yaml")
    )
    assert code == 0
    assert "Do not take your capsules until your care team tells you to." in visible_text(stdout)


def test_an_invalid_case_exits_2_naming_the_field(capsys, monkeypatch, tmp_path):
    case = tmp_path / "bad.yaml"
    case.write_text("indication: mm_combination\npatient: {id: x, sex: other}\n")
    code, stdout, stderr = run(capsys, monkeypatch, "handout", str(case))
    assert code == 2 and stdout == ""
    assert "patient.sex" in stderr and stderr.count("\n") == 1


def test_a_bad_date_exits_2_naming_the_option(capsys, monkeypatch):
    code, _out, stderr = run(capsys, monkeypatch, "handout", FRP_READY, "--as-of", "soon")
    assert code == 2 and "--as-of" in stderr


def test_an_unwritable_output_exits_2_naming_the_option(capsys, monkeypatch, tmp_path):
    target = tmp_path / "missing-folder" / "handout.html"
    code, _out, stderr = run(capsys, monkeypatch, "handout", FRP_READY, "--out", str(target))
    assert code == 2 and "--out" in stderr
