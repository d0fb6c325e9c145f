"""A passed exercise counts for the concepts it names, on the dashboard's concept mastery; a miss starts them."""

from __future__ import annotations

import pytest

from exercises.models import Attempt
from lessons.mastery import mastery
from lessons.models import Concept


@pytest.mark.django_db
class ExerciseMasteryTests:
    def test_it_masters_the_exercises_concepts_once_passed(self, student) -> None:
        for slug in ("convolution", "convolutional-neural-network"):
            Concept.objects.create(slug=slug, term=slug.replace("-", " "))
        Attempt.objects.create(
            owner=student, exercise="conv2d-max-pool", source="x", status=Attempt.Status.FAILED
        )
        assert mastery(student)["convolution"]["state"] == "started"
        Attempt.objects.create(
            owner=student, exercise="conv2d-max-pool", source="y", status=Attempt.Status.PASSED
        )
        assert mastery(student)["convolution"]["state"] == "mastered"
        assert mastery(student)["convolutional-neural-network"]["state"] == "mastered"
