"""Refuse request bodies over the configured size before reading them whole (HTTP 413).

The refusal is a problem document, or a short page in the site's style for a browser (a form
posted from the web pages asks for text/html).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lenaguard.service.problems import PROBLEM_JSON


class _TooLarge(BaseException):  # not Exception: FastAPI turns those into a 400
    pass


class BodySizeLimit:
    """ASGI middleware: a declared or streamed body over `max_bytes` gets a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        if b"text/html" in accept:
            media, body = "text/html; charset=utf-8", self._page()
        else:
            media, body = PROBLEM_JSON, self._problem()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _problem(self) -> bytes:
        return json.dumps(
            {
                "type": "about:blank",
                "title": "request too large",
                "status": 413,
                "detail": f"The request body may hold at most {self.max_bytes} bytes.",
            }
        ).encode()

    def _page(self) -> bytes:
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Too large · lenaguard</title>"
            '<link rel="stylesheet" href="/static/css/lenaguard.css"></head><body>'
            '<main id="main"><div class="narrow"><h1>The file is too large</h1>'
            f"<p>lenaguard reads at most {self.max_bytes:,} bytes in one request. A case file is "
            "far smaller: check that you chose the right file.</p>"
            '<p><a href="/">Go to the start page</a></p>'
            "</div></main></body></html>"
        ).encode()
