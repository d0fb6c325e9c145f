"""A learner in a real browser: starts the linear-regression lab, watches the chart and the progress bar
move, reloads mid-run and sees the chart continue, compares runs, cancels one."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker]


class LabInTheBrowserTests:
    def test_a_learner_trains_the_seed_model_and_watches_it_learn(self, page, student, worker):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab.get_by_label("Learning rate")).to_have_value("0.5")
        lab.get_by_label("Steps").fill("20000")
        lab.get_by_label("Report every").fill("5")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Running", timeout=30000)
        bar = lab.get_by_role("progressbar")
        expect(bar).not_to_have_attribute("aria-valuenow", "0", timeout=30000)
        first = int(bar.get_attribute("aria-valuenow"))
        expect(lab.locator(".chart").first).to_have_attribute("data-points", re.compile(r"\d+"))
        page.wait_for_function("() => Number(document.querySelector('.chart').dataset.points) > 20")
        expect(lab.locator(".params [data-name=w]")).to_be_visible()
        screenshot(page, "lab-running", lab)

        # Reload mid-run: the chart picks up the same run and goes on with no gap.
        page.reload()
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab.locator(".state")).to_have_text(re.compile("Running|Succeeded"), timeout=30000)
        page.wait_for_function(
            f"() => Number(document.querySelector('.progress').getAttribute('aria-valuenow')) > {first}"
        )
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=90000)
        steps = page.evaluate("() => document.querySelector('[data-lab]').labWidget.chartObjects[0].steps")
        assert steps == [*range(0, 20000, 5), 19999]
        expect(lab.locator(".metrics")).to_contain_text("w")
        screenshot(page, "lab-finished", lab)

    def test_a_learner_compares_two_runs_and_cancels_a_third(self, page, student, worker):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        for rate in ("0.5", "0.05"):
            lab.get_by_label("Learning rate").fill(rate)
            lab.get_by_role("button", name="Start training").click()
            expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        lab.get_by_label("Learning rate").fill("0.5")
        lab.get_by_label("Steps").fill("20000")
        lab.get_by_label("Report every").fill("1")
        lab.get_by_label("Points", exact=True).fill("10000")  # long enough to be running when cancelled
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Running", timeout=30000)
        lab.get_by_role("button", name="Cancel").click()
        expect(lab.locator(".state")).to_have_text("Cancelled", timeout=5000)

        lab.locator("summary", has_text="My runs").click()
        rows = lab.locator(".runs tbody tr")
        expect(rows).to_have_count(3)
        rows.nth(1).get_by_role("checkbox").check()
        rows.nth(2).get_by_role("checkbox").check()
        lab.get_by_role("button", name="Compare the chosen runs").click()
        expect(lab.locator(".compare-chart")).to_have_attribute("data-runs", "2")
        screenshot(page, "lab-compare", lab.locator(".runs"))

    def test_a_bad_value_gets_a_field_error_and_nothing_starts(self, page, student):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        # The GPU is offered only while a worker takes GPU jobs (the suite's worker does, once an earlier test
        # has started it); without one the option says why.
        from core.workers import live_workers

        gpu = lab.locator('select[name="device"] option[value="cuda"]')
        if live_workers().get("gpu"):
            expect(gpu).to_be_enabled()
            expect(gpu).to_have_text("GPU (CUDA)")
        else:
            expect(gpu).to_be_disabled()
            expect(gpu).to_contain_text("no GPU worker is running now")
        lab.get_by_label("Learning rate").fill("1e9")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator("[data-field=learning_rate] .field-error")).to_contain_text(
            "less than or equal to"
        )
        expect(lab.get_by_label("Learning rate")).to_have_attribute("aria-invalid", "true")
        expect(lab.locator(".state")).to_have_text("Not started")
