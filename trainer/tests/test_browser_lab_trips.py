"""After Start on a laptop, the run's status and its Cancel button are on screen, below the sticky header,
with the focus on the status: even where the settings are a long form (the gpt lab's)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]

VISIBLE_BELOW_HEADER = """element => {
  const box = element.getBoundingClientRect();
  const header = document.querySelector('.site-header').getBoundingClientRect();
  return box.top >= header.bottom - 1 && box.bottom <= window.innerHeight;
}"""


class StartInViewTests:
    def test_the_status_and_cancel_are_in_view_below_the_header_after_start(self, page, student, worker):
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/gpt/")
        lab = page.locator("[data-lab=gpt]")
        start = lab.get_by_role("button", name="Start training")
        start.scroll_into_view_if_needed()
        start.click()
        status = lab.locator(".lab-status")
        expect(status).to_be_focused()
        cancel = lab.get_by_role("button", name="Cancel")
        expect(cancel).to_be_visible(timeout=30000)
        page.wait_for_timeout(1000)  # the smooth scroll has ended
        assert page.evaluate(VISIBLE_BELOW_HEADER, status.element_handle())
        assert page.evaluate(VISIBLE_BELOW_HEADER, cancel.element_handle())
        cancel.click()
        expect(lab.locator(".state")).to_have_text("Cancelled", timeout=60000)

    def test_a_diverged_run_reads_by_size_and_a_reload_estimates_the_run_shown(
        self, page, student, worker, worker_at_rest
    ):
        from trainer import budget
        from trainer.catalog.lab import Timing

        budget.store({"linear-regression": Timing(setup_s=0.1, step_s=0.001)})  # as a worker's warm-up does
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_label("Learning rate").fill("3")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Diverged", timeout=60000)
        shown = lab.locator(".params").inner_text()
        assert not re.search(r"\d{9,}", shown), shown  # -2.48e+16, not -24808300000000000
        lab.get_by_label("Learning rate").fill("0.5")
        lab.get_by_label("Steps").fill("20000")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=90000)
        estimate = lab.locator(".estimate")
        expect(estimate).to_be_visible(timeout=30000)
        before = estimate.inner_text()
        page.reload()
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab.get_by_label("Steps")).to_have_value("20000")
        # The estimate of the run on display (20,000 steps: ten seconds or more), not the defaults' (a second
        # or two); the stored speed may have moved with the run just finished, so not the same words as before.
        expect(lab.locator(".estimate")).to_have_text(
            re.compile(r"about ([1-9]\d+ s|\d+ min)"), timeout=30000
        )
        assert before
