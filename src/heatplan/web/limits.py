"""Request size limit of the web app: bodies above ``[web] max_body_bytes`` get HTTP 413.

The workspace takes JSON bodies of a few kilobytes (a measure, a progress entry, a login); a
larger body is refused before it is read into memory — by its ``Content-Length`` or, for a
chunked body, as soon as the bytes received pass the limit (RFC 9110 § 15.5.14).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Default limit of a request body [bytes] (heatplan choice: the largest workspace body, a
#: measure with its steps at the field limits of heatplan.measures.schema, is below 100 kB).
MAX_BODY_BYTES = 1_000_000


class BodyTooLarge(HTTPException):
    """The body passed the limit while it was being received (413 also through FastAPI's
    body parsing, which re-raises HTTP exceptions)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"request body too large: at most {max_bytes} bytes"


class BodyLimit:
    """Plain ASGI middleware answering 413 to request bodies above ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared(scope) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    @staticmethod
    def _declared(scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": _too_large(self.max_bytes)}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
