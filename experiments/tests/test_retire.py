"""An experiment removed from the course folder: kept while learners' predictions hang on it, else deleted."""

import pytest

from experiments.models import Experiment
from experiments.services import prediction_commit
from lessons.content import Report

from ..content import load_course_experiments
from .conftest import attach

NAME = "learning-rate-too-large"


@pytest.mark.django_db
class RetireTests:
    def test_an_experiment_with_predictions_is_retired_and_offered_no_more(
        self, client, course, student, tmp_path
    ):
        folder = attach(tmp_path, course, [NAME, "learning-rate-and-steps"])
        experiment = Experiment.objects.get(slug__contains=NAME)
        value = 0 if experiment.prediction_kind == Experiment.Prediction.CHOICE else 1.0
        prediction_commit(owner=student, experiment=experiment, value=value)
        for path in folder.glob(f"*{NAME}*"):
            path.unlink()
        report = Report()
        load_course_experiments(course, folder, report)
        experiment.refresh_from_db()
        assert experiment.retired and report.retired == [f"experiment {experiment.slug}"]
        assert experiment.predictions.count() == 1
        listed = [row["slug"] for row in client.get("/api/experiments/").json()]
        assert experiment.slug not in listed and listed
        assert client.get(f"/api/experiments/{experiment.slug}/").status_code == 404

    def test_an_experiment_nobody_tried_is_deleted(self, course, tmp_path):
        folder = attach(tmp_path, course, [NAME, "learning-rate-and-steps"])
        for path in folder.glob(f"*{NAME}*"):
            path.unlink()
        report = Report()
        load_course_experiments(course, folder, report)
        assert len(report.deleted) == 1 and not Experiment.objects.filter(slug__contains=NAME).exists()
