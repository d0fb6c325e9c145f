"""One Redis connection pool per process, for cancel flags, heartbeats and writing event streams (the
event-stream readers share one asyncio connection per process: trainer/hub.py), and one asyncio client per
event loop for what the server's own loop reads (core/documents.py)."""

import asyncio
from functools import cache

import redis
import redis.asyncio
from django.conf import settings
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


@cache
def client() -> redis.Redis:
    """For requests: a Redis that is down is reported at once (/healthz, a cancel), not waited for."""
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, health_check_interval=30)


CHECK_TIMEOUT_S = 2.0


@cache
def checking_client() -> redis.Redis:
    """For /healthz: an answer within CHECK_TIMEOUT_S or an error, never a wait (a frozen Redis accepts the
    connection and then says nothing)."""
    return redis.Redis.from_url(
        settings.REDIS_URL,
        decode_responses=True,
        socket_timeout=CHECK_TIMEOUT_S,
        socket_connect_timeout=CHECK_TIMEOUT_S,
    )


@cache
def patient_client() -> redis.Redis:
    """For a training run's stream, claim and heartbeat: a Redis restart (a few seconds) is waited out,
    retrying for about 8 s, rather than failing a run that may have trained for minutes."""
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=12)
    return redis.Redis.from_url(
        settings.REDIS_URL, decode_responses=True, health_check_interval=30, retry=retry
    )


_async_clients: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}


def async_client() -> redis.asyncio.Redis:
    """For code on the server's event loop: its connections belong to that loop (one per process under
    uvicorn; tests may run several)."""
    loop = asyncio.get_running_loop()
    if loop not in _async_clients:
        _async_clients[loop] = redis.asyncio.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    return _async_clients[loop]
