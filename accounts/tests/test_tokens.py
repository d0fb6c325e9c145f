"""API tokens end: on a password change, on `DELETE /api/token/`, from the tokens page, and after
TOKEN_LIFETIME_DAYS."""

from datetime import timedelta

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

REFUSED = (401,)  # with `WWW-Authenticate: Token` (the token class comes first)


def token_for(client) -> str:
    response = client.post("/api/token/", {"username": "student", "password": "correct horse 1"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    return response.json()["token"]


def jobs_with(token: str) -> int:
    return Client().get("/api/jobs/", HTTP_AUTHORIZATION=f"Token {token}").status_code


@pytest.mark.django_db
class TokenTests:
    def test_delete_revokes_the_callers_token(self, client, student):
        token = token_for(client)
        assert jobs_with(token) == 200
        assert Client().delete("/api/token/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
        assert jobs_with(token) in REFUSED
        assert client.delete("/api/token/").status_code == 401  # nobody signed in

    def test_a_password_change_revokes_the_token(self, client, student):
        token = token_for(client)
        client.force_login(student)
        client.post(reverse("password_change"), {"old_password": "correct horse 1",
                    "new_password1": "a new passphrase 7", "new_password2": "a new passphrase 7"})  # fmt: skip
        assert jobs_with(token) in REFUSED and not Token.objects.exists()

    def test_a_password_set_anywhere_revokes_the_token(self, client, student):
        token = token_for(client)
        student.set_password("set by an admin 5")
        student.save()
        assert jobs_with(token) in REFUSED

    def test_a_token_past_its_lifetime_is_refused(self, client, student, settings):
        settings.TOKEN_LIFETIME_DAYS = 30
        token = token_for(client)
        assert client.post("/api/token/", {"username": "student", "password": "correct horse 1"},
                           content_type="application/json").json()["expires"]  # fmt: skip
        Token.objects.update(created=timezone.now() - timedelta(days=31))
        assert jobs_with(token) in REFUSED
        assert token_for(client) != token  # a fresh one

    def test_the_tokens_page_shows_and_revokes_it(self, client, student):
        token = token_for(client)
        client.force_login(student)
        page = client.get(reverse("tokens"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert token[:6] in page and token not in page and "Revoke" in page
        assert client.post(reverse("tokens")).status_code == 302
        assert jobs_with(token) in REFUSED
        assert (
            "You have no API token"
            in client.get(reverse("tokens"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )


@pytest.mark.django_db(transaction=True)
class ExpiredTokenTests:
    """One check of a token for every way in: an expired token opens nothing, on a real server."""

    @staticmethod
    def get(url: str, headers: dict) -> tuple[int, dict]:
        """The status, and the JSON body of a refusal (an event stream that opens is left unread)."""
        with httpx.stream("GET", url, headers=headers, timeout=5) as response:
            return (
                response.status_code,
                response.read() and response.json() if response.status_code >= 400 else {},
            )

    WAYS = ("/api/jobs/", "/api/me/", "/api/jobs/{job}/", "/api/jobs/{job}/events")

    @pytest.mark.parametrize("way", WAYS)
    def test_it_refuses_an_expired_token_on_every_way_in(self, way, student, asgi_server, settings):
        from trainer.models import Job

        settings.TOKEN_LIFETIME_DAYS = 30
        token = Token.objects.create(user=student)
        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="succeeded")
        url = asgi_server.url + way.format(job=job.pk)
        headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en"}
        assert self.get(url, headers)[0] == 200  # while it is valid
        Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))
        status, body = self.get(url, headers)
        assert status in REFUSED and "expired" in body["detail"]
        assert self.get(url, headers)[0] in REFUSED  # and it stays refused (it was deleted)

    def test_the_event_stream_refuses_an_unknown_token_as_the_api_does(self, student, asgi_server):
        from trainer.models import Job

        job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="succeeded")
        headers = {"Authorization": "Token not-a-token", "Accept-Language": "en"}
        api = self.get(f"{asgi_server.url}/api/jobs/{job.pk}/", headers)
        stream = self.get(f"{asgi_server.url}/api/jobs/{job.pk}/events", headers)
        assert api[0] in REFUSED and stream[0] in REFUSED and api[1]["detail"] == stream[1]["detail"]
