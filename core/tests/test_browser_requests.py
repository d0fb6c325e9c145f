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
    for path in ("/courses/test-course/gradients/", "/concepts/map/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert any(re.search(r"/api/jobs/\?lab=linear-regression&mine=1$", url) for url in asked)
    assert any(url.endswith("/api/concepts/mastery/") for url in asked)
