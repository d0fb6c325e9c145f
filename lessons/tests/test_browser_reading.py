"""Reading in the browser: typeset math, highlighted code, concept links, the concept map, search."""

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = pytest.mark.browser


class ReadingTests:
    def test_a_lesson_shows_typeset_math_and_highlighted_code(self, page, course):
        page.goto("/courses/test-course/gradients/")
        expect(page.get_by_role("heading", name="Gradient descent", level=1)).to_be_visible()
        expect(page.locator("math.tml-display")).to_have_count(1)
        assert "$$" not in page.locator(".prose").inner_text()
        math_height = page.locator("math.tml-display").bounding_box()["height"]
        assert math_height > 15, "the formula is laid out as MathML with its math font"
        expect(page.locator(".highlight .c1").first).to_have_css("font-style", "italic")
        screenshot(page, "lesson")

    def test_a_reader_follows_a_concept_link(self, page, course):
        page.goto("/courses/test-course/gradients/")
        page.locator(".prose a.concept-link", has_text="gradient descent").first.click()
        expect(page).to_have_url(page.base + "/concepts/gradient-descent/")
        expect(page.get_by_role("heading", name="Gradient descent")).to_be_visible()

    def test_the_concept_map_draws_every_concept(self, page, course):
        page.goto("/concepts/map/")
        expect(page.locator("#concept-map")).to_have_attribute("data-ready", "3")
        expect(page.locator("#concept-map .node")).to_have_count(3)
        expect(page.locator("#concept-map .node").first).to_be_visible()
        screenshot(page, "concept-map")

    def test_search_finds_a_chinese_query(self, page, course):
        page.goto("/")
        page.get_by_label("Search lessons, concepts and the FAQ").fill("卷积")
        page.keyboard.press("Enter")
        expect(page.locator(".results mark").first).to_have_text("卷积")
        # Found only in Chinese from the English interface: the hit opens the Chinese page.
        expect(
            page.locator(".results a[href='/courses/test-course/convolution/?lang=zh-hans']")
        ).to_be_visible()
        screenshot(page, "search")
