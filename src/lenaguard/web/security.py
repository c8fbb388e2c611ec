"""What keeps the web pages safe in a browser: security headers, the session cookie, CSRF.

- Every HTML response gets a Content-Security-Policy with no inline script and no inline style
  (scripts and styles come only from `/static`; charts are SVG images), and headers that stop
  framing, MIME sniffing and leaking the page address to other sites.
- The session cookie is HttpOnly and SameSite=Strict (Secure behind TLS); it holds a random
  session key whose digest is stored (`workflow.accounts.service.start_web_session`).
- CSRF: every form a signed-in browser posts carries a token derived from its session key
  (HMAC-SHA256 keyed by the key), so a page on another site, which cannot read the HttpOnly
  cookie, cannot forge it. The login form, posted before there is a session, uses a
  double-submit token instead: a random cookie whose value the form must repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_FIELD",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "PageSecurityHeaders",
    "csrf_matches",
    "csrf_token",
    "new_login_csrf",
]

SESSION_COOKIE = "lenaguard_session"
LOGIN_CSRF_COOKIE = "lenaguard_login_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

_HTML_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
_EVERY_RESPONSE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def csrf_token(session_key: str) -> str:
    """The CSRF token of a signed-in browser's forms."""
    return hmac.new(session_key.encode("utf-8"), b"lenaguard-csrf", hashlib.sha256).hexdigest()


def csrf_matches(expected: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(expected.encode(), (sent or "").encode())


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


class PageSecurityHeaders:
    """Adds the security headers: the strict set on HTML responses that set no policy of their
    own (the vendored API docs set theirs), the basic set on every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _EVERY_RESPONSE.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in _HTML_HEADERS.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
