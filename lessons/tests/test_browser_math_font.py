"""The math font in a real browser: a page fetches the subset of STIX Two Math only when it shows a formula,
and a formula with a character outside the subset is still drawn in STIX Two Math, from the whole font."""

import pytest

from lessons import mathfont
from lessons.models import Lesson, Status

pytestmark = pytest.mark.browser

FACES = mathfont.stylesheet_faces(mathfont.STYLESHEET.read_text(encoding="utf-8"))
NAMES = {
    frozenset(FACES[mathfont.SUBSET_FONT.name]): "subset",
    frozenset(FACES[mathfont.FULL_FONT.name]): "whole",
}


def loaded_faces(page) -> list[str]:
    """The faces of the STIX2 family the browser has loaded (told apart by their unicode-range)."""
    ranges = page.evaluate(
        """() => document.fonts.ready.then(fonts => [...fonts]
            .filter(face => face.family === "STIX2" && face.status === "loaded").map(face => face.unicodeRange))"""
    )
    return sorted(NAMES[frozenset(mathfont.parse_unicode_range(value))] for value in ranges)


def fonts_fetched(page, path: str) -> list[str]:
    fetched: list[str] = []
    page.on("request", lambda request: request.url.endswith(".woff2") and fetched.append(request.url))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return [url.rsplit("/", 1)[-1] for url in fetched]


def add_lesson(course, slug: str, body: str) -> str:
    lesson = Lesson(course=course, slug=slug, order=9, status=Status.PUBLISHED, title=slug, body_md_en=body)
    lesson.save()
    return f"/courses/{course.slug}/{slug}/"


class MathFontTests:
    def test_a_lesson_without_formulas_fetches_no_math_font(self, page, course):
        path = add_lesson(
            course, "words-only", "## Words\n\nA lesson of plain words and `code`, no formula.\n"
        )
        assert fonts_fetched(page, path) == []
        assert loaded_faces(page) == []

    def test_a_lesson_with_formulas_fetches_the_subset_alone_and_draws_them_with_it(self, page, course):
        fetched = fonts_fetched(page, "/courses/test-course/gradients/")
        assert [name.split(".")[0] for name in fetched] == ["STIXTwoMath-course"], fetched
        assert loaded_faces(page) == ["subset"]
        height = page.locator("math.tml-display").first.bounding_box()["height"]
        assert height > 15, "the display formula is laid out with its math font"

    def test_a_character_outside_the_subset_is_drawn_from_the_whole_font(self, page, course):
        path = add_lesson(course, "lie-algebras", "A Lie algebra $\\mathfrak g$ over $\\mathbb R$.\n")
        fetched = [name.split(".")[0] for name in fonts_fetched(page, path)]
        assert sorted(fetched) == ["STIXTwoMath", "STIXTwoMath-course"], fetched
        assert loaded_faces(page) == ["subset", "whole"]
        width = page.locator("math mi", has_text="𝔤").bounding_box()["width"]
        assert width > 4, "the fraktur g is drawn, not left out"
