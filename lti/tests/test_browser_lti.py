"""In a real browser: the LMS's course page (another site) shows the tool in a frame. Where the browser keeps
no cookie of ours in that frame, the tool offers a new window; the login, the launch and the activity then
run there, signed in."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from .platform import INSTRUCTOR, LmsPlatform


@pytest.fixture
def framing_lms(transactional_db):
    """The LMS, at http://localhost:<port>: another site than the tool's 127.0.0.1."""
    platform = LmsPlatform(host="localhost")
    yield platform
    platform.close()


@pytest.mark.browser
class FramedLaunchTests:
    def test_a_learner_opens_the_activity_from_the_lms_frame(self, page, framing_lms, course):
        from lti_tool.models import LtiDeployment, LtiRegistration

        lms = framing_lms
        registration = LtiRegistration.objects.create(
            name="Test LMS", issuer=lms.issuer, client_id=lms.client_id, auth_url=f"{lms.url}/auth",
            token_url=f"{lms.url}/token", keyset_url=f"{lms.url}/jwks",
        )  # fmt: skip
        LtiDeployment.objects.create(
            registration=registration, deployment_id=lms.deployment_id, is_active=True
        )
        lms.tool_login = f"{page.base}/lti/login/"
        page.goto(f"{lms.url}/course")
        frame = page.frame_locator("#tool")
        link = frame.get_by_role("link", name="Open in a new window")
        expect(
            link
        ).to_be_visible()  # the frame was allowed (frame-ancestors) and found no cookie of ours there
        expect(frame.get_by_text("Open it in a window of its own")).to_be_visible()
        with page.context.expect_page() as opened:
            link.click()
        window = opened.value
        window.wait_for_load_state()
        expect(window).to_have_url(f"{page.base}/")
        assert window.evaluate("document.body.dataset.user") == "member"

    def test_a_teacher_places_a_quiz_and_the_browser_brings_it_back_to_the_lms(
        self, page, framing_lms, course
    ):
        from lti_tool.models import LtiDeployment, LtiRegistration

        from lti.services import tool_keys

        lms = framing_lms
        registration = LtiRegistration.objects.create(
            name="Test LMS", issuer=lms.issuer, client_id=lms.client_id, auth_url=f"{lms.url}/auth",
            token_url=f"{lms.url}/token", keyset_url=f"{lms.url}/jwks",
        )  # fmt: skip
        LtiDeployment.objects.create(
            registration=registration, deployment_id=lms.deployment_id, is_active=True
        )
        lms.tool_jwks = tool_keys()
        lms.browser_user = ("teacher-1", [INSTRUCTOR])
        lms.browser_message = "LtiDeepLinkingRequest"
        query = urlencode(lms.login_params(target=f"{page.base}/lti/launch/"))
        page.goto(f"{page.base}/lti/login/?{query}")  # the LMS's "Select content", in a window of its own
        expect(page.get_by_role("heading", name="Place activities in your course")).to_be_visible()
        page.get_by_role("checkbox", name="Gradient descent").first.check()
        page.get_by_role("button", name="Place in the course").click()
        expect(
            page.get_by_role("heading", name="Placed in Physics 101")
        ).to_be_visible()  # CSP let the form go
        assert [item["type"] for item in lms.placed] == ["ltiResourceLink"]
        assert lms.placed[0]["custom"]["placement"] and lms.placed[0]["url"] == f"{page.base}/lti/launch/"
