"""A launch: the LMS user becomes a platform account (issuer + subject, never e-mail), the LMS course a class
with its teachers and learners by role; inside the LMS's frame the activity opens in a new window."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from lti_tool.models import LtiUser

from classes.models import Class, is_teacher
from lti.models import Course

from .conftest import launch
from .platform import INSTRUCTOR, LEARNER

FRAMED = {"HTTP_SEC_FETCH_DEST": "iframe"}
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0", "REMOTE_ADDR": "198.51.100.7"}


@pytest.mark.django_db
class LaunchTests:
    def test_it_makes_a_teacher_an_account_and_the_course_a_class(self, client, lms, registered):
        answer = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        assert answer.status_code == 302
        teacher = LtiUser.objects.get(sub="teacher-1").auth_user
        assert not teacher.has_usable_password() and is_teacher(teacher)
        assert teacher.username.startswith("teacher-1-example-")  # the LMS's name, readable in class pages
        klass = Class.objects.get()
        assert klass.name == "Physics 101" and klass.teacher == teacher
        assert answer["Location"] == f"/lti/courses/{klass.lti_course.pk}/"
        assert client.get(answer["Location"]).status_code == 200
        class_page = client.get(klass.get_absolute_url()).content.decode()
        assert reverse("lti_scores", args=[klass.lti_course.pk]) in class_page

    def test_it_makes_a_learner_a_member_of_the_class(self, client, lms, registered):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        client.logout()
        answer = launch(client, lms, sub="learner-1", roles=[LEARNER])
        assert answer.status_code == 302
        learner = LtiUser.objects.get(sub="learner-1").auth_user
        assert list(Course.objects.get().klass.learners.all()) == [learner]
        assert not is_teacher(learner)

    def test_it_links_by_issuer_and_subject_never_by_email(self, client, lms, registered):
        launch(client, lms, sub="learner-1", roles=[LEARNER])
        launch(client, lms, sub="learner-1", roles=[LEARNER])
        assert get_user_model().objects.count() == 1
        assert lms.key_set_reads == 1  # the LMS's key set is kept a few minutes, not read at every launch
        launch(client, lms, sub="learner-2", roles=[LEARNER], email="learner-1@school.example")
        assert get_user_model().objects.count() == 2

    def test_in_the_lms_frame_it_opens_the_activity_in_a_new_window(self, client, lms, registered):
        answer = launch(client, lms, sub="learner-1", roles=[LEARNER], headers={**FRAMED, **BROWSER})
        assert answer.status_code == 200 and "_auth_user_id" not in client.session
        assert f"frame-ancestors {lms.url}" in answer["Content-Security-Policy"]
        link = answer.context["url"]
        assert 'target="_blank"' in answer.content.decode()
        opened = client.get(link, **BROWSER)
        assert opened.status_code == 302 and client.session["_auth_user_id"]
        assert client.get(link, HTTP_ACCEPT_LANGUAGE="en", **BROWSER).status_code == 403  # once only

    @pytest.mark.parametrize(
        "other",
        [
            {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"},
            {"REMOTE_ADDR": "203.0.113.66"},
            # A forged X-Forwarded-For is not believed (TRUSTED_PROXIES=0): the address is the socket's.
            {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": BROWSER["REMOTE_ADDR"]},
        ],
    )
    @override_settings(TRUSTED_PROXIES=0)
    def test_the_new_window_link_works_in_the_launching_browser_only(self, client, lms, registered, other):
        answer = launch(client, lms, sub="learner-1", roles=[LEARNER], headers={**FRAMED, **BROWSER})
        link = answer.context["url"]
        handed_on = client.get(link, HTTP_ACCEPT_LANGUAGE="en", **{**BROWSER, **other})
        assert handed_on.status_code == 403 and "_auth_user_id" not in client.session
        assert "works only in the browser that opened the activity" in handed_on.content.decode()
        chinese = client.get(link, HTTP_ACCEPT_LANGUAGE="zh-hans", **BROWSER)  # burnt by the attempt
        assert chinese.status_code == 403 and "已被使用或已过期" in chinese.content.decode()
        assert "_auth_user_id" not in client.session

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_a_proxy_the_link_is_bound_to_the_address_the_proxy_saw(self, client, lms, registered):
        proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_USER_AGENT": BROWSER["HTTP_USER_AGENT"]}
        framed = {**FRAMED, **proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
        link = launch(client, lms, sub="learner-1", roles=[LEARNER], headers=framed).context["url"]
        other = client.get(link, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
        assert other.status_code == 403 and "_auth_user_id" not in client.session
        link = launch(client, lms, sub="learner-1", roles=[LEARNER], headers=framed).context["url"]
        same = client.get(link, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", **proxy)
        assert same.status_code == 302 and client.session["_auth_user_id"]

    def test_every_instructor_of_the_course_teaches_its_class(self, client, lms, registered):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        client.logout()
        launch(client, lms, sub="teacher-2", roles=["Instructor"])
        klass = Class.objects.get()
        assert klass.teacher.lti_users.get().sub == "teacher-1"
        assert client.get(klass.get_absolute_url()).status_code == 200
        assert client.get(reverse("classes")).content.decode().count(klass.get_absolute_url()) == 1

    def test_a_teachers_launch_can_ask_for_the_scores_page(self, client, lms, registered):
        custom = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"view": "scores"}}
        answer = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR], **custom)
        assert answer["Location"] == reverse("lti_scores", args=[Course.objects.get().pk])

    def test_over_https_its_cookies_are_made_for_the_lms_frame(self, client, lms, registered):
        login = client.get(
            "/lti/login/", lms.login_params(target="https://testserver/lti/launch/"), secure=True
        )
        assert login.status_code == 302
        made = {name: morsel for name, morsel in login.cookies.items() if name.startswith("lti1p3-")}
        assert made and all(m["samesite"] == "None" and m["secure"] and m["httponly"] for m in made.values())
        query = parse_qs(urlsplit(login["Location"]).query)
        token = lms.id_token(nonce=query["nonce"][0], sub="learner-1", roles=[LEARNER])
        answer = client.post("/lti/launch/", {"id_token": token, "state": query["state"][0]}, secure=True)
        assert answer.status_code == 302

    def test_over_https_a_launch_without_the_logins_cookies_is_refused(self, client, lms, registered):
        login = client.get(
            "/lti/login/", lms.login_params(target="https://testserver/lti/launch/"), secure=True
        )
        query = parse_qs(urlsplit(login["Location"]).query)
        token = lms.id_token(nonce=query["nonce"][0], sub="learner-1", roles=[LEARNER])
        client.cookies.clear()
        answer = client.post("/lti/launch/", {"id_token": token, "state": query["state"][0]}, secure=True,
                             HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert answer.status_code == 403, answer.content
        assert "did not keep its cookie" in answer.content.decode(), answer.content.decode()[-1500:]
        assert not LtiUser.objects.exists()
