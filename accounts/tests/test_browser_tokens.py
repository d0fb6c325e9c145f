"""A learner finds their API token from their progress page and revokes it, in a real browser."""

import httpx
import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = pytest.mark.browser


class TokenPageTests:
    def test_a_learner_sees_and_revokes_their_token(self, page, asgi_server, student):
        token = httpx.post(f"{asgi_server.url}/api/token/",
                           json={"username": "student", "password": "correct horse 1"}).json()["token"]  # fmt: skip
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("student")
        page.get_by_label("Password").fill("correct horse 1")
        page.get_by_role("button", name="Log in").click()
        page.goto("/dashboard/")
        page.get_by_role("link", name="API token").click()
        expect(page.get_by_text(token[:6] + "…")).to_be_visible()
        screenshot(page, "tokens")
        page.get_by_role("button", name="Revoke this token").click()
        expect(page.get_by_role("status")).to_contain_text("Your API token was revoked")
        expect(page.get_by_text("You have no API token.")).to_be_visible()
        answer = httpx.get(f"{asgi_server.url}/api/jobs/", headers={"Authorization": f"Token {token}"})
        assert answer.status_code == 401
