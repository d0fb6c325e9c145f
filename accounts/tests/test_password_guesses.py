"""Password guesses are limited where django-axes' lock per username does not reach: the old password on the
password-change form, and log-ins from one address across many usernames. Look-alike names, small capitals
and a capital i for an l included, are refused."""

import html

import pytest
from django.contrib.auth import get_user_model

from .test_login_throttle import LOCKED


def change(client, old: str):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": "a new horse 22",
                       "new_password2": "a new horse 22"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip


@pytest.mark.django_db
class PasswordGuessTests:
    def test_the_old_password_cannot_be_guessed_without_end(self, client, student, settings):
        client.force_login(student)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            assert change(client, "a guess").status_code == 200  # the form again, with its error
        paused = change(client, "correct horse 1")  # even the right one, now
        assert paused.status_code == 429 and LOCKED in html.unescape(paused.content.decode())
        student.refresh_from_db()
        assert student.check_password("correct horse 1")

    def test_a_right_old_password_changes_it_and_clears_the_count(self, client, student, settings):
        client.force_login(student)
        change(client, "a guess")
        assert change(client, "correct horse 1").status_code == 302

    def test_one_address_cannot_try_many_usernames_without_end(
        self, client, student, settings, django_user_model
    ):
        settings.LOGIN_FAILURES_PER_ADDRESS = 6
        for n in range(6):  # six names, once each: no username reaches its own limit
            django_user_model.objects.create_user(f"learner{n}", password="correct horse 1")
            client.post("/accounts/login/", {"username": f"learner{n}", "password": "nope"})
        paused = client.post("/accounts/login/", {"username": "student", "password": "correct horse 1"},
                             HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert paused.status_code == 429 and LOCKED in html.unescape(paused.content.decode())
        elsewhere = client.post("/accounts/login/", {"username": "student", "password": "correct horse 1"},
                                REMOTE_ADDR="203.0.113.9")  # fmt: skip
        assert elsewhere.status_code == 302


@pytest.mark.django_db
class LookAlikeNameTests:
    @pytest.mark.parametrize("look_alike", ["aIice", "ᴀlice", "ᴀʟɪᴄᴇ", "AIice", "a1ice"])
    def test_a_name_like_an_existing_one_is_refused(self, client, look_alike):
        get_user_model().objects.create_user("alice", password="correct horse 1")
        response = client.post("/accounts/signup/", {"username": look_alike, "password1": "correct horse 1",
                               "password2": "correct horse 1"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 400 and "looks too much like" in response.content.decode()
        assert get_user_model().objects.count() == 1
