"""axe-core (npm, test tooling only) finds no critical or serious accessibility violation on the pages a
learner uses most, in the light and the dark theme."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ROOT, log_in
from lessons.models import Concept

pytestmark = [pytest.mark.browser, pytest.mark.worker]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/courses/ai-large-models/core-algorithms/",
    "/quizzes/core-algorithms/",
    "/labs/linear-regression/",
    "/dashboard/",
    "/concepts/map/",
]


def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{AXE} is missing: `make test` installs it with npm (package.json)")
        pytest.skip("axe-core is not installed (npm ci)")
    return Path(AXE).read_text(encoding="utf-8")


# The formulas and tables on display (not in a closed solution) that scroll sideways.
SCROLLING = """() => [...document.querySelectorAll('.prose math, .prose .math-display, .prose table')]
    .filter(e => e.checkVisibility() && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .filter(e => e.scrollWidth > e.clientWidth + 1)"""


def read_through(page) -> None:
    """Scrolls to the end of the page and back, a screen at a time, as a reader would: the browser lays out a
    long lesson's parts as they come near the screen (content-visibility), and base.js measures each formula
    then. Every formula or table that scrolls has its tab stop once the reader has come to it."""
    at_end = "() => scrollY + innerHeight >= document.documentElement.scrollHeight - 1"
    while not page.evaluate(at_end):
        page.mouse.wheel(0, 700)
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.evaluate("() => scrollTo(0, 0)")
    page.wait_for_function(f"() => ({SCROLLING})().every(e => e.tabIndex === 0)", timeout=5000)


def violations(page) -> list[str]:
    """Critical and serious violations on the page, read through to its end, one line each with where they are."""
    read_through(page)
    # Through the DevTools protocol, not a <script> tag: the page's Content-Security-Policy stays as it is.
    page.evaluate(axe_source())
    found = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
             .filter(v => v.impact === "critical" || v.impact === "serious")
             .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
    )
    return found


class AccessibilityTests:
    @pytest.mark.parametrize("scheme", ["light", "dark"])
    def test_the_main_pages_have_no_serious_violation(self, page, shipped_course, student, worker, scheme):
        page.emulate_media(color_scheme=scheme)
        log_in(page, "student", "correct horse 1")
        # A finished run on the lab page, so its charts, drawings and tables are checked too.
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        problems = {}
        for url in PAGES:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if url == "/concepts/map/":
                concepts = str(Concept.objects.count())
                expect(page.locator("#concept-map")).to_have_attribute("data-ready", concepts)
            found = violations(page)
            if found:
                problems[url] = found
        assert problems == {}

    def test_on_a_phone_only_formulas_may_scroll_and_a_keyboard_can_scroll_them(self, page, shipped_course):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/courses/ai-large-models/core-algorithms/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.wait_for_load_state("networkidle")
        assert page.evaluate(f"() => ({SCROLLING})().length"), (
            "some formula of this lesson is wider than a phone"
        )
        read_through(page)  # every formula that scrolls has its tab stop once the reader has come to it
        page.evaluate("() => document.querySelectorAll('.prose details').forEach(d => (d.open = true))")
        read_through(page)  # and in the solutions, once opened
        # and shows that it scrolls: shadows at its edges (drawn by its background)
        shadow = page.locator(".prose .math-display").first.evaluate(
            "e => getComputedStyle(e).backgroundImage"
        )
        assert shadow.count("radial-gradient") == 2
        assert violations(page) == []
