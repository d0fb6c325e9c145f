"""The smoke journey in a real browser: home page, sign up, log in, the course list, switch language."""

import re

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = pytest.mark.browser


class SmokeJourneyTests:
    def test_a_newcomer_signs_up_logs_in_sees_the_courses_and_switches_language(self, page, course):
        page.goto("/")
        expect(page.get_by_role("heading", name="Learn how models learn")).to_be_visible()
        expect(page.get_by_role("link", name="Test course")).to_be_visible()
        screenshot(page, "home")

        page.get_by_role("link", name="Sign up").click()
        page.get_by_label("Username").fill("newcomer")
        page.get_by_label("Password", exact=True).fill("a long passphrase 9")
        page.get_by_label("Password confirmation").fill("a long passphrase 9")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_text("newcomer")).to_be_visible()

        page.get_by_role("button", name="Log out").click()
        page.get_by_role("link", name="Log in").click()
        page.get_by_label("Username").fill("newcomer")
        page.get_by_label("Password").fill("a long passphrase 9")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="My progress")).to_be_visible()
        expect(page.get_by_role("link", name="Test course")).to_be_visible()

        page.get_by_role("button", name="简体中文").click()
        expect(page.get_by_role("heading", name="课程", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="测试课程")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))
        screenshot(page, "home-zh")

    def test_the_menu_works_on_a_phone_with_the_keyboard(self, page, course):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/")
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        expect(page.get_by_role("link", name="Concepts")).to_be_hidden()
        menu.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("link", name="Concepts")).to_be_visible()
        screenshot(page, "phone-menu")
