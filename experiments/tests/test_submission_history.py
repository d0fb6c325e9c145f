"""A learner's past submissions to an experiment are reachable, theirs only, a retired experiment's too."""

import pytest

from experiments.models import Experiment, Prediction, Submission


@pytest.mark.django_db
class SubmissionHistoryTests:
    def test_it_lists_my_submissions_newest_first_and_not_anyone_elses(
        self, experiments, client, student, other_student
    ):
        experiment = Experiment.objects.first()
        for owner, passed in ((student, False), (student, True), (other_student, True)):
            prediction = Prediction.objects.create(owner=owner, experiment=experiment, value=1)
            Submission.objects.create(
                owner=owner, experiment=experiment, prediction=prediction, jobs=[], values={}, passed=passed
            )
        client.force_login(student)
        rows = client.get(f"/api/experiments/{experiment.slug}/submissions/").json()
        assert [row["passed"] for row in rows] == [True, False]
        Experiment.objects.filter(pk=experiment.pk).update(retired=True)
        assert len(client.get(f"/api/experiments/{experiment.slug}/submissions/").json()) == 2
