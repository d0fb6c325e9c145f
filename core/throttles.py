"""Every write through the API is throttled: per address for anonymous clients, per learner once signed in
(rates in settings.REST_FRAMEWORK). Reads are not: pages and the API serve many readers behind one address."""

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AnonymousWriteThrottle(AnonRateThrottle):
    scope = "anonymous-write"

    def allow_request(self, request: Request, view) -> bool:
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class LearnerWriteThrottle(UserRateThrottle):
    scope = "learner-write"

    def allow_request(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return True
        return super().allow_request(request, view)
