"""pylti1p3 (through django-lti) validates a launch; this module adds what a well-behaved tool needs on top:
a deployment the admin never registered is refused instead of being created, a nonce is good for one launch
only (pylti1p3 checks that it was issued, not that it is unused), and every failure becomes one translated
`LaunchRefused` with the reason a person can act on.
"""

from __future__ import annotations

import logging

import jwt
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from lti_tool.models import Key, LtiDeployment, LtiLaunch
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.exception import LtiException, OIDCException

from core.errors import UserError

log = logging.getLogger(__name__)

SIGNED = ("RS256", "RS384", "RS512")  # what LTI 1.3 platforms sign with (the spec names RS256); never "none"
KEY_SET_CACHE_S = 300
NONCE_TTL_S = 24 * 3600  # longer than any id_token lives (the LMS's `exp`, minutes)


class LaunchRefused(UserError):
    """A login or launch this tool will not accept; shown as a page in the reader's language."""

    status_code = 403
    code = "lti_refused"


class ToolConfig(DjangoToolConfig):
    """django-lti's registry of platforms, except that it never creates a deployment on first sight: only
    deployments an admin registered (or dynamic registration recorded) and left active are found."""

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        # django-lti signs with the newest key and fails without one: a platform registered by hand in the
        # admin may log in before anyone has read the key set, which makes the first key.
        if not Key.objects.active().exists():
            Key.objects.generate()
        return super().find_registration_by_params(iss, client_id, *args, **kwargs)

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        lookups = {
            "registration__issuer": iss,
            "registration__is_active": True,
            "deployment_id": deployment_id,
            "is_active": True,
        }
        if client_id is not None:
            lookups["registration__client_id"] = client_id
        if self.registration_uuid is not None:
            lookups["registration__uuid"] = self.registration_uuid
        self.deployment = LtiDeployment.objects.filter(**lookups).select_related("registration").first()
        if self.deployment is None:
            return None
        return super().find_deployment_by_params(iss, deployment_id, self.deployment.registration.client_id)


class OneTimeNonces(DjangoSessionService):
    """A nonce that was issued at login and has not been used: the second launch with it is a replay."""

    def check_nonce(self, nonce: str) -> bool:
        return super().check_nonce(nonce) and cache.add(f"lti:nonce-used:{nonce}", 1, NONCE_TTL_S)


NO_STATE = _(
    "This launch does not match the login that started it (or your browser did not keep its cookie). "
    "Open the activity again from your course."
)
USED = _("This launch was already used or has expired. Open the activity again from your course.")
UNREGISTERED = _(
    "This learning platform is not registered here (unknown issuer or client). Ask your administrator to "
    "register it."
)
EXPIRED = _("This launch has expired. Open the activity again from your course.")
UNKNOWN_KEY = _("The launch was signed with a key the learning platform does not publish.")
NOT_A_TOKEN = _("The launch is not a valid signed token.")

# pylti1p3's messages (English, for logs) → what the person in front of the LMS is told.
REASONS = (
    ("State not found", NO_STATE),
    ("Missing state", NO_STATE),
    ("Missing %s cookie", NO_STATE),  # over HTTPS: the launch-data cookie set at login
    ("Invalid Nonce", USED),
    ('"nonce" is empty', USED),
    ("Registration not found", UNREGISTERED),
    ("Client id not registered", UNREGISTERED),
    ("Could not find registration", UNREGISTERED),
    ("Could not find issuer", _("The login request names no learning platform.")),
    ("Could not find login hint", _("The login request is incomplete: it names no user.")),
    (
        "Unable to find deployment",
        _(
            "This deployment of the tool is not registered here, or was switched off. Ask your administrator "
            "to register it."
        ),
    ),
    ("Signature has expired", EXPIRED),
    ("Launch data not found", EXPIRED),
    ("Unable to find public key", UNKNOWN_KEY),
    ("JWT KID not found", UNKNOWN_KEY),
    ("JWT ALG not found", _("The launch is not signed.")),
    ("Can't decode id_token", _("The launch's signature or contents are not valid.")),
    ("Invalid id_token", NOT_A_TOKEN),
    ("Invalid JWT format", NOT_A_TOKEN),
    ("Missing id_token", NOT_A_TOKEN),
)


def refusal(error: Exception) -> LaunchRefused:
    text = str(error)
    log.info("LTI launch refused: %s", text)  # the library's words, for whoever reads the logs
    for fragment, message in REASONS:
        if fragment in text:
            return LaunchRefused(str(message))
    return LaunchRefused(str(_("The learning platform's launch could not be accepted.")))


def validated_launch(request: HttpRequest) -> LtiLaunch:
    """The launch in this POST, validated (state, signature, issuer, audience, key, expiry, nonce once,
    registered deployment), or LaunchRefused."""
    if request.method != "POST" or "id_token" not in request.POST:
        raise LaunchRefused(str(NOT_A_TOKEN))
    try:
        algorithm = jwt.get_unverified_header(request.POST["id_token"]).get("alg")
    except jwt.InvalidTokenError:
        algorithm = None
    if algorithm not in SIGNED:
        raise LaunchRefused(str(_("The launch is not signed.")))
    try:
        # Over HTTPS the launch's data is keyed by a cookie set at login: its absence raises here already.
        message_launch = DjangoMessageLaunch(
            request,
            ToolConfig(),
            session_service=OneTimeNonces(request),
            launch_data_storage=DjangoCacheDataStorage(),
        )
        # The LMS's key set, read once per KEY_SET_CACHE_S rather than at every launch; short, so that a key
        # the LMS rotated in is known within minutes (Canvas publishes its next key ahead of using it).
        message_launch.set_public_key_caching(DjangoCacheDataStorage(), cache_lifetime=KEY_SET_CACHE_S)
        message_launch.validate()
    except (LtiException, OIDCException) as error:
        raise refusal(error) from error
    return LtiLaunch(message_launch)


def stored_launch(request: HttpRequest, launch_id: str) -> LtiLaunch:
    """A launch validated earlier in this browser (deep linking continues from it), or LaunchRefused."""
    try:
        message_launch = DjangoMessageLaunch.from_cache(
            launch_id, request, ToolConfig(), launch_data_storage=DjangoCacheDataStorage()
        )
    except (LtiException, OIDCException) as error:
        raise refusal(error) from error
    return LtiLaunch(message_launch)
