"""The class's gradebook CSV, in the forms Canvas's and Moodle's grade imports document: one row a learner, one
column a quiz or experiment, and the total."""

import csv
import io

import pytest
from django.urls import reverse

from experiments.models import Experiment, Prediction, Submission
from quizzes.models import Attempt, Quiz


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def graded(klass, student, other_student, course, django_user_model):
    """The student scored 60% then 80% on the quiz and passed an experiment; a second member did nothing;
    a non-member's work must not appear."""
    quiz = Quiz.objects.get()
    Attempt.objects.create(quiz=quiz, user=student, score=3, max_score=5)
    Attempt.objects.create(quiz=quiz, user=student, score=4, max_score=5, number=2)
    Attempt.objects.create(quiz=quiz, user=other_student, score=5, max_score=5)
    experiment = Experiment.objects.create(slug="step", lesson=quiz.lesson, lab="linear-regression",
                                           title="=Too large a step", prediction_kind="choice", predict="?",
                                           instructions_md="Run it.", explanation_md="It diverges.")  # fmt: skip
    prediction = Prediction.objects.create(owner=student, experiment=experiment, value=0)
    Submission.objects.create(
        owner=student, experiment=experiment, prediction=prediction, jobs=[], passed=True
    )
    idle = django_user_model.objects.create_user(
        "idle", email="idle@example.org", first_name="Ida", last_name="Le"
    )
    klass.learners.add(idle)
    return quiz


@pytest.mark.django_db
class GradebookTests:
    def test_it_writes_canvas_import_columns_and_points_possible(self, client, teacher, klass, graded):
        client.force_login(teacher)
        rows = rows_of(client.get(reverse("class_gradebook", args=[klass.pk]), {"format": "canvas"}))
        # Canvas: Student, ID, SIS User ID, SIS Login ID, Section first, then assignments; "Points Possible" row.
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                           f"Quiz: {graded.title}", "Experiment: =Too large a step", "Final Score"]  # fmt: skip
        assert rows[1] == ["Points Possible", "", "", "", "", "100", "100", "200"]
        assert rows[2:] == [["Ida Le", "", "", "idle", "Year 11 AI", "", "", "0"],
                            ["student", "", "", "student", "Year 11 AI", "80", "100", "180"]]  # fmt: skip

    def test_it_writes_moodle_import_columns(self, client, teacher, klass, graded):
        client.force_login(teacher)
        response = client.get(reverse("class_gradebook", args=[klass.pk]), {"format": "moodle"})
        rows = rows_of(response)
        assert response.content.count(b"\r\n") == 3  # RFC 4180 line ends
        # Moodle: a user-identifying column (Username or Email address) to map from, then grade columns.
        assert rows[0][:4] == ["Username", "Email address", "First name", "Last name"]
        assert rows[0][-1] == "Course total"
        assert rows[1:] == [["idle", "idle@example.org", "Ida", "Le", "", "", "0"],
                            ["student", "", "", "", "80", "100", "180"]]  # fmt: skip

    def test_an_assigned_quiz_nobody_took_has_a_column(self, client, teacher, klass, course):
        from classes.models import Assignment

        Assignment.objects.create(klass=klass, quiz=Quiz.objects.get(), due_at="2026-12-14T17:00Z")
        client.force_login(teacher)
        rows = rows_of(client.get(reverse("class_gradebook", args=[klass.pk]), {"format": "canvas"}))
        assert rows[0][5].startswith("Quiz: ") and rows[2][5:] == ["", "0"]

    def test_it_refuses_an_unknown_format(self, client, teacher, klass):
        client.force_login(teacher)
        assert client.get(reverse("class_gradebook", args=[klass.pk]), {"format": "xls"}).status_code == 400
