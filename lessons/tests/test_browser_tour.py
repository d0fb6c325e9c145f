"""A tour of the course that ships, in a real browser, in both languages; it also makes the README's
screenshots (docs/screenshots)."""

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker]


class CourseTourTests:
    def test_the_core_algorithms_lesson_reads_well_in_both_languages(self, page, shipped_course):
        page.goto("/courses/ai-large-models/core-algorithms/")
        expect(page.locator("math.tml-display").first).to_be_visible()
        assert page.locator("math.tml-display").count() > 10
        assert "$$" not in page.locator(".prose").inner_text()
        screenshot(page, "lesson-en")
        page.get_by_role("button", name="简体中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator(".prose a.concept-link").first).to_be_visible()
        screenshot(page, "lesson-zh")

    def test_the_concept_map_of_the_course(self, page, shipped_course):
        page.goto("/concepts/map/#convolutional-neural-network")
        from lessons.models import Concept

        every = str(Concept.objects.count())  # every concept of the shipped course is drawn
        expect(page.locator("#concept-map")).to_have_attribute("data-ready", every)
        expect(page.locator("#concept-map-selected a")).to_be_visible()
        screenshot(page, "concept-map")

    def test_the_activations_lab_draws_three_decision_boundaries(self, page, shipped_course, student, worker):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/activations/")
        lab = page.locator("[data-lab=activations]")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=90000)
        expect(lab.locator("[data-visual^=boundary-]")).to_have_count(3)
        screenshot(page, "lab-activations", lab)

    def test_the_lesson_works_on_a_phone(self, page, shipped_course):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/courses/ai-large-models/best-practice-code/")
        expect(page.locator("details.toc-mobile")).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, "nothing makes the page scroll sideways"
        screenshot(page, "phone-lesson")
