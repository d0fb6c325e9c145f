"""The lab page as a learner sees it, on a laptop (1366×900) and on a phone (390 px): after Start the run is
in view and has the focus, progress only moves forward, an ended run shows no progress or time left, the form
shows the settings of the run on display, no box stands empty, plots have axes and legends, and everything
reads in the learner's language."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker]

# Every box of the live area that is on display has something in it.
EMPTY_BOXES = """root => [...root.querySelectorAll('.lab-live > *, .chart, .visual, .metrics, .params')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height > 0 && !e.textContent.trim() && !e.querySelector('canvas, progress, .progress'))
  .map(e => e.className)"""


def wide(page) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})


class LabPageTests:
    def test_after_start_the_run_is_in_view_with_the_focus_beside_the_settings(self, page, student, worker):
        wide(page)
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        assert page.evaluate(EMPTY_BOXES, lab.element_handle()) == []
        lab.get_by_label("Steps").fill("4000")
        start = lab.get_by_role("button", name="Start training")
        start.scroll_into_view_if_needed()
        start.click()
        status = lab.locator(".lab-status")
        expect(status).to_be_focused()
        expect(lab.locator(".chart").first).to_be_in_viewport()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        # The settings sit beside the pictures: the form's right edge is left of the charts, and both the
        # Start button and the first chart are on screen together.
        form, chart = lab.locator(".lab-form").bounding_box(), lab.locator(".chart").first.bounding_box()
        assert form["x"] + form["width"] <= chart["x"]
        expect(start).to_be_in_viewport()
        expect(lab.locator(".chart").first).to_be_in_viewport()
        # Ended: no progress bar, no "about … left"; no empty box.
        expect(lab.locator(".progress-row")).to_be_hidden()
        expect(lab.locator(".eta")).to_have_text("")
        assert page.evaluate(EMPTY_BOXES, lab.element_handle()) == []
        # The fit has axes and a legend; the parameters read in words.
        expect(lab.locator("[data-visual=fit] .legend")).to_contain_text("training points")
        expect(lab.locator("[data-visual=fit] .legend")).to_contain_text("the model's curve")
        expect(lab.locator(".params [data-name=w]")).to_contain_text("weight w")
        expect(lab.locator(".run-settings")).to_contain_text("Learning rate 0.5 · Steps 4000")
        # Re-run with another rate and compare, with the settings, the runs and the charts all in view.
        lab.get_by_label("Learning rate").fill("0.05")
        start.click()
        expect(lab.locator(".run-settings")).to_contain_text("Learning rate 0.05")
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        lab.locator("summary", has_text="My runs").click()
        rows = lab.locator(".runs tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("Learning rate 0.05")
        rows.nth(0).get_by_role("checkbox").check()
        rows.nth(1).get_by_role("checkbox").check()
        lab.get_by_role("button", name="Compare the chosen runs").click()
        compared = lab.locator(".compare-chart")
        expect(compared).to_have_attribute("data-runs", "2")
        compared.scroll_into_view_if_needed()
        expect(compared).to_be_in_viewport()
        expect(lab.locator(".chart").first).to_be_in_viewport()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
        screenshot(page, "lab-wide")

    def test_a_reload_shows_the_run_with_its_settings_and_progress_never_falls(self, page, student, worker):
        wide(page)
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_label("Learning rate").fill("0.05")
        lab.get_by_label("Steps").fill("20000")
        lab.get_by_label("Report every").fill("2")
        lab.get_by_role("button", name="Start training").click()
        bar = lab.get_by_role("progressbar")
        page.wait_for_function(
            "() => Number(document.querySelector('.progress').getAttribute('aria-valuenow')) >= 10",
            timeout=60000,
        )
        page.reload()
        lab = page.locator("[data-lab=linear-regression]")
        # The form shows the run on display, not the defaults.
        expect(lab.get_by_label("Learning rate")).to_have_value("0.05")
        expect(lab.get_by_label("Steps")).to_have_value("20000")
        seen = page.evaluate(
            """() => new Promise(done => {
                 const bar = document.querySelector('.progress'), values = [];
                 const timer = setInterval(() => {
                   values.push(Number(bar.getAttribute('aria-valuenow')));
                   if (document.querySelector('[data-lab]').dataset.status === 'succeeded') { clearInterval(timer); done(values); }
                 }, 20);
               })"""
        )
        assert seen == sorted(seen), f"the progress went backwards: {seen}"
        expect(lab.locator(".state")).to_have_text("Succeeded")
        expect(bar).to_be_hidden()
        expect(lab.locator(".eta")).to_have_text("")
        # Reloaded once ended, the run is drawn from its replay at the size of its box, axes and all.
        page.reload()
        expect(lab.locator(".state")).to_have_text("Succeeded")
        fit = lab.locator("[data-visual=fit] canvas")
        expect(fit).to_be_visible()
        scale = fit.evaluate("c => c.width / c.clientWidth / window.devicePixelRatio")
        assert 0.95 < scale < 1.05, scale

    def test_the_rnn_sequence_has_axes_and_a_legend_in_chinese(self, page, student, worker):
        wide(page)
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/rnn/")
        page.get_by_role("button", name="简体中文").click()
        lab = page.locator("[data-lab=rnn]")
        lab.get_by_label("步数", exact=True).fill("30")
        lab.get_by_role("button", name="开始训练").click()
        expect(lab.locator(".state")).to_have_text("已成功", timeout=90000)
        legend = lab.locator("[data-visual=sequence] .legend")
        expect(legend).to_contain_text("目标值")
        expect(legend).to_contain_text("预测值")
        expect(lab.locator(".chart").first.locator(".u-legend")).to_contain_text("验证损失")
        lab.locator("summary").click()
        expect(lab.locator(".runs tbody tr").first).to_contain_text("步数 30")
        assert "learning_rate" not in lab.inner_text()
        screenshot(page, "lab-rnn-zh", lab)

    def test_on_a_phone_nothing_scrolls_sideways(self, page, student, worker):
        page.set_viewport_size({"width": 390, "height": 844})
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/class-imbalance/")
        lab = page.locator("[data-lab=class-imbalance]")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=90000)
        lab.locator("summary").click()
        expect(lab.locator(".runs tbody tr")).to_have_count(1)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # Class and method names in words, not keys.
        expect(lab.locator("[data-visual=recall]")).to_contain_text("minority class")
        expect(lab.locator("[data-visual=recall]")).to_contain_text("oversampling")
        assert not re.search(r"\bloss_none\b|\bmajority\b(?! class)", lab.inner_text())
        screenshot(page, "lab-phone", lab)

    def test_a_link_with_settings_fills_the_form_instead_of_the_last_run(self, page, student, worker):
        """A guided experiment's link carries its starting settings; they are what the learner sees."""
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/linear-regression/")
        lab = page.locator("[data-lab=linear-regression]")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=60000)
        page.goto("/labs/linear-regression/?learning_rate=0.9&steps=300")
        expect(lab.get_by_label("Learning rate")).to_have_value("0.9")
        expect(lab.get_by_label("Steps")).to_have_value("300")
        expect(lab.locator(".state")).to_have_text("Not started")
        page.wait_for_load_state("networkidle")
        expect(lab.get_by_label("Learning rate")).to_have_value("0.9")  # not replaced by the last run's
