"""The evidence page (/evidence) through the app: answers as the evidence core gives them,
citations that lead to their references, conflicts side by side, the abstention, the case and
the enrolled patient, escaping, roles and CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from lenaguard.assess import assess
from lenaguard.caseio import load_case
from lenaguard.evidence import ask
from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import default_knowledge
from lenaguard.web.evidence_pages import linked_summary

from .conftest import EXAMPLES

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
SAMPLE_QUESTION = "Can Revlimid be used in patients with viral infections?"
GUIDELINE_QUESTION = "What is the starting dose in multiple myeloma with CrCl 45 mL/min?"
OFF_TOPIC = "Where is a good Italian restaurant nearby?"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def words(element) -> str:
    return " ".join(element.get_text().split())


def same_words(text: str) -> str:
    return " ".join(text.split())


def cited_numbers(page: BeautifulSoup) -> list[int]:
    """The reference numbers the answer's links point to (each must be a '#ref-N' anchor)."""
    found = []
    for link in page.select("#answer a.cite"):
        match = re.fullmatch(r"#ref-(\d+)", link["href"])
        assert match, link["href"]
        found.append(int(match.group(1)))
    return found


@pytest.fixture
def nurse(pages):
    return pages.sign_in("nurse")


@pytest.fixture
def sample_documents(pages):
    """The four sample documents ingested into the app's own library (its data directory)."""
    library = Library(pages.settings.home / "evidence", pages.app.state.knowledge)
    library.ingest(sorted(DOCUMENTS.glob("*.txt")))
    return library


def test_a_guideline_question_shows_its_parts_with_citations_that_lead_to_references(nurse, pages):
    answer = nurse.get("/evidence", params={"q": GUIDELINE_QUESTION})
    assert answer.status_code == 200, answer.text
    page = soup(answer.text)
    expected = ask(
        GUIDELINE_QUESTION,
        Library(pages.settings.home / "evidence", pages.app.state.knowledge).index(),
        pages.app.state.knowledge,
    )
    assert expected.guidelines and not expected.abstained
    # the parts, in the core's words and order
    guidelines = page.find("h3", string="From the Guidelines").find_parent("section")
    shown = [words(item) for item in guidelines.select("li")]
    assert len(shown) == len(expected.guidelines)
    for item, sentence in zip(shown, expected.guidelines, strict=True):
        assert item.startswith(same_words(sentence.text))
        for n in sentence.citations:
            assert f"[reference {n}]" in item
    if expected.research:
        assert page.find("h3", string="From the Research") is not None
    # the rules' computed dose is stated
    assert page.find("h3", string="Computed by the rules") is not None
    assert same_words(expected.computed[0].text) in words(page.select_one("#answer"))
    # every citation link leads to a reference anchor, and every reference is cited
    anchors = {int(item["id"].removeprefix("ref-")) for item in page.select("ol.references li")}
    cited = cited_numbers(page)
    assert cited and set(cited) == anchors == {r.n for r in expected.references}
    # the summary's own marks are links too
    assert page.select(".answer__summary a.cite")
    for reference in expected.references:
        listed = words(page.select_one(f"#ref-{reference.n}"))
        assert same_words(reference.title) in listed and reference.source in listed


def test_a_conflict_shows_the_document_and_the_knowledge_side_by_side(
    nurse, pages, sample_documents
):
    expected = ask(SAMPLE_QUESTION, sample_documents.index(), sample_documents.kb)
    assert expected.conflicts, "the sample documents disagree with the knowledge base"
    page = soup(nurse.get("/evidence", params={"q": SAMPLE_QUESTION}).text)
    conflicts = page.select("article.conflict")
    assert len(conflicts) == len(expected.conflicts)
    for article, conflict in zip(conflicts, expected.conflicts, strict=True):
        claim = article.select_one(".conflict__side--claim")
        knowledge = article.select_one(".conflict__side--knowledge")
        assert words(claim.find("p")) == "The document says"
        assert words(claim.find("blockquote")) == same_words(conflict.claim.text)
        assert conflict.claim.source in words(claim)
        assert words(knowledge.find("p")) == "The knowledge base says"
        assert words(knowledge.find("blockquote")) == same_words(conflict.knowledge.text)
        assert conflict.knowledge.entry in words(knowledge)
        assert conflict.knowledge.status.value in words(knowledge)
    # the lamivudine advice of the sample answer is among them, never quoted as an answer
    lamivudine = [c for c in expected.conflicts if "lamivudine" in c.claim.text.lower()]
    assert lamivudine
    quoted = " ".join(words(li) for li in page.select(".answer__sentences li"))
    assert same_words(lamivudine[0].claim.text) not in quoted
    # the added documents are listed as searched
    assert "4 documents added" in words(page.select_one(".evidence__library"))


def test_a_question_without_evidence_gets_the_abstention_and_nothing_else(nurse):
    page = soup(nurse.get("/evidence", params={"q": OFF_TOPIC}).text)
    abstained = page.select_one(".answer__abstained")
    assert abstained is not None
    assert words(abstained).startswith("Not enough evidence to answer.")
    assert "hold nothing on this question" in words(abstained)
    for absent in (".answer__summary", ".answer__part", "ol.references", "a.cite", "article"):
        assert page.select(absent) == [], absent


def test_a_question_with_markup_is_shown_as_text(nurse):
    question = '<script>alert("x")</script><img src=x onerror=alert(1)> dose in myeloma?'
    answer = nurse.get("/evidence", params={"q": question})
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text and "<img src=x" not in answer.text
    assert "&lt;script&gt;alert(" in answer.text
    page = soup(answer.text)
    assert words(page.select_one("#answer-title")) == same_words(question)
    assert page.select_one("#q")["value"] == question
    assert page.select("#answer script, #answer img") == []


def test_the_page_answers_on_a_fresh_data_directory_and_says_when_no_index_exists(nurse, pages):
    index = pages.settings.home / "evidence" / "index"
    assert not index.exists()
    empty = soup(nurse.get("/evidence").text)
    assert "There is no evidence index in" in words(empty.select_one(".evidence__library"))
    assert empty.select_one("#answer-title") is None
    answered = soup(nurse.get("/evidence", params={"q": SAMPLE_QUESTION}).text)
    assert answered.select(".answer__part") and (index / "meta.json").exists()
    assert "There is no evidence index" not in words(answered)
    assert "No documents of your own" in words(answered.select_one(".evidence__library"))


def test_an_index_that_cannot_be_kept_on_disk_is_said_and_the_question_still_answered(nurse, pages):
    (pages.settings.home / "evidence").write_text("not a folder")
    page = soup(nurse.get("/evidence", params={"q": SAMPLE_QUESTION}).text)
    notice = words(page.select_one(".alert--warn"))
    assert notice.startswith("No evidence index could be kept in")
    assert page.select(".answer__part")


@pytest.mark.parametrize("role", ["admin", "prescriber", "nurse", "pharmacist"])
def test_staff_may_open_the_page(pages, role):
    assert pages.sign_in(role).get("/evidence").status_code == 200


def test_a_patient_is_refused_and_a_stranger_sent_to_sign_in(pages, live):
    token = live.first("patient")
    for method in ("GET", "POST"):
        refused = httpx.request(
            method,
            live.url + "/evidence",
            params={"q": "dose"} if method == "GET" else None,
            data={"q": "dose"} if method == "POST" else None,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert refused.status_code == 403
        assert "Ask the evidence" not in refused.text
    stranger = pages.client().get("/evidence", params={"q": "dose"})
    assert stranger.status_code == 303
    assert stranger.headers["location"] == "/login?next=/evidence%3Fq%3Ddose"


def test_a_posted_question_needs_the_forms_csrf_token(nurse, pages):
    form = nurse.get("/evidence")
    refused = nurse.post("/evidence", data={"q": SAMPLE_QUESTION})
    assert refused.status_code == 403
    answered = nurse.post(
        "/evidence", data={"q": SAMPLE_QUESTION, "csrf_token": pages.csrf(form.text)}
    )
    assert answered.status_code == 200
    assert soup(answered.text).select(".answer__part")
    # a script with a token (no cookie) needs none
    token = pages.token("prescriber")
    scripted = pages.client().post(
        "/evidence",
        data={"q": SAMPLE_QUESTION},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert scripted.status_code == 200


def test_an_uploaded_case_adds_what_the_rules_decide_for_this_patient(nurse, pages):
    example = EXAMPLES / "frp-not-ready.yaml"
    csrf = pages.csrf(nurse.get("/evidence").text)
    answer = nurse.post(
        "/evidence",
        data={"q": "Can this patient start now?", "csrf_token": csrf},
        files={"case": (example.name, example.read_bytes(), "application/yaml")},
    )
    assert answer.status_code == 200, answer.text
    page = soup(answer.text)
    kb = default_knowledge()
    assessment = assess(load_case(example, kb=kb), kb)
    patient = page.select_one(".answer__patient")
    assert patient is not None and "About this patient" in words(patient.find("h3"))
    assert "banner--not-ready" in patient["class"]
    assert words(patient).count("Not ready to prescribe") == 1
    shown = [words(item) for item in patient.select("ol li")]
    assert shown == [same_words(action.text) for action in assessment.actions]
    # the case stays in the form, so the next question is about the same patient
    assert page.select_one("#case-text").get_text() == example.read_text(encoding="utf-8")


def test_a_pasted_case_with_errors_is_answered_next_to_the_case_field(nurse, pages):
    csrf = pages.csrf(nurse.get("/evidence").text)
    answer = nurse.post(
        "/evidence",
        data={"q": SAMPLE_QUESTION, "case_text": "patient: {id: p1}\n", "csrf_token": csrf},
    )
    assert answer.status_code == 422
    page = soup(answer.text)
    assert page.select_one("#case-text")["aria-invalid"] == "true"
    errors = words(page.select_one("#case-errors"))
    assert errors.startswith("The case cannot be used:") and "indication" in errors
    assert page.select_one("#answer-title") is None  # no answer that silently drops the case


def test_an_empty_or_overlong_question_is_said_next_to_the_field(nurse, pages):
    csrf = pages.csrf(nurse.get("/evidence").text)
    empty = soup(nurse.post("/evidence", data={"q": "  ", "csrf_token": csrf}).text)
    assert words(empty.select_one("#q-error")) == "Type a question to ask."
    long = nurse.get("/evidence", params={"q": "dose " * 500})
    assert long.status_code == 422
    assert "ask in at most 2,000" in words(soup(long.text).select_one("#q-error"))


def test_the_summary_links_only_the_composers_marks():
    summary = "A sentence [1][2]. A source's own [7] mark. Last [3]."
    html = str(linked_summary(summary, {1, 2, 3}))
    assert html.count('class="cite"') == 3
    assert "own [7] mark" in html
    assert str(linked_summary("<b>x</b> [1].", {1})).startswith("&lt;b&gt;x&lt;/b&gt; <a")
    assert 'class="cite"' not in str(linked_summary("Said [9].", {1}))


def test_an_enrolled_patient_is_answered_about_from_the_record(live):
    token = live.token_of("Dr. Ada Demo")
    headers = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(live.url + "/api/v1/patients", headers=headers).json()["items"]
    patient = listed[0]
    page = httpx.get(
        live.url + "/evidence",
        params={"patient": patient["id"], "q": "Can this patient start now?"},
        headers=headers,
    )
    assert page.status_code == 200, page.text
    html = soup(page.text)
    assert patient["name"] in words(html.select_one(".answer__patient h3"))
    assert html.select_one("input[name=patient]")["value"] == patient["id"]
    # another prescriber's patient is refused the way the API refuses it
    other = live.token_of("Dr. Ben Demo")
    refused = httpx.get(
        live.url + "/evidence",
        params={"patient": patient["id"]},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403
