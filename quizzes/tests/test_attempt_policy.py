"""Right answers, feedback and explanations reach a reader only when the quiz's policy allows it: on a quiz
that counts attempts, after the learner's last one; there is no anonymous side door."""

import pytest

from quizzes.models import Attempt, Quiz

from .test_attempts import one_wrong_answer, right_answers, submit


def withheld(body: dict) -> bool:
    return not body["answers_shown"] and all(
        not q["correct_answers"]
        and not q["option_feedback"]
        and not q["feedback_html"]
        and not q["explanation_html"]
        for q in body["questions"]
    )


@pytest.mark.django_db
class AttemptPolicyTests:
    @pytest.fixture(autouse=True)
    def limited(self, course):
        Quiz.objects.filter(slug="gradients").update(max_attempts=2)

    def test_an_anonymous_reader_cannot_try_a_quiz_that_counts_attempts(self, client, course):
        assert (
            "Log in"
            in client.get("/api/quizzes/gradients/", HTTP_ACCEPT_LANGUAGE="en").json()["sign_in_note"]
        )
        response = submit(client, one_wrong_answer(course))
        assert response.status_code == 401 and "Log in" in response.json()["detail"]
        assert response["WWW-Authenticate"] == "Token"  # nobody signed in: 401; 403 is for a known user
        assert "correct_answers" not in response.content.decode()
        assert not Attempt.objects.exists()

    def test_the_answers_come_with_the_last_attempt_not_before(self, client, course, student):
        client.force_login(student)
        first = submit(client, one_wrong_answer(course))
        assert first.status_code == 201 and withheld(first.json())
        assert "last attempt" in first.json()["review_note"]
        assert withheld(client.get(f"/api/attempts/{first.json()['id']}/", HTTP_ACCEPT_LANGUAGE="en").json())
        last = submit(client, right_answers(course))
        assert last.json()["answers_shown"] and last.json()["attempts_left"] == 0
        assert any(q["correct_answers"] for q in last.json()["questions"])
        earlier = client.get(f"/api/attempts/{first.json()['id']}/").json()
        assert earlier["answers_shown"] and any(q["explanation_html"] for q in earlier["questions"])

    def test_a_quiz_without_a_limit_shows_everything_at_once(self, client, course):
        Quiz.objects.filter(slug="gradients").update(max_attempts=0)
        body = submit(client, one_wrong_answer(course)).json()
        assert body["answers_shown"] and any(q["correct_answers"] for q in body["questions"])
