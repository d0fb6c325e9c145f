"""Who the client is: the socket's address, unless the settings say proxies in front of us vouch for another."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from. X-Forwarded-For is read only when TRUSTED_PROXIES says how many
    proxies append to it: then the entry that many places from the right is the one the outermost trusted
    proxy saw (entries further left are whatever the client wrote). The same rule as DRF's NUM_PROXIES,
    which the throttles use."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(proxies, len(hops))] or remote
