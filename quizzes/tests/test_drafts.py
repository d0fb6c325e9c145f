"""A draft lesson's quiz is a draft: every way in (its page, its API, the list, attempts) says it does not
exist to anyone but staff, and nothing of it (its lesson's address, its answers) leaks."""

import pytest

from lessons.models import Course, Lesson, Status
from quizzes.models import Attempt, Quiz

from .test_attempts import one_wrong_answer, right_answers, submit


@pytest.fixture
def draft(course) -> Quiz:
    """The fixture course's quiz, its lesson turned back into a draft."""
    quiz = Quiz.objects.select_related("lesson").get(slug="gradients")
    Lesson.objects.filter(pk=quiz.lesson_id).update(status=Status.DRAFT)
    return quiz


@pytest.mark.django_db
class DraftQuizTests:
    def test_its_page_does_not_exist_for_a_reader(self, client, draft, student):
        assert client.get("/quizzes/gradients/").status_code == 404
        client.force_login(student)
        assert client.get("/quizzes/gradients/").status_code == 404

    def test_its_api_does_not_exist_for_a_reader(self, client, draft, student):
        assert client.get("/api/quizzes/gradients/").status_code == 404
        client.force_login(student)
        assert client.get("/api/quizzes/gradients/").status_code == 404

    def test_the_list_neither_names_it_nor_its_lesson(self, client, draft, student):
        for who in (None, student):
            if who:
                client.force_login(who)
            body = client.get("/api/quizzes/").content.decode()
            assert "gradients" not in body and draft.lesson.slug not in body

    def test_no_attempt_at_it_gives_the_answers(self, client, draft, course, student):
        anonymous = submit(client, right_answers(course))
        assert anonymous.status_code == 404 and "correct_answers" not in anonymous.content.decode()
        client.force_login(student)
        assert submit(client, right_answers(course)).status_code == 404
        assert not Attempt.objects.exists()

    def test_earlier_attempts_at_it_are_hidden_while_it_is_a_draft(self, client, course, student):
        client.force_login(student)
        made = submit(client, one_wrong_answer(course)).json()["id"]
        Course.objects.update(status=Status.DRAFT)  # a draft course makes its lessons' quizzes drafts too
        assert client.get(f"/api/attempts/{made}/").status_code == 404
        assert client.get("/api/attempts/").json() == []

    def test_staff_still_see_and_try_it_where_students_will(self, client, draft, course, staff):
        client.force_login(staff)
        page = client.get("/quizzes/gradients/")
        assert page.status_code == 200 and "private" in page["Cache-Control"]
        assert client.get("/api/quizzes/gradients/").status_code == 200
        assert "gradients" in client.get("/api/quizzes/").content.decode()
        assert submit(client, right_answers(course)).status_code == 201

    def test_it_is_public_again_once_published(self, client, draft):
        Lesson.objects.filter(pk=draft.lesson_id).update(status=Status.PUBLISHED)
        assert client.get("/api/quizzes/gradients/").status_code == 200
        assert client.get("/quizzes/gradients/").status_code == 200
