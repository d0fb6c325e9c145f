"""Live Celery workers, as each announces itself in Redis every few seconds.

/healthz and the job form read this registry instead of broadcasting a ping to every worker and waiting
for answers; a worker that dies stops refreshing its key, which expires within WORKER_TTL seconds.

Each announcement carries the worker's pace: how much longer a fixed bit of arithmetic takes on its machine
now than the fastest it has taken there (1.0 at rest; 2.0 when other work takes half the processor). Run
estimates (trainer/budget.py) follow it, so that a loaded machine's estimates are a loaded machine's.
"""

import contextlib
import json
import os
import statistics
import threading
import time
from collections import deque

import redis
from celery.signals import worker_ready, worker_shutdown

from . import redis_clients

WORKER_TTL = 15
KEY = "workers:{}"
_stop = threading.Event()


class Pace:
    """This machine's speed now against its best: the median of the last few timings of a fixed piece of
    Python (tens of milliseconds: longer than a scheduler's slice, so that sharing a processor shows) over
    the fastest this process has seen. A worker's children inherit what their parent measured."""

    def __init__(self) -> None:
        self.best = float("inf")
        self.recent: deque[float] = deque(maxlen=3)

    def probe(self) -> float:
        """Times the arithmetic once more; the pace of the last few timings."""
        self._time()
        return self.slowdown()

    def now(self) -> float:
        """The pace of one timing taken now (a run's end, in a child that inherited its parent's timings)."""
        return round(max(1.0, self._time() / self.best), 2)

    def _time(self) -> float:
        started = time.perf_counter()
        sum(i * i for i in range(400_000))
        took = time.perf_counter() - started
        self.best = min(self.best, took)
        self.recent.append(took)
        return took

    def slowdown(self) -> float:
        if not self.recent:
            return 1.0
        return round(max(1.0, statistics.median(self.recent) / self.best), 2)


PACE = Pace()


def announce(hostname: str, queues: list[str], slowdown: float = 1.0) -> None:
    state = {"queues": queues, "pid": os.getpid(), "slowdown": slowdown}
    redis_clients.client().set(KEY.format(hostname), json.dumps(state), ex=WORKER_TTL)


def announced(client: redis.Redis) -> dict[str, dict]:
    """Hostname -> what its worker last announced (queues, pid, pace), for the live ones."""
    keys = sorted(client.scan_iter(KEY.format("*"), count=500))
    values = client.mget(keys) if keys else []
    found = {}
    for key, value in zip(keys, values, strict=True):
        # Only announcements: an older release kept other flags under the same prefix.
        state = json.loads(value) if value is not None else None
        if isinstance(state, dict) and "queues" in state:
            found[key.removeprefix(KEY.format(""))] = state
    return found


def live_workers(client: redis.Redis | None = None) -> dict[str, list[str]]:
    """Queue name -> hostnames of live workers consuming it (always with `cpu` and `gpu`)."""
    by_queue: dict[str, list[str]] = {"cpu": [], "gpu": []}
    for hostname, state in announced(client or redis_clients.client()).items():
        for queue in state["queues"]:
            by_queue.setdefault(queue, []).append(hostname)
    return by_queue


def slowdown(queue: str) -> float:
    """The pace of the least loaded live worker of `queue` (the next run may go to it): 1.0 when none has
    announced one, or while Redis cannot say."""
    try:
        paces = [
            s.get("slowdown", 1.0) for s in announced(redis_clients.client()).values() if queue in s["queues"]
        ]
    except redis.RedisError:
        return 1.0
    return min(paces, default=1.0)


def gpu_worker_alive() -> bool:
    """Whether a GPU worker has announced itself within the last WORKER_TTL seconds; False while Redis cannot
    say (a submission then reports Redis itself)."""
    try:
        return bool(live_workers().get("gpu"))
    except redis.RedisError:
        return False


def beat_state(client: redis.Redis | None = None) -> dict:
    """The scheduler's last tick (config.celery.LockedScheduler records it every few seconds): which beat holds
    the lock, and how many seconds ago it ticked (None when no beat has ever run)."""
    raw = (client or redis_clients.client()).get("beat:tick")
    if raw is None:
        return {"beat": None, "last_tick_s_ago": None}
    tick = json.loads(raw)
    return {"beat": tick["beat"], "last_tick_s_ago": round(max(0.0, time.time() - tick["at"]), 1)}


@worker_ready.connect
def start_heartbeat(sender, **kwargs) -> None:
    hostname = sender.hostname
    queues = sorted(q.name for q in sender.app.amqp.queues.consume_from.values())

    def beat() -> None:
        while not _stop.is_set():
            with contextlib.suppress(Exception):  # Redis restarting: the next beat tries again
                announce(hostname, queues, PACE.probe())
            _stop.wait(WORKER_TTL / 3)

    threading.Thread(target=beat, name="worker-heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(sender, **kwargs) -> None:
    _stop.set()
    with contextlib.suppress(Exception):
        redis_clients.client().delete(KEY.format(sender.hostname))
