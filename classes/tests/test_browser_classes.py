"""A teacher creates a class and a learner joins it with the code, in a real browser."""

import pytest
from playwright.sync_api import expect

from classes.models import Class
from conftest import log_in, screenshot

pytestmark = pytest.mark.browser


class ClassBrowserTests:
    def test_a_teacher_creates_a_class_and_a_learner_joins_it(
        self, page, browser, asgi_server, teacher, student
    ):
        log_in(page, "teacher", "correct horse 4")
        page.goto("/classes/")
        page.get_by_label("New class name").fill("Year 11 AI")
        page.get_by_label("New class name").press("Enter")  # by keyboard
        expect(page.get_by_role("heading", name="Year 11 AI")).to_be_visible()
        code = Class.objects.get().code
        expect(page.locator(".join-code")).to_contain_text(code)
        screenshot(page, "class-teacher")

        # The learner, on a phone, types the code as read off the board.
        phone = browser.new_context(
            base_url=asgi_server.url, locale="en-US", viewport={"width": 390, "height": 844}
        )
        learner = phone.new_page()
        log_in(learner, "student", "correct horse 1")
        learner.goto("/dashboard/")
        learner.get_by_role("link", name="My classes").click()
        learner.get_by_label("Join a class with its code").fill(code.lower())
        learner.get_by_role("button", name="Find the class").click()
        expect(learner.get_by_role("heading", name="What your teacher will see")).to_be_visible()
        screenshot(learner, "class-join")
        learner.get_by_role("button", name="Join Year 11 AI").click()
        expect(learner.get_by_role("status")).to_contain_text("You joined Year 11 AI")
        expect(learner.get_by_role("button", name="Leave Year 11 AI")).to_be_visible()
        phone.close()

        page.reload()
        expect(page.get_by_role("link", name="student")).to_be_visible()
        screenshot(page, "class-roster")
