"""The editor in a real browser: a learner opens an exercise, types into CodeMirror (Python highlighted),
checks with Ctrl+Enter, reads what failed in words, fixes it, passes, and finds the draft kept after a reload;
the keyboard leaves the editor with Esc then Tab; on a phone the page fits and Check works by touch; axe finds
no serious violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot
from core.tests.test_accessibility import violations
from exercises import sandbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.skipif(not sandbox.available(), reason=f"no sandbox here: {sandbox.probe()}"),
]

URL = "/exercises/stable-softmax-cross-entropy/"
STABLE = """import numpy as np

def softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])
"""


def replace_code(page, text: str) -> None:
    """Replaces the editor's text in one change, as a paste does (typing line by line would meet CodeMirror's
    auto-indent and closing brackets, which a learner's paste does not)."""
    page.locator(".cm-content").click()
    page.evaluate(
        """(text) => { const view = CodeMirror.EditorView.findFromDOM(document.querySelector('.cm-editor'));
             view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}, userEvent: 'input.paste'}); }""",
        text,
    )


class EditorTests:
    def test_a_learner_fails_in_words_then_passes_and_keeps_the_draft(self, page, student, worker) -> None:
        log_in(page, "student", "correct horse 1")
        page.goto(URL)
        expect(page.get_by_role("heading", name="A stable softmax and cross-entropy")).to_be_visible()
        expect(page.locator(".cm-editor")).to_be_visible()
        expect(
            page.locator(".cm-content .tok-keyword, .cm-content [class*=ͼ]").first
        ).to_be_visible()  # highlighted
        page.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")  # the starter: unstable
        result = page.locator(".exercise-result")
        expect(result.locator(".verdict")).to_have_text("Not yet. What did not hold:", timeout=30000)
        expect(result.locator(".failed li").first).to_have_text("Large logits give NaN or inf")
        screenshot(page, "exercise-failed", page.locator(".exercise"))

        replace_code(page, STABLE)
        page.get_by_role("button", name="Check").click()
        expect(result.locator(".verdict")).to_have_text("Passed: every hidden test holds.", timeout=30000)
        expect(page.get_by_role("button", name="Show the solution")).to_be_visible()

        page.reload()
        expect(page.locator(".cm-content")).to_contain_text("shifted = logits - logits.max")

    def test_the_keyboard_leaves_the_editor_with_escape_then_tab(self, page, student) -> None:
        log_in(page, "student", "correct horse 1")
        page.goto(URL)
        page.locator(".cm-content").click()
        page.keyboard.press("Tab")  # indents, stays
        expect(page.locator(".cm-content")).to_be_focused()
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Check")).to_be_focused()

    def test_it_works_on_a_phone_and_has_no_serious_accessibility_violation(
        self, page, student, worker
    ) -> None:
        log_in(page, "student", "correct horse 1")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(URL)
        expect(page.locator(".cm-editor")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        box = page.get_by_role("button", name="Check").bounding_box()
        assert box and box["height"] >= 44
        page.get_by_role("button", name="Check").click()
        expect(page.locator(".exercise-result .verdict")).to_have_text(
            "Not yet. What did not hold:", timeout=30000
        )
        screenshot(page, "exercise-phone")
        assert violations(page) == []
