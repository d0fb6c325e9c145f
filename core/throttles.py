"""Every write through the API is throttled: per address for anonymous clients, per learner once signed in
(rates in settings.REST_FRAMEWORK). Reads are not: pages and the API serve many readers behind one address."""

import math
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class RateFromSettings:
    """The rate read when the throttle is made, not when DRF's module was imported (tests change it)."""

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonymousWriteThrottle(RateFromSettings, AnonRateThrottle):
    scope = "anonymous-write"

    def allow_request(self, request: Request, view) -> bool:
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class LearnerWriteThrottle(RateFromSettings, UserRateThrottle):
    scope = "learner-write"

    def allow_request(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return True
        return super().allow_request(request, view)


def throttle_writes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The same throttles on a page's form posts (sign-up, password reset: what an anonymous client can repeat
    to fill the database or someone's inbox): 429 with Retry-After, nothing done."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            for throttle in (AnonymousWriteThrottle(), LearnerWriteThrottle()):
                if not throttle.allow_request(request, None):
                    response = render(request, "429.html", status=429)
                    response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
                    return response
        return view(request, *args, **kwargs)

    return wrapped


class AcceptedRate:
    """How often one learner may do something, counting only what was accepted: a request refused as invalid
    or over another limit costs them nothing, which DRF's throttles (counting every request they allow) do
    not offer. `allows()` before, `record()` once accepted, `wait()` for the Retry-After. The times of the
    recent accepted ones are kept in Django's cache; `rate` is written as DRF's are ("60/hour")."""

    PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def __init__(self, scope: str, rate: str, user_id: int) -> None:
        count, period = rate.split("/")
        self.count, self.period = int(count), self.PERIODS[period[0]]
        self.key = f"accepted-rate:{scope}:{user_id}"

    def _recent(self, now: float) -> list[float]:
        """The accepted times inside the window, newest first."""
        return [t for t in cache.get(self.key, []) if t > now - self.period]

    def allows(self) -> bool:
        return len(self._recent(time.time())) < self.count

    def wait(self) -> float:
        """Seconds until the oldest accepted time in the window leaves it (at least one)."""
        now = time.time()
        recent = self._recent(now)
        if len(recent) < self.count:
            return 0.0
        return max(1.0, recent[self.count - 1] + self.period - now)

    def record(self) -> None:
        now = time.time()
        cache.set(self.key, [now, *self._recent(now)][: self.count], self.period)
