"""A quiz as a learner comes back to it: a wrong-shaped answer is explained beside its question and focused,
answers not yet sent survive a reload, past attempts reopen with their answers and feedback, the questions
missed can be retried alone, and the right option is told in words, not by colour alone."""

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot
from quizzes.models import Attempt

pytestmark = pytest.mark.browser


class QuizReviewTests:
    def test_a_number_that_is_not_one_is_explained_beside_its_question(self, page, course, student):
        log_in(page, "student", "correct horse 1")
        page.goto("/quizzes/gradients/")
        first = page.locator(".quiz .question").nth(0)
        first.get_by_label("Your answer").fill("abc")
        page.get_by_role("button", name="Check my answers").click()
        error = first.locator(".question-error")
        expect(error).to_be_visible()
        assert "invalid" not in error.inner_text()
        expect(first.get_by_label("Your answer")).to_be_focused()
        expect(first.get_by_label("Your answer")).to_have_attribute("aria-invalid", "true")
        assert not Attempt.objects.exists()

    def test_answers_survive_a_reload_and_past_attempts_reopen(self, page, course, student):
        log_in(page, "student", "correct horse 1")
        page.goto("/quizzes/gradients/")
        questions = page.locator(".quiz .question")
        questions.nth(0).get_by_label("Your answer").fill("1.6")
        questions.nth(1).get_by_label("Along the gradient").check()
        page.reload()
        questions = page.locator(".quiz .question")
        expect(questions.nth(0).get_by_label("Your answer")).to_have_value("1.6")
        expect(questions.nth(1).get_by_label("Along the gradient")).to_be_checked()

        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Your score: 20%")).to_be_visible()
        # The right option says so in words; the learner's wrong choice too.
        expect(questions.nth(1).locator("label.correct")).to_contain_text("right answer")
        expect(questions.nth(1).locator("label.wrong")).to_contain_text("your choice, not right")

        page.get_by_role("button", name="Retry the 4 I missed").click()
        expect(questions.nth(0).get_by_label("Your answer")).to_be_disabled()  # right last time: kept
        expect(questions.nth(0).get_by_label("Your answer")).to_have_value("1.6")
        questions.nth(1).get_by_label("Against the gradient").check()
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Your score: 40%")).to_be_visible()
        assert Attempt.objects.filter(user=student).count() == 2

        page.reload()
        history = page.locator(".quiz-history")
        history.locator("summary").click()
        expect(history).to_contain_text("Attempt 1 · 20%")
        history.get_by_role("button", name="Review attempt 1").click()
        expect(page.get_by_text("Your score: 20%")).to_be_visible()
        expect(questions.nth(1).get_by_label("Along the gradient")).to_be_checked()
        expect(questions.nth(1)).to_contain_text("That makes the loss grow.")
        screenshot(page, "quiz-review", page.locator(".quiz-embed"))
