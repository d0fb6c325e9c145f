"""An LMS of our own (platform.py) registered with the tool through dynamic registration, and the steps a
browser takes between them: OIDC login, launch."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from lti_tool.models import LtiRegistration

from .platform import LmsPlatform

LAUNCH = "http://testserver/lti/launch/"


@pytest.fixture
def lms(db):
    """The learning platform (Moodle or Canvas in real life): key set, registration, AGS and NRPS endpoints."""
    platform = LmsPlatform()
    yield platform
    platform.close()


def registration_link() -> str:
    """What `manage.py lti_registration_link` prints for the platform's administrator to hand on."""
    out = io.StringIO()
    call_command("lti_registration_link", "http://testserver", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.fixture
def registered(client, lms) -> LtiRegistration:
    """The LMS, registered by its administrator with the signed dynamic-registration address."""
    answer = client.get(registration_link(), lms.registration_query())
    assert answer.status_code == 200, answer.content
    lms.tool_jwks = client.get("/lti/jwks/").json()
    return LtiRegistration.objects.get(issuer=lms.issuer)


def login(client, lms, **extra):
    """The LMS starts the OIDC login; returns the state, nonce and redirect path the tool asked for."""
    answer = client.get("/lti/login/", lms.login_params(target=LAUNCH), **extra)
    assert answer.status_code == 302, answer.content
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert answer["Location"].startswith(f"{lms.url}/auth?")
    return query["state"][0], query["nonce"][0], urlsplit(query["redirect_uri"][0]).path


def launch(client, lms, *, sub: str, roles: list[str], headers: dict | None = None, **claims):
    """Login, then the LMS's signed launch posted by the browser to the tool."""
    state, nonce, path = login(client, lms)
    token = lms.id_token(nonce=nonce, sub=sub, roles=roles, **claims)
    return client.post(path, {"id_token": token, "state": state}, **(headers or {}))
