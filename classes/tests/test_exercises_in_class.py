"""A teacher sees each learner's code exercises: passed of all on the class page, and per exercise the tries
and whether one passed on the learner's page — another class's learner stays a 404."""

import pytest

from exercises.models import Attempt


@pytest.mark.django_db
class ExercisesInClassTests:
    def test_the_class_and_the_learner_pages_show_the_code_exercises(self, client, teacher, student, klass):
        Attempt.objects.create(owner=student, exercise="linear-gradient-step", source="x", status="failed")
        Attempt.objects.create(owner=student, exercise="linear-gradient-step", source="y", status="passed")
        Attempt.objects.create(owner=student, exercise="causal-attention", source="z", status="failed")
        client.force_login(teacher)
        page = client.get(f"/classes/{klass.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Code exercises passed" in page and "1 / 7" in page
        learner = client.get(f"/classes/{klass.pk}/learners/{student.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        text = learner.content.decode()
        assert learner.status_code == 200 and "Code exercises" in text
        step, attention = text.index("gradient-descent step"), text.index("Scaled dot-product attention")
        assert step < attention, "in the course's order"
        assert text.count("Passed") >= 1 and ">2<" in text, "two tries of the gradient step, one passed"

    def test_another_teachers_learner_is_not_found(self, client, other_teacher, student, klass):
        client.force_login(other_teacher)
        assert client.get(f"/classes/{klass.pk}/learners/{student.pk}/").status_code == 404
