"""Accounts: usernames normalised (NFKC) and look-alikes refused, emails unique, password reset by email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse


def signup(client, username: str, email: str = ""):
    return client.post(reverse("signup"), {"username": username, "email": email, "password1": "a long passphrase 9",
                       "password2": "a long passphrase 9"}, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip


@pytest.mark.django_db
class SignupNameTests:
    def test_a_username_is_stored_nfkc_normalised(self, client):
        assert signup(client, "ａｄａ２").status_code == 302
        assert get_user_model().objects.filter(username="ada2").exists()

    @pytest.mark.parametrize("look_alike", ["аda", "ADA", "Ada", "ɑda"])  # Cyrillic а, capitals, Latin alpha
    def test_a_name_that_looks_like_an_existing_one_is_refused(self, client, look_alike):
        get_user_model().objects.create_user("ada", password="x")
        response = signup(client, look_alike)
        page = response.content.decode()
        assert response.status_code == 400 and ("looks too much like" in page or "already exists" in page)
        assert get_user_model().objects.count() == 1

    def test_different_names_in_any_script_are_welcome(self, client):
        get_user_model().objects.create_user("ada", password="x")
        assert signup(client, "学生").status_code == 302 and signup(client, "adam").status_code in (302,)

    def test_an_email_address_belongs_to_one_account(self, client):
        get_user_model().objects.create_user("ada", email="ada@example.com", password="x")
        response = signup(client, "grace", "ADA@example.com")
        assert response.status_code == 400 and "Another account uses this email" in response.content.decode()
        assert signup(client, "grace", "").status_code == 302  # no address at all is fine, for anyone


@pytest.mark.django_db
class PasswordResetTests:
    def test_a_learner_resets_their_password_by_email(self, client, django_user_model, settings):
        django_user_model.objects.create_user("ada", email="ada@example.com", password="an old passphrase 1")
        response = client.post(
            reverse("password_reset"), {"email": "ada@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 302 and len(mail.outbox) == 1
        link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
        form = client.get(link, follow=True)
        assert form.status_code == 200 and "new_password1" in form.content.decode()
        done = client.post(form.redirect_chain[-1][0], {"new_password1": "a new passphrase 2",
                           "new_password2": "a new passphrase 2"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert "Your password has been set" in done.content.decode()
        assert django_user_model.objects.get(username="ada").check_password("a new passphrase 2")
        assert client.get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode().count("invalid") >= 1

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, client):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert response.status_code == 302 and not mail.outbox

    def test_mail_goes_by_smtp_when_a_server_is_named(self):
        import os
        import subprocess
        import sys

        program = (
            "import django; django.setup(); from django.conf import settings as s; print(s.EMAIL_BACKEND)"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "EMAIL_HOST": "smtp.example.com"}
        shown = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60
        )
        assert shown.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
        env.pop("EMAIL_HOST")
        shown = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60
        )
        assert shown.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db
class UniqueEmailTests:
    def test_the_database_holds_one_account_per_address(self, django_user_model):
        from django.db import IntegrityError, transaction

        django_user_model.objects.create_user("ada", email="ada@example.com")
        with pytest.raises(IntegrityError), transaction.atomic():
            django_user_model.objects.create_user("grace", email="Ada@Example.com")
        django_user_model.objects.create_user("alan")
        django_user_model.objects.create_user("edsger")  # no address twice is fine


@pytest.mark.django_db
class FormThrottleTests:
    def test_sign_ups_and_reset_mails_from_one_address_are_throttled(self, client, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "anonymous-write": "3/minute", "learner-write": "3/minute"}}  # fmt: skip
        codes = []
        for n in range(3):
            codes.append(signup(client, f"learner{n}").status_code)
            client.logout()
        refused = signup(client, "one-too-many")
        assert codes == [302, 302, 302] and refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert get_user_model().objects.count() == 3
        assert client.post(reverse("password_reset"), {"email": "a@example.com"}).status_code == 429
        assert not mail.outbox
