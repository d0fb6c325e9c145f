"""Registration: dynamic (the address an LMS administrator pastes), manual rows in the admin, the key set,
key rotation, and who may frame the LMS-facing pages."""

import pytest
from django.core.management import call_command
from lti_tool.models import LtiDeployment, LtiRegistration

from .conftest import LAUNCH, launch, registration_link
from .platform import LEARNER


@pytest.mark.django_db
class RegistrationTests:
    def test_it_registers_with_the_lms_and_records_its_deployment(self, client, lms, registered):
        assert registered.is_active and registered.client_id == lms.client_id
        assert registered.keyset_url == f"{lms.url}/jwks" and registered.token_url == f"{lms.url}/token"
        assert LtiDeployment.objects.get(registration=registered).deployment_id == lms.deployment_id
        assert [o.origin for o in registered.frame_origins.all()] == [lms.url]  # where it registered from
        assert lms.tool["jwks_uri"] == "http://testserver/lti/jwks/"
        assert lms.tool["initiate_login_uri"] == "http://testserver/lti/login/"
        assert lms.tool["redirect_uris"] == [LAUNCH]
        assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in lms.tool["scope"]
        assert len(lms.tool_jwks["keys"]) == 1 and lms.tool_jwks["keys"][0]["alg"] == "RS256"

    def test_it_refuses_a_registration_without_a_valid_link(self, client, lms):
        answer = client.get("/lti/register/forged/", lms.registration_query(), HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 403
        assert "registration link is not valid" in answer.content.decode()
        assert not LtiRegistration.objects.exists() and not lms.tool

    def test_rotating_keys_publishes_the_new_key_beside_the_old(self, client, registered):
        before = {key["kid"] for key in client.get("/lti/jwks/").json()["keys"]}
        call_command("rotate_keys", "--deactivate-after", "7")
        after = {key["kid"] for key in client.get("/lti/jwks/").json()["keys"]}
        assert before < after and len(after) == 2

    def test_only_registered_platforms_may_frame_the_login(self, client, lms, registered):
        framed = client.get("/lti/login/", lms.login_params(target=LAUNCH), HTTP_SEC_FETCH_DEST="iframe")
        assert framed.status_code == 200
        policy = framed["Content-Security-Policy"]
        assert f"frame-ancestors {lms.url}" in policy and "X-Frame-Options" not in framed
        assert "lti1p3_new_window=1" in framed.content.decode()  # the new-window way, without cookies
        assert "frame-ancestors 'none'" in client.get("/").get(
            "Content-Security-Policy", "frame-ancestors 'none'"
        )
        registered.is_active = False
        registered.save()
        assert (
            "frame-ancestors 'none'"
            in client.get("/lti/login/", lms.login_params(target=LAUNCH), HTTP_SEC_FETCH_DEST="iframe")[
                "Content-Security-Policy"
            ]
        )

    def test_a_platform_that_refuses_the_registration_is_a_clear_page(self, client, lms):
        query = {**lms.registration_query(), "registration_token": "expired-token"}
        answer = client.get(registration_link(), query, HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 400
        assert "did not complete the registration" in answer.content.decode()
        assert not LtiRegistration.objects.exists()

    def test_an_admin_registers_a_platform_by_hand(self, admin_client, client, lms):
        """An LMS without dynamic registration: the admin's page for it, with a deployment and the addresses
        that may frame the tool; then a launch goes through."""
        page = admin_client.get("/admin/lti_tool/ltiregistration/add/", HTTP_ACCEPT_LANGUAGE="en")
        assert (
            page.status_code == 200 and "addresses allowed to frame the tool" in page.content.decode().lower()
        )
        registration = LtiRegistration.objects.create(
            name="School Moodle", issuer=lms.issuer, client_id=lms.client_id, auth_url=f"{lms.url}/auth",
            token_url=f"{lms.url}/token", keyset_url=f"{lms.url}/jwks",
        )  # fmt: skip
        LtiDeployment.objects.create(
            registration=registration, deployment_id=lms.deployment_id, is_active=True
        )
        assert launch(client, lms, sub="learner-1", roles=[LEARNER]).status_code == 302
