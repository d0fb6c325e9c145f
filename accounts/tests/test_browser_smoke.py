"""The smoke journey in a real browser: home page, sign up, log in, the course list, switch language."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

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

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_the_full_menu_keeps_to_one_row_wherever_it_shows(
        self, page, course, django_user_model, language
    ):
        """From 1181 px (below, the menu folds behind its button) every link, the search and the account
        links sit on the header's one row: a staff member with a long name, in either language, has the most
        to fit."""
        django_user_model.objects.create_user(
            "a-rather-long-username", password="correct horse 3", is_staff=True
        )
        log_in(page, "a-rather-long-username", "correct horse 3")
        page.goto(f"/?lang={language}")
        for width in (1181, 1280, 1366):
            page.set_viewport_size({"width": width, "height": 800})
            expect(page.get_by_role("button", name=re.compile("Menu|菜单"))).to_be_hidden()
            tops = page.eval_on_selector_all(
                ".site-header .brand, .site-nav li, .search-form, .account > *",
                "parts => parts.map(part => Math.round(part.getBoundingClientRect().top + part.offsetHeight / 2))",
            )
            assert max(tops) - min(tops) <= 4, (width, tops)
