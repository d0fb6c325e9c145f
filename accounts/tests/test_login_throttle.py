"""Log-in throttling counts the real client and the username, on the form and on `POST /api/token/`."""

import html
import re
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "For your account's safety, logging in is paused for a few minutes. Please wait and try again."


def fail_then_try_right(post, limit: int, **headers_per_try) -> httpx.Response:
    for n in range(limit):
        post("nope", n)
    return post("correct horse 1", limit)


@pytest.mark.django_db(transaction=True)
class ForgedAddressTests:
    """Over a real uvicorn server, served as `make run` and the image serve it."""

    def test_a_new_forwarded_address_per_try_gains_no_guesses_on_the_form(
        self, asgi_server, student, settings
    ):
        with httpx.Client(base_url=asgi_server.url) as browser:
            browser.get(reverse("login"))

            def post(password: str, n: int) -> httpx.Response:
                return browser.post(reverse("login"), data={"username": "student", "password": password,
                                    "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                                    headers={"X-Forwarded-For": f"198.51.100.{n}", "Accept-Language": "en"})  # fmt: skip

            response = fail_then_try_right(post, settings.AXES_FAILURE_LIMIT)
        assert response.status_code == 429 and LOCKED in html.unescape(response.text)

    def test_a_new_forwarded_address_per_try_gains_no_guesses_on_the_token_endpoint(
        self, asgi_server, student, settings
    ):
        def post(password: str, n: int) -> httpx.Response:
            return httpx.post(f"{asgi_server.url}/api/token/", json={"username": "student", "password": password},
                              headers={"X-Forwarded-For": f"198.51.100.{n}", "Accept-Language": "en"})  # fmt: skip

        response = fail_then_try_right(post, settings.AXES_FAILURE_LIMIT)
        assert response.status_code == 429 and response.json()["detail"] == LOCKED
        assert "token" not in response.json()

    def test_every_way_the_web_server_starts_ignores_proxy_headers(self):
        """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: a client on the machine (or behind a
        proxy that passes the header on) would choose its own address. granian never reads it: Django decides
        (TRUSTED_PROXIES)."""
        for name in ("config/launch.py", "Dockerfile", "docker-compose.yml"):
            text = (ROOT / name).read_text()
            assert '"granian"' in text and not re.search(r"uvicorn", text), name  # granian reads none


@pytest.mark.django_db
class UsernameLimitTests:
    def test_failures_from_many_addresses_lock_the_username(self, client, student, settings):
        for n in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                reverse("login"), {"username": "student", "password": "nope"}, REMOTE_ADDR=f"203.0.113.{n}"
            )
        response = client.post(
            reverse("login"), {"username": "student", "password": "correct horse 1"}, REMOTE_ADDR="192.0.2.1"
        )
        assert response.status_code == 429 and response["Retry-After"] == "900"
        assert client.get(reverse("dashboard")).status_code == 302

    def test_the_token_endpoint_answers_a_lockout_like_the_form(self, client, student, settings):
        codes = [client.post("/api/token/", {"username": "student", "password": "nope"},
                             content_type="application/json").status_code
                 for _ in range(settings.AXES_FAILURE_LIMIT)]  # fmt: skip
        assert codes == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure starts the pause
        response = client.post("/api/token/", {"username": "student", "password": "correct horse 1"},
                               content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 429 and response["Retry-After"] == "900"
        assert response.json()["detail"] == LOCKED
        form = client.post(reverse("login"), {"username": "student", "password": "correct horse 1"},
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert form.status_code == 429 and LOCKED in html.unescape(form.content.decode())


class ClientAddressTests:
    def test_forwarded_for_is_read_only_as_far_as_the_settings_trust_proxies(self, rf, settings):
        from core.net import client_ip

        request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
        settings.TRUSTED_PROXIES = 0
        assert client_ip(request) == "10.0.0.2"
        settings.TRUSTED_PROXIES = 1
        assert client_ip(request) == "198.51.100.7"

    @pytest.mark.django_db
    def test_the_api_throttles_ignore_a_forged_forwarded_address(self, client, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "anonymous-write": "2/minute", "learner-write": "2/minute"}}  # fmt: skip
        codes = [client.post("/api/token/", {"username": "x", "password": "y"}, content_type="application/json",
                             HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]  # fmt: skip
        assert codes == [400, 400, 429]
