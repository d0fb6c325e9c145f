"""The course's exercises in the browser: each solution stays closed until the reader opens it, with or without
JavaScript, and the transformer lesson's formulas are typeset."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models"
LESSON = "/courses/ai-large-models/transformers-and-llms/"


class ExerciseTests:
    def test_a_solution_is_hidden_until_the_reader_opens_it(self, page, shipped_course):
        page.goto(LESSON)
        expect(page.get_by_role("heading", name="Exercises", level=2)).to_be_visible()
        first = page.locator(".prose details.solution").first
        solution_text = first.locator("p").first
        expect(solution_text).to_be_hidden()
        first.locator("summary").click()
        expect(solution_text).to_be_visible()
        assert page.locator(".prose math.tml-display").count() >= 20, "the formulas are typeset"
        page.locator("#the-causal-mask").evaluate("heading => heading.scrollIntoView()")
        screenshot(page, "transformer-lesson")
        page.goto("/courses/ai-large-models/core-algorithms/")
        page.locator("#lstm-a-memory-cell-with-gates").evaluate("heading => heading.scrollIntoView()")
        screenshot(page, "lstm-gates")
        screenshot(page, "exercise-solution", first)

    def test_solutions_open_without_javascript(self, browser, asgi_server, shipped_course):
        context = browser.new_context(
            base_url=asgi_server.url,
            java_script_enabled=False,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
        )
        tab = context.new_page()
        try:
            tab.goto(LESSON)
            expect(tab.get_by_role("heading", name="习题", level=2)).to_be_visible()
            solution = tab.locator(".prose details.solution").nth(1)
            expect(solution.locator("p").first).to_be_hidden()
            solution.locator("summary").click()
            expect(solution.locator("p").first).to_be_visible()
            screenshot(tab, "exercise-solution-zh-no-js", solution)
        finally:
            context.close()
