"""One Redis connection pool per process, for cancel flags, heartbeats and writing event streams (the
event-stream readers share one asyncio connection per process: trainer/hub.py)."""

import threading
from functools import cache, cached_property

import redis
from django.conf import settings
from django.core.cache.backends import redis as redis_cache
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


@cache
def client() -> redis.Redis:
    """For requests: a Redis that is down is reported at once (/healthz, a cancel), not waited for."""
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, health_check_interval=30)


@cache
def patient_client() -> redis.Redis:
    """For a training run's stream, claim and heartbeat: a Redis restart (a few seconds) is waited out,
    retrying for about 8 s, rather than failing a run that may have trained for minutes."""
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=12)
    return redis.Redis.from_url(
        settings.REDIS_URL, decode_responses=True, health_check_interval=30, retry=retry
    )


class RedisCache(redis_cache.RedisCache):
    """Django's Redis cache (and so the sessions) with one client per process.

    Under ASGI, Django builds a new cache object for every request (each request runs in its own thread
    context): each would open its own connection pool, and a new connection, per request, and Django's client
    builds a new `redis.Redis` (with its table of 170 reply parsers) for every command.
    """

    _clients: dict[str, redis_cache.RedisCacheClient] = {}
    _lock = threading.Lock()

    @cached_property
    def _cache(self) -> redis_cache.RedisCacheClient:
        key = repr((self._servers, sorted(self._options.items())))
        with self._lock:
            if key not in self._clients:
                self._clients[key] = OneClient(self._servers, **self._options)
            return self._clients[key]


class OneClient(redis_cache.RedisCacheClient):
    """One `redis.Redis` for every command, over the one pool (a single server: reads and writes alike)."""

    def __init__(self, servers: list[str], **options) -> None:
        if len(servers) != 1:
            raise ValueError("one Redis server for the cache")
        super().__init__(servers, **options)

    @cached_property
    def _redis(self) -> redis.Redis:
        return self._client(connection_pool=self._get_connection_pool(write=True))

    def get_client(self, key=None, *, write=False) -> redis.Redis:
        return self._redis
