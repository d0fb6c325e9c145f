"""The issue's story in a real browser: a learner opens the core-algorithms lesson, starts its guided
experiment, predicts, runs at learning rate 0.9, sees "diverged at step N", answers from their own run and is
graded with an explanation; the dashboard counts it. And a run too long for its lab is refused up front."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import log_in, screenshot
from trainer import budget
from trainer.catalog import LABS
from trainer.catalog.lab import Timing
from trainer.labs.base import measure
from trainer.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.worker]

COURSE = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models"


class GuidedExperimentTests:
    def test_a_learner_predicts_runs_sees_it_diverge_and_is_graded(self, page, student, worker):
        call_command("import_course", str(COURSE), verbosity=0)
        budget.store({"linear-regression": measure(LABS["linear-regression"])})  # as a worker's warm-up does
        log_in(page, "student", "correct horse 1")
        page.goto("/experiments/")  # the index of every guided experiment
        page.locator('a[href="/labs/linear-regression/?experiment=learning-rate-too-large"]').first.click()

        panel = page.locator("[data-experiment-panel]")
        expect(panel.get_by_role("heading", name="A learning rate that is too large")).to_be_visible()
        lab = page.locator("[data-lab=linear-regression]")
        expect(lab.get_by_label("Learning rate")).to_have_value("0.9")
        expect(lab.locator(".estimate")).to_contain_text("Estimated time: about")

        panel.get_by_label("Overshoot further at every step until the loss is no longer a number").check()
        panel.get_by_role("button", name="Commit my prediction").click()
        expect(panel.locator(".said")).to_contain_text("You predicted: Overshoot further")
        expect(panel.locator(".said")).to_be_focused()  # the form has gone: the focus is on what it says
        screenshot(page, "experiment-predicted")

        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator(".state")).to_have_text("Diverged", timeout=60000)
        expect(lab.locator(".detail")).to_contain_text(
            "Diverged at step 185: the learning rate is too large for this curvature."
        )
        job = Job.objects.get()
        expect(panel.get_by_label("Run 1 · Learning rate 0.9 · Steps 300 · Report every 1")).to_have_value(
            str(job.pk)
        )
        panel.get_by_label("At which step did your run diverge?").fill("185")
        panel.get_by_role("button", name="Check my runs").click()
        result = panel.locator(".experiment-result")
        expect(result.locator(".badge")).to_have_text("Passed")
        expect(result.locator(".feedback")).to_contain_text(
            "Your answer is right: your runs give 185, and you answered 185."
        )
        expect(result.locator(".explanation math").first).to_be_visible()
        expect(result).to_be_focused()
        screenshot(page, "experiment-graded", panel)

        page.goto("/dashboard/")
        expect(page.locator(".experiments-count")).to_contain_text("1 of ")
        expect(page.locator(".experiments-done")).to_contain_text("A learning rate that is too large")

    def test_a_run_too_long_for_its_lab_is_refused_before_anything_is_queued(
        self, page, student, worker, worker_at_rest
    ):
        """On a worker that measured the rnn at 0.2 s a step (a busy machine), 3,000 steps cannot fit."""
        budget.store({"rnn": Timing(setup_s=0.5, step_s=0.2)})
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/rnn/")
        lab = page.locator("[data-lab=rnn]")
        lab.get_by_label("Steps").fill("3000")
        expect(lab.locator(".estimate")).to_contain_text("longer than this lab's limit of 6 min 40 s")
        lab.get_by_role("button", name="Start training").click()
        expect(lab.locator("[data-field=steps] .field-error")).to_contain_text("at most 1597 for “Steps”")
        assert not Job.objects.exists()
