"""The lab wall in a real browser: on a projector and a phone, by keyboard, in both languages; a divergence
flagged while the teacher watches; a member's run opened read-only as the learner sees it."""

import pytest
from playwright.sync_api import expect

from classes.models import Membership
from classes.tests.test_wall import running_job
from conftest import log_in, screenshot

pytestmark = pytest.mark.browser


class WallBrowserTests:
    def test_a_teacher_watches_the_class_and_opens_a_run_by_keyboard(
        self, page, browser, asgi_server, teacher, klass, student, django_user_model
    ):
        idle = django_user_model.objects.create_user("idle-learner", password="x")
        Membership.objects.create(klass=klass, learner=idle)
        job, writer = running_job(student, [{"step": n, "loss": 0.5 * 0.9**n} for n in range(0, 40, 2)])
        page.set_viewport_size({"width": 1920, "height": 1080})  # a projector
        log_in(page, "teacher", "correct horse 4")
        page.goto(f"/classes/{klass.pk}/")
        page.get_by_role("link", name="Linear regression").click()
        expect(page.get_by_role("heading", name="Lab wall: Linear regression")).to_be_visible()
        row = page.locator(".wall-table tr[data-learner]", has_text="student").first
        expect(row).to_contain_text("Running")
        expect(page.locator(".wall-table tr", has_text="idle-learner")).to_contain_text("Not started")
        expect(page.locator(".wall-overlay")).to_have_attribute("data-series", "1")
        expect(page.locator(".wall-small", has_text="student")).to_have_attribute("data-points", "20")

        writer.event("progress", {"points": [{"step": 40, "loss": 9.0}, {"step": 42, "loss": 1e4}]})
        expect(row.locator('[data-flag="diverged"]')).to_be_visible()
        expect(page.locator(".wall-summary")).to_contain_text("1 diverged")
        expect(page.locator(".wall-queue")).to_contain_text("no run is waiting")
        screenshot(page, "class-wall")

        # By keyboard: Tab reaches the learner's run, Enter opens it, read-only, in the lab's own widget.
        link = row.get_by_role("link", name="student")
        for _try in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.textContent") == "student":
                break
        expect(link).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{asgi_server.url}/classes/{klass.pk}/runs/{job.pk}/")
        widget = page.locator(f'[data-readonly-job="{job.pk}"]')
        expect(widget.locator(".chart").first).to_have_attribute("data-points", "22")
        expect(widget.locator(".cancel")).to_be_hidden()
        expect(widget.locator(".lab-form")).to_have_attribute("inert", "")

        # A phone, in Chinese: the wall fits the width.
        phone = browser.new_context(
            base_url=asgi_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
        )
        tab = phone.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        log_in(tab, "teacher", "correct horse 4")
        tab.goto(f"/classes/{klass.pk}/wall/linear-regression/")
        expect(tab.get_by_role("heading", name="实验墙: 线性回归")).to_be_visible()
        expect(tab.locator(".wall-table tr", has_text="student")).to_contain_text("已发散")
        expect(tab.locator(".wall-overlay")).to_have_attribute("data-series", "1")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(tab, "class-wall-phone")
        phone.close()
        assert not errors

    def test_a_learner_reads_the_teachers_note_on_the_lab_page(self, page, teacher, klass, student):
        log_in(page, "teacher", "correct horse 4")
        page.goto(f"/classes/{klass.pk}/wall/linear-regression/")
        page.get_by_label("Note", exact=True).fill("Look at <b>step 40</b>")
        page.get_by_label("To").select_option(label="student")
        page.get_by_role("button", name="Send the note").click()
        expect(page.get_by_role("status")).to_contain_text("Note sent")
        page.context.clear_cookies()
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        notes = page.locator(".class-notes")
        expect(notes).to_contain_text("Look at <b>step 40</b>")  # shown as typed, never as HTML
        expect(notes).to_contain_text("to you")
