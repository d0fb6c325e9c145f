"""A lesson page is the same document for everyone; in a real browser, a signed-in student still sees their
own name, their progress and their completion, filled in from /api/me/, and can act on them."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot
from lessons.models import LessonProgress

pytestmark = pytest.mark.browser


class ReaderTests:
    def test_a_signed_in_student_sees_their_own_part_of_the_shared_page(self, page, course, student):
        LessonProgress.objects.create(user=student, lesson=course.lessons.get(slug="gradients"))
        page.goto("/courses/test-course/convolution/")  # kept by the server for everyone, anonymous first
        expect(page.get_by_role("link", name="Log in").first).to_be_visible()

        log_in(page, "student", "correct horse 1")
        page.goto("/courses/test-course/convolution/")
        header = page.locator(".site-header")
        expect(header.get_by_role("link", name="student")).to_be_visible()
        expect(header.get_by_role("button", name="Log out")).to_be_visible()
        expect(header.get_by_role("link", name="Log in")).to_be_hidden()
        aside = page.locator(".lesson-aside")
        expect(aside.locator('[data-done-lesson="gradients"]')).to_be_visible()
        expect(aside.locator('[data-done-lesson="convolution"]')).to_be_hidden()

        page.get_by_role("button", name="Mark as complete").click()  # the form carries /api/me/'s token
        expect(page.get_by_text("You completed this lesson.")).to_be_visible()
        assert LessonProgress.objects.filter(user=student, lesson__slug="convolution").exists()
        screenshot(page, "lesson-signed-in", page.locator(".lesson-end"))

        page.goto("/courses/test-course/")
        expect(page.get_by_text("2 of 2 lessons complete")).to_be_visible()

    def test_the_page_reads_and_navigates_without_its_script(self, browser, asgi_server, course):
        context = browser.new_context(base_url=asgi_server.url, java_script_enabled=False)
        tab = context.new_page()
        tab.goto("/courses/test-course/gradients/")
        expect(tab.locator("article .prose")).to_be_visible()
        tab.locator("a[rel=next]").click()
        expect(tab).to_have_url(re.compile(r"/courses/test-course/convolution/$"))
        expect(tab.locator("article h1")).to_be_visible()
        context.close()
