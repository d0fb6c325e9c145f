"""Per-learner extensions of an assignment's due date, and a teacher giving a learner their attempts at a limited
quiz back: after a confirmation that says what is kept, with nothing deleted."""

import pytest
from django.urls import reverse

from classes.models import Assignment, Extension
from quizzes.models import Attempt, Quiz
from quizzes.services import attempts_left


@pytest.mark.django_db
class ExtensionTests:
    def test_one_learner_gets_more_time_and_the_class_keeps_its_date(
        self, client, teacher, student, klass, course, django_user_model
    ):
        from classes.models import Membership

        classmate = django_user_model.objects.create_user("classmate", password="x")
        Membership.objects.create(klass=klass, learner=classmate)
        assignment = Assignment.objects.create(
            klass=klass, quiz=Quiz.objects.get(), due_at="2026-12-14T17:00Z"
        )
        client.force_login(teacher)
        url = reverse("class_extend", args=[klass.pk, student.pk])
        response = client.post(url, {"assignment": assignment.pk, "due": "2026-12-21T17:00"})
        assert response.status_code == 302
        assert Extension.objects.get().due_at.day == 21
        client.force_login(student)
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "More time" in page
        client.force_login(classmate)
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "More time" not in page and "To do" in page

    def test_it_refuses_another_class_learner_or_assignment_and_a_missing_date(
        self, client, teacher, student, klass, other_student, other_class, course
    ):
        mine = Assignment.objects.create(klass=klass, quiz=Quiz.objects.get(), due_at="2026-12-14T17:00Z")
        theirs = Assignment.objects.create(
            klass=other_class, quiz=Quiz.objects.get(), due_at="2026-12-14T17:00Z"
        )
        client.force_login(teacher)
        stranger = reverse("class_extend", args=[klass.pk, other_student.pk])
        assert client.post(stranger, {"assignment": mine.pk, "due": "2026-12-21T17:00"}).status_code == 404
        url = reverse("class_extend", args=[klass.pk, student.pk])
        assert client.post(url, {"assignment": theirs.pk, "due": "2026-12-21T17:00"}).status_code == 404
        page = client.post(url, {"assignment": mine.pk, "due": ""}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400 and "Give the date and time it is due." in page.content.decode()
        assert not Extension.objects.exists()


@pytest.mark.django_db
class AttemptResetTests:
    def test_it_asks_first_then_gives_the_attempts_back_and_keeps_them(
        self, client, teacher, student, klass, course
    ):
        quiz = Quiz.objects.get()
        quiz.max_attempts = 2
        quiz.save()
        for number in (1, 2):
            Attempt.objects.create(quiz=quiz, user=student, number=number, score=number, max_score=5)
        assert attempts_left(quiz, student) == 0
        client.force_login(teacher)
        learner_page = client.get(
            reverse("class_learner", args=[klass.pk, student.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        url = reverse("class_reset", args=[klass.pk, student.pk, quiz.slug])
        assert url in learner_page.content.decode()
        confirm = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "2 attempts count now towards the limit of 2" in confirm and "Nothing is deleted." in confirm
        assert attempts_left(quiz, student) == 0  # asking is not doing
        done = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
        assert "2 attempts no longer count towards the limit; they are kept" in done
        assert attempts_left(quiz, student) == 2
        assert Attempt.objects.filter(user=student, quiz=quiz).count() == 2  # kept, scores and all
        assert "reset" in done

    def test_another_teacher_cannot_reset(self, client, other_teacher, student, klass, other_class, course):
        quiz = Quiz.objects.get()
        Attempt.objects.create(quiz=quiz, user=student, score=1, max_score=5)
        client.force_login(other_teacher)
        url = reverse("class_reset", args=[klass.pk, student.pk, quiz.slug])
        assert client.post(url).status_code == 404
        url = reverse("class_reset", args=[other_class.pk, student.pk, quiz.slug])
        assert client.post(url).status_code == 404
        assert not Attempt.objects.filter(reset_at__isnull=False).exists()
