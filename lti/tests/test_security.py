"""Every launch this tool must not accept is refused with a clear page in the reader's language, and
nothing — no account, no class, no LMS user — is created."""

import pytest
from django.contrib.auth import get_user_model
from lti_tool.models import LtiContext, LtiUser

from classes.models import Class

from .conftest import login
from .platform import INSTRUCTOR, LEARNER, new_key


def counts() -> tuple[int, ...]:
    return (get_user_model().objects.count(), Class.objects.count(), LtiUser.objects.count(),
            LtiContext.objects.count())  # fmt: skip


def refused(answer, words: str) -> None:
    assert answer.status_code == 403, answer.content
    page = answer.content.decode()
    assert words in page, page
    assert "Nothing was recorded" in page


@pytest.mark.django_db
class LaunchSecurityTests:
    def post(self, client, lms, *, state=None, **token):
        got_state, nonce, path = login(client, lms)
        token.setdefault("sub", "learner-1")
        token.setdefault("roles", [LEARNER])
        token.setdefault("nonce", nonce)
        signed = lms.id_token(**token)
        return client.post(path, {"id_token": signed, "state": state or got_state}, HTTP_ACCEPT_LANGUAGE="en")

    def test_it_refuses_a_replayed_nonce(self, client, lms, registered):
        state, nonce, path = login(client, lms)
        token = lms.id_token(nonce=nonce, sub="learner-1", roles=[LEARNER])
        assert client.post(path, {"id_token": token, "state": state}).status_code == 302
        client.logout()
        before = counts()
        again = client.post(path, {"id_token": token, "state": state}, HTTP_ACCEPT_LANGUAGE="en")
        refused(again, "already used or has expired")
        assert counts() == before

    def test_it_refuses_a_wrong_issuer(self, client, lms, registered):
        refused(self.post(client, lms, iss="https://evil.example"), "not registered here")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_a_wrong_audience(self, client, lms, registered):
        refused(self.post(client, lms, aud=["someone-else"], azp="someone-else"), "not registered here")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_an_unknown_key_id(self, client, lms, registered):
        refused(self.post(client, lms, kid="not-published"), "key the learning platform does not publish")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_a_token_signed_by_another_key(self, client, lms, registered):
        other, _public = new_key("platform-key-1")
        refused(self.post(client, lms, key=other), "signature or contents are not valid")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_an_expired_token(self, client, lms, registered):
        refused(self.post(client, lms, exp=1_000_000_000, iat=999_999_000), "has expired")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_an_unsigned_token(self, client, lms, registered):
        refused(self.post(client, lms, algorithm="none"), "not signed")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_a_state_that_this_browser_did_not_start(self, client, lms, registered):
        refused(self.post(client, lms, state="state-forged"), "does not match the login")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_an_unregistered_deployment(self, client, lms, registered):
        lms.deployment_id = "deployment-nobody-registered"
        refused(self.post(client, lms), "deployment of the tool is not registered")
        assert counts() == (0, 0, 0, 0)
        assert registered.deployments.count() == 1  # not made on first sight, as django-lti would

    def test_it_refuses_a_learner_asking_to_place_activities(self, client, lms, registered):
        refused(self.post(client, lms, message="LtiDeepLinkingRequest"), "teachers can")
        assert counts() == (0, 0, 0, 0)

    def test_it_refuses_a_learner_asking_for_the_scores_page(self, client, lms, registered):
        answer = self.post(
            client, lms, **{"https://purl.imsglobal.org/spec/lti/claim/custom": {"view": "scores"}}
        )
        refused(answer, "teachers can")
        assert counts() == (0, 0, 0, 0)

    def test_a_refusal_speaks_the_readers_language(self, client, lms, registered):
        state, nonce, path = login(client, lms)
        token = lms.id_token(nonce=nonce, sub="learner-1", roles=[LEARNER], iss="https://evil.example")
        page = client.post(path, {"id_token": token, "state": state}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 403
        assert (
            "学习平台的请求被拒绝" in page.content.decode()
            and "此学习平台尚未在这里注册" in page.content.decode()
        )

    def test_a_teacher_is_let_in(self, client, lms, registered):
        assert self.post(client, lms, roles=[INSTRUCTOR], sub="teacher-1").status_code == 302
