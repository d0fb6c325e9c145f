"""A student takes a quiz in the browser with the keyboard only, sees per-answer feedback and the score,
retries, and finds the best score on the dashboard."""

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot

pytestmark = pytest.mark.browser


class QuizInTheBrowserTests:
    def test_a_student_takes_the_quiz_with_the_keyboard_and_finds_the_best_score(self, page, course, student):
        log_in(page, "student", "correct horse 1")
        page.goto("/quizzes/gradients/")
        quiz = page.locator(".quiz")
        questions = quiz.locator(".question")
        expect(questions).to_have_count(5)

        questions.nth(0).get_by_label("Your answer").focus()
        page.keyboard.type("1.6")
        questions.nth(1).get_by_label("Along the gradient").focus()  # a wrong answer, on purpose
        page.keyboard.press("Space")
        questions.nth(2).get_by_label("True").focus()
        page.keyboard.press("Space")
        questions.nth(3).get_by_label("SGD").focus()
        page.keyboard.press("Space")
        questions.nth(4).get_by_label("Your answer").focus()
        page.keyboard.type("ReLU")
        page.get_by_role("button", name="Check my answers").focus()
        page.keyboard.press("Enter")

        expect(page.get_by_text("Your score: 70%")).to_be_visible()
        expect(questions.nth(1)).to_contain_text("That makes the loss grow.")
        expect(questions.nth(1)).to_contain_text("The negative gradient is where the loss falls fastest.")
        expect(questions.nth(3)).to_contain_text("Partly right (50%)")
        expect(page.locator(".summary, [role=status]").first).to_be_focused()
        screenshot(page, "quiz-feedback", page.locator(".quiz"))

        page.get_by_role("button", name="Try again").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Check my answers")).to_be_visible()
        questions = page.locator(".quiz .question")
        questions.nth(0).get_by_label("Your answer").focus()
        page.keyboard.type("1.6")
        questions.nth(1).get_by_label("Against the gradient").focus()
        page.keyboard.press("Space")
        questions.nth(2).get_by_label("True").focus()
        page.keyboard.press("Space")
        for option in ("SGD", "Adam"):
            questions.nth(3).get_by_label(option).focus()
            page.keyboard.press("Space")
        questions.nth(4).get_by_label("Your answer").focus()
        page.keyboard.type("relu")
        page.get_by_role("button", name="Check my answers").focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        expect(page.get_by_text("Your score: 100%")).to_be_visible()

        page.goto("/dashboard/")
        expect(page.locator("table.scores")).to_contain_text("100%")
        expect(page.locator("table.scores")).to_contain_text("Gradient descent")

    def test_the_quiz_at_the_end_of_a_lesson_works_too(self, page, course):
        page.goto("/courses/test-course/gradients/")
        embed = page.locator(".quiz-embed")
        expect(embed.locator(".question")).to_have_count(5)
        embed.get_by_role("button", name="Check my answers").click()  # nothing answered: refused, kept
        expect(embed.get_by_text("Answer at least one question before you submit.")).to_be_visible()
        embed.locator(".question").nth(0).get_by_label("Your answer").fill("2")
        embed.get_by_role("button", name="Check my answers").click()
        expect(embed.get_by_text("Your score: 0%")).to_be_visible()

    def test_the_questions_read_without_javascript(self, browser, asgi_server, course):
        context = browser.new_context(base_url=asgi_server.url, locale="en-US", java_script_enabled=False)
        tab = context.new_page()
        tab.goto("/quizzes/gradients/")
        expect(tab.locator(".quiz .question")).to_have_count(5)
        expect(tab.get_by_text("Which way does gradient descent move the parameters?")).to_be_visible()
        expect(tab.get_by_label("Against the gradient")).to_be_visible()
        expect(tab.get_by_role("button", name="Check my answers")).to_be_disabled()
        context.close()

    def test_a_quiz_that_counts_attempts_asks_a_visitor_to_log_in_and_counts_a_students(
        self, page, course, student
    ):
        from quizzes.models import Quiz

        Quiz.objects.filter(slug="gradients").update(max_attempts=2)
        page.goto("/quizzes/gradients/")
        expect(page.get_by_text("Log in to take this quiz: it counts your attempts.")).to_be_visible()
        expect(page.get_by_role("button", name="Check my answers")).to_be_disabled()

        log_in(page, "student", "correct horse 1")
        page.goto("/quizzes/gradients/")
        expect(page.get_by_text("Attempts left: 2 of 2")).to_be_visible()
        expect(page.get_by_text("Log in to take this quiz: it counts your attempts.")).to_be_hidden()
        expect(page.get_by_text("Your attempts and scores are kept in My progress.")).to_be_visible()
        page.locator(".quiz .question").nth(0).get_by_label("Your answer").fill("2")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Your score: 0%")).to_be_visible()
        expect(page.get_by_text("Attempts left: 1 of 2")).to_be_visible()
        page.get_by_role("button", name="Try again").click()
        questions = page.locator(".quiz .question")
        expect(questions.nth(0).get_by_label("Your answer")).to_be_focused()
        expect(questions.nth(0).get_by_label("Your answer")).to_be_enabled()
        expect(page.locator(".quiz .result:not(:empty)")).to_have_count(0)
        questions.nth(0).get_by_label("Your answer").fill("2")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("Attempts left: 0 of 2")).to_be_visible()
        expect(page.get_by_role("button", name="Try again")).to_have_count(0)


class QuizErrorsInTheBrowserTests:
    def test_a_questions_error_is_shown_in_words_not_as_an_object(self, page, course, student):
        log_in(page, "student", "correct horse 1")
        page.goto("/quizzes/gradients/")
        page.locator(".quiz .question").nth(0).get_by_label("Your answer").fill("one point six")
        page.get_by_role("button", name="Check my answers").click()
        error = page.get_by_text("is not a number")
        expect(error).to_be_visible()
        expect(error).not_to_contain_text("[object Object]")
        expect(error).not_to_contain_text("invalid")
