"""A lesson's labs, at its end, load their chart library and scripts when the reader comes near them: a reader
who stops before never downloads them, and one who gets there trains the model as on the lab's own page."""

import pytest
from playwright.sync_api import expect

from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]

LESSON = "/courses/ai-large-models/core-algorithms/"


def test_the_labs_load_when_the_reader_reaches_them_and_train(page, shipped_course, student, worker):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "student", "correct horse 1")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(LESSON)
    page.wait_for_load_state("networkidle")
    assert not [url for url in fetched if "uplot" in url.lower() or "/trainer/" in url], fetched
    assert page.evaluate("() => typeof uPlot") == "undefined"

    lab = page.locator("[data-lab=linear-regression]")
    lab.scroll_into_view_if_needed()
    page.wait_for_function("() => typeof uPlot === 'function'")
    expect(lab.locator(".estimate")).to_have_count(1)  # the last of the labs' scripts has run
    # jsi18n came with the quiz: the labs' copy of it is not fetched twice
    assert len([url for url in fetched if url.endswith("/jsi18n/")]) == 1
    lab.get_by_role("button", name="Start training").click()
    expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
    expect(lab.locator("[data-visual=fit] .legend")).to_contain_text("training points")


def test_a_run_started_before_the_scripts_arrive_starts_when_they_do(page, shipped_course, student, worker):
    log_in(page, "student", "correct horse 1")
    page.goto(LESSON)
    # In one turn of the page's script, before anything could load: the learner jumps to the lab and presses
    # Start at once.
    loaded = page.evaluate(
        """() => { const form = document.querySelector('[data-lab=linear-regression] .lab-form');
                   form.scrollIntoView();
                   form.requestSubmit(form.querySelector('.start'));
                   return typeof uPlot !== 'undefined'; }"""
    )
    assert not loaded
    lab = page.locator("[data-lab=linear-regression]")
    expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
    assert page.url.endswith(LESSON)  # the form was never sent as a page load
