"""A learner's day in a real browser: a run that ends while they read elsewhere is announced on the page they
are on; the theme and the language they choose stay theirs, on this device and on the next."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Preferences
from conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.worker
class RunEndNoticeTests:
    def test_it_tells_a_learner_reading_a_lesson_that_their_run_has_ended(
        self, page, student, worker, shipped_course
    ):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_label("Steps").fill("20000")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text(re.compile("Queued|Running"), timeout=30000)
        job = lab.get_attribute("data-job")

        page.goto("/faq/")  # away from the lab, while the run goes on
        notice = page.locator(".run-notice")
        expect(notice).to_contain_text(
            f"Your run #{job} (Linear regression) has ended: Succeeded.", timeout=90000
        )
        screenshot(page, "run-ended-notice", notice)
        notice.get_by_role("link", name="Open it").click()

        expect(page).to_have_url(re.compile(rf"/labs/linear-regression/\?run={job}$"))
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab).to_have_attribute("data-job", job)
        expect(lab.locator(".state")).to_have_text("Succeeded")
        page.goto("/faq/")  # told once: it is not announced again
        page.wait_for_timeout(6000)
        expect(page.locator(".run-notice")).to_have_count(0)

    def test_the_dashboard_links_straight_to_an_older_run(self, page, student):
        from django.utils import timezone

        from trainer.models import Job

        done = {"status": Job.Status.SUCCEEDED, "started_at": timezone.now(), "finished_at": timezone.now()}
        older = Job.objects.create(
            owner=student, lab="linear-regression", params={"learning_rate": 0.5}, **done
        )
        Job.objects.create(owner=student, lab="linear-regression", params={"learning_rate": 0.05}, **done)
        log_in(page, "student", "correct horse 1")
        page.goto("/dashboard/")
        page.get_by_role("link", name=f"#{older.pk}").click()
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab).to_have_attribute("data-job", str(older.pk), timeout=20000)
        expect(lab.get_by_label("Learning rate")).to_have_value("0.5")  # the form shows that run's settings


class ThemeTests:
    def background(self, page) -> str:
        return page.evaluate("() => getComputedStyle(document.body).backgroundColor")

    def test_a_chosen_theme_stays_on_every_page_and_follows_the_learner_to_another_device(
        self, page, browser, asgi_server, student, shipped_course
    ):
        page.emulate_media(color_scheme="light")
        log_in(page, "student", "correct horse 1")
        page.goto("/faq/")
        light = self.background(page)
        page.get_by_label("Theme").select_option("dark")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        dark = self.background(page)
        assert dark != light
        page.goto("/concepts/")  # another page: dark from its first paint, the device still says light
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        assert self.background(page) == dark
        expect(page.get_by_label("Theme")).to_have_value("dark")
        assert (
            Preferences.objects.get(user=student).theme == "dark"
        )  # saved when chosen, before the next page

        other = browser.new_context(base_url=asgi_server.url, locale="en-US", color_scheme="light")
        laptop = other.new_page()
        log_in(laptop, "student", "correct horse 1")
        laptop.goto("/faq/")
        expect(laptop.locator("html")).to_have_attribute("data-theme", "dark")
        assert self.background(laptop) == dark
        other.close()

    def test_a_choice_made_while_the_account_is_read_is_not_undone_by_it(self, page, student, shipped_course):
        """The account's theme (/api/me/) wins over this browser's, never over a choice made on this page
        while /api/me/ was on its way: a busy server's late answer used to switch the page back."""
        page.emulate_media(color_scheme="light")
        log_in(page, "student", "correct horse 1")
        held = []
        page.route(
            "**/api/me/", lambda route: held.append(route)
        )  # the account's answer waits until the learner has chosen
        page.goto("/faq/")
        while not held:
            page.wait_for_timeout(50)
        page.get_by_label("Theme").select_option("dark")
        held[0].continue_()
        expect(page.locator("body")).to_have_attribute("data-reader", "known")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        expect(page.get_by_label("Theme")).to_have_value("dark")

    def test_a_visitor_can_choose_a_theme_for_this_browser(self, page, shipped_course):
        page.emulate_media(color_scheme="dark")
        page.goto("/faq/")
        dark = self.background(page)
        page.get_by_label("Theme").select_option("light")
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        assert self.background(page) != dark


class LanguagePreferenceTests:
    def test_the_language_a_learner_switches_to_is_theirs_on_their_next_log_in(
        self, page, browser, asgi_server, student, shipped_course
    ):
        log_in(page, "student", "correct horse 1")
        page.goto("/faq/")
        page.get_by_role("button", name="简体中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("button", name="English")).to_be_focused()  # the focus is back on the switch
        assert Preferences.objects.get(user=student).language == "zh-hans"

        other = browser.new_context(base_url=asgi_server.url, locale="en-US")
        laptop = other.new_page()
        laptop.goto("/accounts/login/")
        laptop.locator("#id_username").fill("student")
        laptop.locator("#id_password").fill("correct horse 1")
        laptop.keyboard.press("Enter")
        expect(laptop.locator("html")).to_have_attribute("lang", "zh-hans", timeout=30000)
        other.close()
