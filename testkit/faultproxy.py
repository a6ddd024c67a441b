"""A fault-injecting HTTP proxy in front of a real service, for failure tests.

Each connection carries one HTTP/1.1 request (clients here open a connection per call). Per
connection, the next planned fault is applied, then the default one:
  pass                forward to the real service and relay its answer
  status:<code>       answer <code> without forwarding (e.g. 503, 429)
  hang                read the request and never answer
  drop_after_forward  forward, let the service act, then close without answering
`refuse()` stops listening (connection refused); `accept()` listens again on the same port.
Stdlib only; runs its own event loop in a thread so synchronous tests can drive it.
"""
from __future__ import annotations

import asyncio
import collections
import threading
from typing import Deque, Optional, Tuple


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


def _force_close(head: bytes) -> bytes:
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines[:1] + [b"Connection: close"] + lines[1:])


class FaultProxy:
    def __init__(self, upstream: Tuple[str, int], host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.host, self.port = host, port
        self.default = "pass"
        self.planned: Deque[str] = collections.deque()
        self.seen = collections.Counter()
        self._loop = asyncio.new_event_loop()
        self._server: Optional[asyncio.base_events.Server] = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.accept()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def accept(self) -> None:
        self._call(self._start())

    def refuse(self) -> None:
        self._call(self._stop())

    def plan(self, *faults: str) -> None:
        self.planned.extend(faults)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = self.planned.popleft() if self.planned else self.default
        self.seen[fault] += 1
        try:
            request = await _read_request(reader)
            if fault.startswith("status:"):
                code = int(fault.split(":", 1)[1])
                body = b'{"detail": "injected fault"}'
                writer.write(b"HTTP/1.1 %d Injected\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (code, len(body), body))
                await writer.drain()
            elif fault == "hang":
                await reader.read()  # until the client gives up and closes
            else:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
                head, _, body = request.partition(b"\r\n\r\n")
                up_writer.write(_force_close(head) + b"\r\n\r\n" + body)
                await up_writer.drain()
                response = await up_reader.read()
                up_writer.close()
                if fault != "drop_after_forward":
                    writer.write(response)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        self.refuse()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
