"""Readers: a file's bytes to titled sections of text (heading or page), boilerplate removed.

Plain text, Markdown, HTML and PDF. HTML loses navigation, headers, footers, scripts, forms,
cookie notices, share buttons and "related articles" lists before its text is read; the same
text rules (cookie notices, "Share on", "Related articles:" lists) also clean text files that
were saved from web pages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from lenaguard.errors import EvidenceError

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


@dataclass
class Section:
    """Text under one heading (or on one page), with where it sits in the document."""

    locator: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ReadDocument:
    title: str
    date: str | None
    sections: list[Section]


BOILERPLATE = re.compile(
    r"(\bcookies?\b.*\b(use|accept|consent|opt.?out|policy|settings)\b"
    r"|\b(use|accept|consent)\b.*\bcookies?\b"
    r"|^share( this)?( on| article| page)?:?$"
    r"|^(print|email|tweet|facebook|twitter|linkedin|pinterest)$"
    r"|^(subscribe|sign up)\b.*newsletter"
    r"|^(skip to (main )?content|back to top|advertisement)$"
    r"|^to opt.?out\b)",
    re.IGNORECASE,
)
RELATED = re.compile(
    r"^(related( articles| posts| stories| content)?|you may also like|read (more|next)|"
    r"more (articles|stories)|recommended( for you)?)\s*:?$",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")


def is_boilerplate(text: str) -> bool:
    return bool(BOILERPLATE.search(" ".join(text.split())))


def _clean_sections(sections: list[Section]) -> list[Section]:
    """Drop boilerplate paragraphs, and a "Related articles" heading or line with its list."""
    cleaned = []
    for section in sections:
        if RELATED.match(section.locator.strip()):
            continue
        locator = "" if is_boilerplate(section.locator) else section.locator
        kept: list[str] = []
        skipping_list = False
        for paragraph in section.paragraphs:
            line = paragraph.strip()
            if RELATED.match(line):
                skipping_list = True
                continue
            if skipping_list and re.match(r"^([-*•]|\d+[.)])\s", line):
                continue
            skipping_list = False
            if not is_boilerplate(line):
                kept.append(line)
        if kept:
            cleaned.append(Section(locator, kept))
    return cleaned


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and len(line) <= 80
        and not line.rstrip().endswith((".", ",", ";", ":"))
        and not re.match(r"^([-*•]|\d+[.)])\s", line)
        and line[:1].isupper()
    )


def read_text(text: str, *, markdown: bool = False) -> ReadDocument:
    """Text or Markdown: headings (Markdown '#', or short title-like lines) start sections;
    a blank line or a new list item starts a paragraph."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = next(
        (t for ln in lines if (t := ln.strip().lstrip("#").strip()) and not is_boilerplate(t)),
        "",
    )
    sections = [Section("")]
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            sections[-1].paragraphs.append(" ".join(buffer))
            buffer.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", line) if markdown else None
        if heading or (not markdown and not buffer and _looks_like_heading(line)):
            flush()
            sections.append(Section((heading.group(1) if heading else line).strip()))
            continue
        if re.match(r"^([-*•+]|\d+[.)])\s", line):
            flush()
        buffer.append(line)
        if not markdown:
            flush()  # saved web text: one line, one paragraph
    flush()
    date = ISO_DATE.search(text[:2000])
    return ReadDocument(title, date.group(0) if date else None, _clean_sections(sections))


_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form")
_DROP_TAGS += ("button", "iframe", "svg", "template", "dialog")
_BOILERPLATE_ATTR = re.compile(
    r"cookie|consent|gdpr|share|social|related|newsletter|breadcrumb|banner|advert|promo|"
    r"sidebar|comment|subscribe|popup|modal|menu|navbar",
    re.IGNORECASE,
)


def read_html(data: bytes) -> ReadDocument:
    """HTML: the readable text of the page, by heading, without the page's furniture."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    date = None
    for meta in soup.find_all("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in {"article:published_time", "date", "dc.date", "citation_date"}:
            date = (meta.get("content") or "")[:10] or None
            break
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        marks = " ".join(
            [
                tag.get("id") or "",
                *(tag.get("class") or []),
                tag.get("role") or "",
                tag.get("aria-label") or "",
            ]
        )
        if marks.strip() and _BOILERPLATE_ATTR.search(marks):
            tag.decompose()
    body = soup.body or soup
    sections = [Section("")]
    for element in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre"]):
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name.startswith("h"):
            if not title:
                title = text
            sections.append(Section(text))
        elif element.find_parent(["li", "td"]) is None or element.name in {"li", "td"}:
            prefix = "- " if element.name == "li" else ""
            sections[-1].paragraphs.append(prefix + text)
    return ReadDocument(title, date, _clean_sections(sections))


def read_pdf(data: bytes) -> ReadDocument:
    """PDF (pypdf): one section per page, located as 'page N'."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise EvidenceError(f"not a readable PDF: {exc}") from exc
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    sections = []
    for number, text in enumerate(pages, start=1):
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
        if len(paragraphs) == 1:
            paragraphs = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        sections.append(Section(f"page {number}", paragraphs))
    first = next((p for s in sections for p in s.paragraphs), "")
    return ReadDocument(meta_title or first[:120], None, _clean_sections(sections))


def read(data: bytes, fmt: str) -> ReadDocument:
    """Read `data` in format `fmt` (text, markdown, html or pdf)."""
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "html":
        return read_html(data)
    text = data.decode("utf-8", errors="replace")
    return read_text(text, markdown=fmt == "markdown")
