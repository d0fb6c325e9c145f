"""A teacher sees only their own classes, and only their own classes' learners and what those did: another
class's learner, attempt, submission or run is a 404, as is any teacher page for a learner."""

import pytest
from django.urls import reverse

from experiments.models import Experiment, Prediction, Submission
from quizzes.models import Attempt, Quiz
from trainer.models import Job


def work_of(user, course) -> dict:
    """One of each thing a learner leaves behind: a quiz attempt, a run, an experiment submission."""
    quiz = Quiz.objects.get()
    experiment = Experiment.objects.create(slug=f"exp-{user.pk}", lesson=quiz.lesson, lab="linear-regression",
                                           title="Too large a step", prediction_kind="choice",
                                           predict="What happens?", instructions_md="Run it.",
                                           explanation_md="It diverges.")  # fmt: skip
    prediction = Prediction.objects.create(owner=user, experiment=experiment, value=0)
    job = Job.objects.create(owner=user, lab="linear-regression", params={"lr": 3.0}, status="succeeded")
    return {
        "attempt": Attempt.objects.create(quiz=quiz, user=user, score=1, max_score=5),
        "submission": Submission.objects.create(
            owner=user, experiment=experiment, prediction=prediction, jobs=[job.pk], passed=True
        ),
        "run": job,
    }


@pytest.mark.django_db
class TeacherAccessTests:
    def test_it_shows_a_teacher_their_learners_work(self, client, teacher, student, klass, course):
        work = work_of(student, course)
        client.force_login(teacher)
        page = client.get(reverse("class", args=[klass.pk])).content.decode()
        assert "student" in page and "20%" in page
        for name, url_name in (("attempt", "class_attempt"), ("submission", "class_submission"),
                               ("run", "class_run")):  # fmt: skip
            assert client.get(reverse(url_name, args=[klass.pk, work[name].pk])).status_code == 200
        assert client.get(reverse("class_learner", args=[klass.pk, student.pk])).status_code == 200

    def test_it_is_404_for_another_teachers_class(self, client, teacher, other_class):
        client.force_login(teacher)
        for url_name in ("class", "class_gradebook"):
            assert client.get(reverse(url_name, args=[other_class.pk])).status_code == 404
        assert client.get(reverse("class_quiz", args=[other_class.pk, "gradients"])).status_code == 404
        assert "Evening course" not in client.get(reverse("classes")).content.decode()

    def test_it_is_404_for_another_classs_learner_and_their_work(
        self, client, teacher, klass, other_student, other_class, course
    ):
        work = work_of(other_student, course)
        client.force_login(teacher)
        assert client.get(reverse("class_learner", args=[klass.pk, other_student.pk])).status_code == 404
        for name, url_name in (("attempt", "class_attempt"), ("submission", "class_submission"),
                               ("run", "class_run")):  # fmt: skip
            assert client.get(reverse(url_name, args=[klass.pk, work[name].pk])).status_code == 404

    def test_it_is_404_for_a_learner_who_is_not_a_teacher(self, client, student, klass):
        client.force_login(student)
        assert client.get(reverse("class", args=[klass.pk])).status_code == 404
        assert client.get(reverse("class_learner", args=[klass.pk, student.pk])).status_code == 404

    def test_staff_see_only_the_classes_they_teach(self, client, staff, klass):
        client.force_login(staff)
        assert client.get(reverse("class", args=[klass.pk])).status_code == 404

    def test_a_teacher_whose_role_is_taken_away_sees_nothing(self, client, teacher, klass):
        teacher.user_permissions.clear()
        client.force_login(teacher)
        assert client.get(reverse("class", args=[klass.pk])).status_code == 404

    def test_a_visitor_is_sent_to_log_in(self, client, klass):
        response = client.get(reverse("class", args=[klass.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
