"""A signed-in learner cannot fill the disk: text is stored as text, a question that takes no answer stores
none, and what a learner stores in a day has a budget, with a clear message in their language."""

import pytest
from django.db import connection

from quizzes.models import Attempt, Kind, Quiz, Response

ESSAY = "梯度下降沿着损失函数的负梯度方向更新参数。" * 900  # 19,800 characters, about 59 KB as UTF-8


@pytest.fixture
def quiz(course, settings):
    """The fixture quiz with an essay and a description, and throttles that do not get in the way."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "anonymous-write": "10000/minute", "learner-write": "10000/minute"}}  # fmt: skip
    found = Quiz.objects.get(slug="gradients")
    found.questions.create(kind=Kind.ESSAY, name="explain", text_md="Explain gradient descent.")
    found.questions.create(kind=Kind.DESCRIPTION, name="read", text_md="Read this first.")
    return found


def answer(client, quiz, kind, text, lang="en"):
    """An attempt that answers the question of `kind` with `text`, and the first question with a number (an
    attempt that answers nothing is refused)."""
    question, first = quiz.questions.get(kind=kind), quiz.questions.get(name="gd-step")
    answers = {str(first.pk): "2", str(question.pk): text}
    return client.post(f"/api/quizzes/{quiz.slug}/attempts/", {"answers": answers},
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip


@pytest.mark.django_db
class StorageTests:
    def test_a_chinese_essay_is_stored_as_text_not_escapes(self, client, quiz, student):
        client.force_login(student)
        assert answer(client, quiz, Kind.ESSAY, ESSAY).status_code == 201
        with connection.cursor() as cursor:
            essay = quiz.questions.get(kind=Kind.ESSAY).pk
            cursor.execute("SELECT CAST(given AS TEXT) FROM quizzes_response WHERE question_id = %s", [essay])
            (raw,) = cursor.fetchone()
        assert "梯度下降" in raw and "\\u68af" not in raw
        assert len(raw.encode()) < 1.1 * len(ESSAY.encode())

    def test_an_answer_to_a_question_that_takes_none_is_not_stored(self, client, quiz, student):
        client.force_login(student)
        assert answer(client, quiz, Kind.DESCRIPTION, "x" * 19_000).status_code == 201
        assert Response.objects.get(question__kind=Kind.DESCRIPTION).given is None

    def test_a_learner_has_a_daily_budget_with_a_message_in_their_language(
        self, client, quiz, student, other_student, settings
    ):
        settings.LEARNER_STORAGE_PER_DAY = 150_000  # two such essays fit, the third does not
        client.force_login(student)
        assert [answer(client, quiz, Kind.ESSAY, ESSAY).status_code for _ in range(2)] == [201, 201]
        refused = answer(client, quiz, Kind.ESSAY, ESSAY, lang="zh-hans")
        assert refused.status_code == 429 and refused.json()["code"] == "storage_budget"
        assert "今天" in refused.json()["detail"] and int(refused["Retry-After"]) > 0
        assert Attempt.objects.filter(user=student).count() == 2
        client.force_login(other_student)  # a budget per learner: another's is whole
        assert answer(client, quiz, Kind.ESSAY, ESSAY).status_code == 201
