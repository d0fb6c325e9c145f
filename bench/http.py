"""A small asyncio HTTP/1.1 client for the benchmarks: keep-alive GETs and Server-Sent Events, on raw sockets,
so the client costs as little as possible next to the server it measures."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    def close(self) -> None:
        if self.writer:
            self.writer.close()

    async def request(self, path: str, method: str = "GET", extra: dict[str, str] | None = None,
                      body: bytes = b"") -> tuple[int, dict[str, str]]:  # fmt: skip
        head = "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
        length = f"Content-Length: {len(body)}\r\n" if body or method == "POST" else ""
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.headers}{head}{length}\r\n".encode()
            + body
        )
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    async def get(self, path: str) -> tuple[int, bytes]:
        status, headers = await self.request(path)
        return status, b"" if status in (204, 304) else await self.body(headers)

    async def body(self, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        parts = []
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            if size == 0:
                await self.reader.readline()
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()

    async def events(self, path: str, on_event: Callable[[str, dict, float], bool],
                     last_event_id: str | None = None, on_open: Callable[[], None] | None = None) -> None:  # fmt: skip
        """Follows an event stream; calls on_event(kind, data, arrival time) until it returns True."""
        extra = {"Accept": "text/event-stream"}
        if last_event_id:
            extra["Last-Event-ID"] = last_event_id
        status, headers = await self.request(path, extra=extra)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        if on_open:
            on_open()
        chunked = headers.get("transfer-encoding") == "chunked"
        buffer = b""
        while True:
            if chunked:
                line = (await self.reader.readline()).strip()
                if not line or int(line, 16) == 0:  # the server ended the stream (or the connection)
                    return
                size = int(line, 16)
                data = await self.reader.readexactly(size + 2)
                buffer += data[:-2]
            else:
                data = await self.reader.read(65536)
                if not data:
                    return
                buffer += data
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                kind, payload = "message", None
                for line in block.decode().split("\n"):
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        payload = line[6:]
                if payload is not None and on_event(kind, json.loads(payload), time.time()):
                    return


async def hammer(host: str, port: int, paths: list[str], connections: int, seconds: float,
                 headers: dict[str, str] | None = None) -> dict:  # fmt: skip
    """Pages per second with `connections` keep-alive clients for `seconds`: a page is a GET of each of
    `paths` in turn (a signed-in reader's lesson is the page and its /api/me/). A 304 counts as served."""
    done = 0
    failed = 0
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal done, failed
        connection = await Connection(host, port, headers).open()
        try:
            while time.monotonic() < deadline:
                statuses = [(await connection.get(path))[0] for path in paths]
                if all(status in (200, 304) for status in statuses):
                    done += 1
                else:
                    failed += 1
        finally:
            connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    return {"rps": done / (time.monotonic() - started), "failed": failed, "requests": done}


if (
    __name__ == "__main__"
):  # python -m bench.http HOST PORT PATH[,PATH…] CONNECTIONS SECONDS ["Name: value" …]
    import sys

    host, port, paths, connections, seconds = (
        sys.argv[1],
        int(sys.argv[2]),
        sys.argv[3].split(","),
        int(sys.argv[4]),
        float(sys.argv[5]),
    )
    headers = dict(h.split(": ", 1) for h in sys.argv[6:])
    print(json.dumps(asyncio.run(hammer(host, port, paths, connections, seconds, headers))))
