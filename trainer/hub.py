"""One Redis reader per server process for every job stream that someone is watching.

A thousand browsers following jobs must not mean a thousand blocking XREADs and a thousand Redis
connections. The hub keeps one connection that blocks on all watched streams at once and hands each new
entry to the asyncio queue of every viewer of that stream. A viewer that joins late (or reconnects with
Last-Event-ID) first reads what it missed with XRANGE, then takes live entries from its queue, skipping the
ones it has already seen: nothing lost, nothing repeated.

When the set of watched streams changes, the hub writes to its own small control stream, which it also
reads: the pending XREAD returns at once and the next one includes the new stream.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import uuid
import weakref

import redis.asyncio
import redis.exceptions
from django.conf import settings

log = logging.getLogger(__name__)

Entry = tuple[str, dict[str, str]]
BLOCK_MS = 15_000  # an idle hub wakes up this often anyway
COUNT = 500
POOL_SIZE = 16


def entry_key(entry_id: str) -> tuple[int, int]:
    milliseconds, sequence = entry_id.split("-")
    return int(milliseconds), int(sequence)


class Hub:
    def __init__(self) -> None:
        options = {"decode_responses": True, "socket_connect_timeout": 5}
        # The reader's own connection, which blocks in XREAD for up to BLOCK_MS.
        self.reader_client = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, single_connection_client=True, socket_timeout=BLOCK_MS / 1000 + 10, **options
        )
        # Viewers' backlog reads share a few connections; a class arriving at once waits its turn.
        self.client = redis.asyncio.Redis(
            connection_pool=redis.asyncio.BlockingConnectionPool.from_url(
                settings.REDIS_URL, max_connections=POOL_SIZE, timeout=30, socket_timeout=10, **options
            )
        )
        self.control = f"sse-hub:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.viewers: dict[str, set[asyncio.Queue[Entry]]] = {}
        self.positions: dict[str, str] = {}  # stream -> id of the last entry handed out
        self.reader: asyncio.Task | None = None

    def follow(self, key: str, after: str) -> Subscription:
        """The entries of stream `key` after id `after` ("0" for all), then live ones: `async with` it."""
        return Subscription(self, key, after)

    async def watch(self, key: str, queue: asyncio.Queue[Entry]) -> None:
        """Entries of `key` from now on into `queue` (anything with `put_nowait`): for a reader that follows
        many streams with one queue (the class's lab wall, classes/wall.py) and reads their backlog itself."""
        await self._watch(key, queue)

    def unwatch(self, key: str, queue: asyncio.Queue[Entry]) -> None:
        self._unwatch(key, queue)

    async def _watch(self, key: str, queue: asyncio.Queue[Entry]) -> None:
        new = key not in self.positions
        if new:
            # The hub hands out what arrives after the stream's present end; the viewer's XRANGE covers the rest.
            # A viewer cancelled during this await leaves at most a position without viewers, which the reader
            # drops; with no await between setting the position and adding the viewer, never the reverse,
            # a viewer without a position, which would starve.
            latest = await self.client.xrevrange(key, count=1)
            self.positions.setdefault(key, latest[0][0] if latest else "0-0")
        self.viewers.setdefault(key, set()).add(queue)
        if new:
            await self._wake()
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read(), name="sse-hub-reader")

    def _unwatch(self, key: str, queue: asyncio.Queue[Entry]) -> None:
        viewers = self.viewers.get(key)
        if viewers is not None:
            viewers.discard(queue)
            if not viewers:
                del self.viewers[key]
                self.positions.pop(key, None)

    async def _wake(self) -> None:
        with contextlib.suppress(redis.exceptions.RedisError):
            await self.client.xadd(self.control, {"wake": "1"}, maxlen=10, approximate=False)
            await self.client.expire(self.control, 3600)

    async def _read(self) -> None:
        control_position = "$"
        while self.viewers:
            for key in [key for key in self.positions if key not in self.viewers]:
                del self.positions[key]
            streams = {self.control: control_position, **self.positions}
            try:
                replies = await self.reader_client.xread(streams, count=COUNT, block=BLOCK_MS)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
                log.warning("event hub: Redis unavailable (%s); retrying", error)
                await asyncio.sleep(0.5)
                continue
            for key, entries in replies or []:
                if key == self.control:
                    control_position = entries[-1][0]
                    continue
                if key not in self.positions:
                    continue
                self.positions[key] = entries[-1][0]
                for queue in tuple(self.viewers.get(key, ())):
                    for entry in entries:
                        queue.put_nowait(entry)


class Subscription:
    """One viewer of one stream: first the backlog (XRANGE), then live entries from the hub, each once."""

    def __init__(self, hub: Hub, key: str, after: str) -> None:
        self.hub, self.key, self.last = hub, key, after
        self.queue: asyncio.Queue[Entry] = asyncio.Queue()
        self.backlog: collections.deque[Entry] = collections.deque()

    async def __aenter__(self) -> Subscription:
        await self.hub._watch(self.key, self.queue)  # first, so nothing falls between backlog and live
        try:
            start = "-" if self.last == "0" else f"({self.last}"
            self.backlog.extend(await self.hub.client.xrange(self.key, min=start))
        except BaseException:  # cancelled (the viewer left) or Redis failed: no longer a viewer
            self.hub._unwatch(self.key, self.queue)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.hub._unwatch(self.key, self.queue)

    async def next(self, timeout: float) -> Entry | None:
        """The next entry, or None after `timeout` seconds without one."""
        while True:
            if self.backlog:
                entry = self.backlog.popleft()
            else:
                try:
                    entry = await asyncio.wait_for(self.queue.get(), timeout)
                except TimeoutError:
                    return None
            if self.last == "0" or entry_key(entry[0]) > entry_key(self.last):  # not seen yet
                self.last = entry[0]
                return entry


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (a server process has one loop; tests may run several)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
