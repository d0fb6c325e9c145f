"""One Redis connection pool per process, for the event streams, cancel flags and worker heartbeats."""

from functools import cache

import redis
import redis.asyncio
from django.conf import settings


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, health_check_interval=30)


def async_client() -> redis.asyncio.Redis:
    """A client for the running event loop; asyncio connections cannot be shared across loops."""
    return redis.asyncio.Redis.from_url(settings.REDIS_URL, decode_responses=True)
