"""Live Celery workers, as each announces itself in Redis every few seconds.

/healthz and the job form read this registry instead of broadcasting a ping to every worker and waiting
for answers; a worker that dies stops refreshing its key, which expires within WORKER_TTL seconds.
"""

import contextlib
import json
import os
import threading
import time

import redis
from celery.signals import worker_ready, worker_shutdown

from . import redis_clients

WORKER_TTL = 15
KEY = "workers:{}"
_stop = threading.Event()


def announce(hostname: str, queues: list[str]) -> None:
    redis_clients.client().set(
        KEY.format(hostname), json.dumps({"queues": queues, "pid": os.getpid()}), ex=WORKER_TTL
    )


def live_workers(client: redis.Redis | None = None) -> dict[str, list[str]]:
    """Queue name -> hostnames of live workers consuming it (always with `cpu` and `gpu`)."""
    client = client or redis_clients.client()
    by_queue: dict[str, list[str]] = {"cpu": [], "gpu": []}
    keys = sorted(client.scan_iter(KEY.format("*"), count=500))
    for key, value in zip(keys, client.mget(keys) if keys else [], strict=True):
        if value is None:
            continue
        for queue in json.loads(value)["queues"]:
            by_queue.setdefault(queue, []).append(key.removeprefix(KEY.format("")))
    return by_queue


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
                announce(hostname, queues)
            _stop.wait(WORKER_TTL / 3)

    threading.Thread(target=beat, name="worker-heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(sender, **kwargs) -> None:
    _stop.set()
    with contextlib.suppress(Exception):
        redis_clients.client().delete(KEY.format(sender.hostname))
