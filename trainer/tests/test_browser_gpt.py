"""A learner in a real browser trains the GPT lab, watches samples and the attention heat map arrive, reloads
mid-run, then talks to the model it trained."""

import re
import signal

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker]

# The tiny model of test_gpt.py, long enough to reload in the middle of it.
SETTINGS = {
    "Text to learn": "faq-en",
    "Context length": "32",
    "Layers": "2",
    "Attention heads": "2",
    "Embedding size": "32",
    "Steps": "400",
    "Batch size": "32",
    "Sample every": "50",
}


class GptInTheBrowserTests:
    def test_a_learner_watches_samples_and_attention_then_talks_to_the_model(self, page, student, worker):
        log_in(page, "student", "correct horse 1")
        page.goto("/labs/gpt/")
        lab = page.locator("[data-lab=gpt]")
        expect(lab.get_by_label("Text to learn")).to_have_value("lessons-en")  # the page's language
        expect(lab.get_by_role("button", name="Write")).to_be_disabled()
        for label, value in SETTINGS.items():
            field = lab.get_by_label(label, exact=True)
            if label == "Text to learn":
                field.select_option(value)
            else:
                field.fill(value)
        lab.get_by_role("button", name="Start training").click()

        samples = lab.locator(".gpt-samples li")
        expect(samples.first).to_contain_text("step 0", timeout=60000)
        expect(samples.first).to_contain_text("The model ")
        heat = lab.locator("[data-visual=attention]")
        expect(heat).to_have_attribute("data-drawn", re.compile(r"^\d+:1:0$"))  # last layer, first head
        lab.get_by_label("Head", exact=True).select_option("2")
        expect(heat).to_have_attribute("data-drawn", re.compile(r"^\d+:1:1$"))
        drawn = page.evaluate(
            """() => { const c = document.querySelector('[data-visual=attention] canvas');
                       const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       let ink = 0; for (let i = 3; i < d.length; i += 4) ink += d[i] > 0; return ink; }"""
        )
        assert drawn > 1000, "the heat map has cells drawn"

        # A reload mid-run picks the same run up, with every sample so far.
        seen = int(lab.locator(".gpt-samples").get_attribute("data-samples"))
        page.reload()
        lab = page.locator("[data-lab=gpt]")
        expect(lab.locator(".gpt-samples")).to_have_attribute(
            "data-samples", re.compile(r"\d+"), timeout=30000
        )
        assert int(lab.locator(".gpt-samples").get_attribute("data-samples")) >= seen
        expect(lab.locator(".state")).to_have_text("Succeeded", timeout=120000)
        expect(lab.locator(".gpt-samples li").first).to_contain_text("step 399")
        expect(lab.locator(".gpt-neighbours tbody tr")).to_have_count(6)
        screenshot(page, "lab-gpt", lab)

        talk = lab.locator(".gpt-talk")
        expect(talk.get_by_label("Prompt")).to_have_value("The model ")
        talk.get_by_label("Length").fill("900")
        talk.get_by_role("button", name="Write").click()
        expect(talk.locator("[data-field=length] .field-error")).to_contain_text("less than or equal to 500")
        talk.get_by_label("Length").fill("120")
        worker.process.send_signal(signal.SIGSTOP)  # no worker free: the generation waits its turn
        try:
            talk.get_by_role("button", name="Write").click()
            expect(talk.locator(".gpt-talk-status")).to_contain_text(
                "Waiting for a free worker", timeout=15000
            )
        finally:
            worker.process.send_signal(signal.SIGCONT)
        written = talk.locator(".gpt-written")
        expect(written).to_have_attribute("data-state", "succeeded", timeout=30000)
        assert len(written.locator(".gpt-continuation").inner_text()) == 120
        expect(talk.locator(".gpt-talk-status")).to_contain_text("120 characters")
        screenshot(page, "lab-gpt-talk", talk)
