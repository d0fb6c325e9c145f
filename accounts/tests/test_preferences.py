"""A learner's preferences: the language and theme they chose, kept in their account."""

import pytest

from accounts.models import Preferences


@pytest.mark.django_db
class PreferencesTests:
    def test_it_saves_a_theme_and_tells_it_in_the_readers_own_answer(self, client, student):
        client.force_login(student)
        saved = client.post("/api/me/preferences/", {"theme": "dark"}, content_type="application/json")
        assert saved.status_code == 200, saved.content
        assert saved.json() == {"language": "", "theme": "dark"}
        assert client.get("/api/me/").json()["preferences"] == {"language": "", "theme": "dark"}

    def test_it_refuses_a_theme_or_language_it_does_not_have_and_changes_nothing(self, client, student):
        client.force_login(student)
        for body in ({"theme": "neon"}, {"language": "fr"}, {"theme": ["dark"]}, {"theme": None}):
            answer = client.post("/api/me/preferences/", body, content_type="application/json")
            assert answer.status_code == 400, body
        assert not Preferences.objects.filter(user=student).exists()

    def test_a_visitor_has_no_preferences_to_save(self, client):
        answer = client.post("/api/me/preferences/", {"theme": "dark"}, content_type="application/json")
        assert answer.status_code in (401, 403)
        assert client.get("/api/me/").json()["preferences"] is None

    def test_a_language_switch_from_another_site_changes_no_account(self, student):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(student)
        answer = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert answer.status_code == 302  # the switch itself works, for this browser
        assert not Preferences.objects.filter(user=student).exists()

    def test_a_language_switch_with_the_learners_token_is_saved(self, student):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(student)
        token = browser.get("/api/me/").json()["csrf_token"]
        browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token})
        assert Preferences.objects.get(user=student).language == "zh-hans"

    def test_a_script_with_the_learners_token_is_answered_in_their_saved_language(self, client, student):
        """A notebook's HTTP library sends no language of its own choosing: the account's is used."""
        from rest_framework.authtoken.models import Token

        Preferences.objects.create(user=student, language="en")
        key = Token.objects.create(user=student).key
        answer = client.post("/api/jobs/", {"lab": "nope"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
        assert answer.status_code == 400 and answer["Content-Language"] == "en"
        Preferences.objects.filter(user=student).update(language="zh-hans")
        answer = client.post("/api/jobs/", {"lab": "nope"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert answer["Content-Language"] == "zh-hans"

    def test_the_password_reset_email_is_in_the_learners_language(self, client, student, mailoutbox):
        from django.core import mail

        student.email = "student@example.com"
        student.save()
        Preferences.objects.create(user=student, language="zh-hans")
        client.post("/accounts/password/reset/", {"email": "student@example.com"}, HTTP_ACCEPT_LANGUAGE="en")
        assert len(mail.outbox) == 1
        assert any("\u4e00" <= ch <= "\u9fff" for ch in mail.outbox[0].subject + mail.outbox[0].body)
