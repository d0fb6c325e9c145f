"""A teacher assigns a lesson, quiz or guided experiment to their class with a due date; its learners see what is
due on their progress page, and whether they have done it; nobody else sees it."""

import pytest
from django.urls import reverse

from classes.models import Assignment
from quizzes.models import Attempt, Quiz


@pytest.mark.django_db
class AssignmentTests:
    def test_a_teacher_assigns_a_quiz_and_the_learner_sees_it_due(
        self, client, teacher, student, klass, course
    ):
        quiz = Quiz.objects.get()
        client.force_login(teacher)
        response = client.post(reverse("class_assign", args=[klass.pk]),
                               {"target": f"quiz:{quiz.pk}", "due": "2026-12-14T17:00"})  # fmt: skip
        assert response.status_code == 302
        assignment = Assignment.objects.get()
        assert assignment.quiz == quiz and assignment.due_at.day == 14
        client.force_login(student)
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert quiz.title in page and "To do" in page and "Year 11 AI" in page
        Attempt.objects.create(quiz=quiz, user=student, score=1, max_score=5)
        assert "Done" in client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def test_a_learner_of_another_class_does_not_see_it(
        self, client, teacher, other_student, klass, other_class, course
    ):
        Assignment.objects.create(klass=klass, quiz=Quiz.objects.get(), due_at="2026-12-14T17:00Z")
        client.force_login(other_student)
        assert "To do" not in client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def test_it_refuses_a_missing_target_or_date_with_a_message(self, client, teacher, klass, course):
        client.force_login(teacher)
        url = reverse("class_assign", args=[klass.pk])
        wrong = client.post(
            url, {"target": "quiz:999999", "due": "2026-12-14T17:00"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert (
            wrong.status_code == 400
            and "Choose a lesson, quiz or guided experiment" in wrong.content.decode()
        )
        undated = client.post(
            url, {"target": f"quiz:{Quiz.objects.get().pk}", "due": "soon"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert undated.status_code == 400 and "Give the date and time it is due" in undated.content.decode()
        assert (
            client.post(
                url, {"target": f"quiz:{Quiz.objects.get().pk}", "due": "2026-02-31T17:00"}
            ).status_code
            == 400
        )
        assert not Assignment.objects.exists()

    def test_it_is_404_to_assign_to_another_teachers_class(self, client, teacher, other_class, course):
        client.force_login(teacher)
        url = reverse("class_assign", args=[other_class.pk])
        assert (
            client.post(
                url, {"target": f"quiz:{Quiz.objects.get().pk}", "due": "2026-12-14T17:00"}
            ).status_code
            == 404
        )
        assert not Assignment.objects.exists()
