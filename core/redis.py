"""One Redis connection pool per process, for cancel flags, heartbeats and writing event streams (the
event-stream readers share one asyncio connection per process: trainer/hub.py)."""

from functools import cache

import redis
from django.conf import settings


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, health_check_interval=30)
