"""A visitor's pages ask for nothing they are refused: no 4xx in the browser's console (Lighthouse counts them
against best practices), while a signed-in learner's pages still fetch their own runs and mastery."""

import re

import pytest

from conftest import log_in

PAGES = ("/", "/courses/test-course/gradients/", "/labs/linear-regression/", "/concepts/map/", "/faq/")


def refused(page, path: str) -> list[str]:
    answers: list[str] = []
    page.on("response", lambda r: answers.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return answers


@pytest.mark.browser
def test_a_visitors_pages_ask_for_nothing_refused(page, course):
    for path in PAGES:
        assert refused(page, path) == [], path


@pytest.mark.browser
def test_a_learner_still_gets_their_runs_and_mastery(page, course, student):
    log_in(page, "student", "correct horse 1")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto("/courses/test-course/gradients/")
    page.wait_for_load_state("networkidle")
    # The lesson's lab loads its scripts, which ask for the learner's runs, when the learner gets there.
    with page.expect_request(re.compile(r"/api/jobs/\?lab=linear-regression&mine=1$")):
        page.locator("[data-lab=linear-regression]").scroll_into_view_if_needed()
    page.goto("/concepts/map/")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/api/concepts/mastery/") for url in asked)
