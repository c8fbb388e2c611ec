"""The handout as HTML: one Jinja2 template, autoescaped, its words from the message catalogue.

`render_html(handout)` makes the standalone file the CLI writes: the stylesheet is embedded, so
it opens offline from a disk or an e-mail. With `web=WebParts(...)`, the same template links the
stylesheet and script served by the app instead (the pages' Content-Security-Policy allows no
inline style or script) and adds the page's buttons (print, calendar file, back).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lenaguard.handout.i18n import SOURCE_LANGUAGE, Words, translations
from lenaguard.handout.model import Handout

__all__ = ["STYLESHEET", "TEMPLATES", "CalendarForm", "WebParts", "render_html", "stylesheet"]

TEMPLATES = files("lenaguard.handout") / "templates"
STYLESHEET = files("lenaguard") / "web" / "static" / "css" / "handout.css"
"""The handout's one stylesheet: served to the web page as a static file (/static/css/handout.css)
and embedded in the standalone file."""


@dataclass(frozen=True)
class CalendarForm:
    """A form that posts the same case again to get the calendar file (uploaded cases)."""

    action: str
    fields: tuple[tuple[str, str], ...]
    """Hidden fields: the case text, the CSRF token, …"""


@dataclass(frozen=True)
class WebParts:
    """What the web page adds to the handout: linked assets and its buttons."""

    stylesheet_href: str = "/static/css/handout.css"
    script_src: str | None = "/static/js/handout.js"
    back_href: str | None = None
    calendar_href: str | None = None
    """A link to the calendar file (an enrolled patient's)."""
    calendar_form: CalendarForm | None = None
    """Or a form that posts the case again (an uploaded case)."""


def stylesheet() -> str:
    """The handout's CSS (embedded in the standalone file)."""
    return STYLESHEET.read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(translations(language), newstyle=True)
    return environment


def render_html(
    handout: Handout, *, language: str = SOURCE_LANGUAGE, web: WebParts | None = None
) -> str:
    """The handout page in `language`: standalone (CSS embedded) unless `web` is given."""
    template = _environment(language).get_template("handout.html")
    return template.render(
        h=handout,
        words=Words(language),
        lang=language,
        web=web,
        # the stylesheet is lenaguard's own file, never case data
        embedded_css=Markup(stylesheet()) if web is None else None,  # noqa: S704
    )
