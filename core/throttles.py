"""Every write through the API is throttled: per address for anonymous clients, per learner once signed in
(rates in settings.REST_FRAMEWORK). Reads are not: pages and the API serve many readers behind one address."""

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
