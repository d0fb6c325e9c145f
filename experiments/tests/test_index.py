"""Experiments are found and counted: an index of every guided experiment by lesson and lab with the
learner's status, linked from the navigation; each lab page lists its own; a passed experiment counts for the
concepts it names; mastery is the learner's best evidence."""

import pytest
from playwright.sync_api import expect

from conftest import log_in, screenshot
from experiments.models import Experiment, Prediction, Submission
from lessons.mastery import mastery
from quizzes.models import Attempt, Question, Response

from .conftest import attach


def statuses(page: str) -> dict[str, str]:
    """slug -> status, read off the index page's rows."""
    found = {}
    for row in page.split('<tr data-experiment="')[1:]:
        slug = row.split('"', 1)[0]
        found[slug] = row.split('data-status="', 1)[1].split('"', 1)[0]
    return found


def passed(owner, experiment: Experiment, ok: bool = True) -> None:
    prediction = Prediction.objects.create(owner=owner, experiment=experiment, value=0)
    Submission.objects.create(
        owner=owner, experiment=experiment, prediction=prediction, jobs=[], values={}, passed=ok
    )


@pytest.mark.django_db
class ExperimentIndexTests:
    def test_it_lists_every_experiment_by_lesson_with_its_lab_and_the_learners_status(
        self, client, student, experiments
    ):
        client.force_login(student)
        first, second = Experiment.objects.order_by("order")[:2]
        Prediction.objects.create(owner=student, experiment=first, value=2)
        passed(student, second)
        page = client.get("/experiments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        found = statuses(page)
        assert set(found) == set(Experiment.objects.values_list("slug", flat=True))
        assert found[first.slug] == "predicted" and found[second.slug] == "passed"
        assert list(found.values()).count("not-started") == len(found) - 2
        assert f"1 of {len(found)} experiments passed" in page
        assert f'href="{first.get_absolute_url()}"'.replace("&", "&amp;") in page
        assert 'href="/labs/rnn/"' in page and "Recurrent network" in page

    def test_a_visitor_sees_every_experiment_not_started_and_in_their_language(self, client, experiments):
        page = client.get("/experiments/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert set(statuses(page).values()) == {"not-started"}
        assert "引导实验" in page and "学习率太大会怎样" in page and "未开始" in page

    def test_the_navigation_links_to_it(self, client, experiments):
        page = client.get("/labs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<a href="/experiments/"' in page

    def test_a_lab_page_lists_its_own_experiments(self, client, student, experiments):
        client.force_login(student)
        passed(student, Experiment.objects.get(slug="rnn-exploding"))
        page = client.get("/labs/rnn/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        section = page[page.index("lab-experiments") :]
        assert "Exploding gradients in a recurrent network" in section and "A gated cell" in section
        assert "A learning rate that is too large" not in section
        assert 'data-status="passed"' in section


@pytest.mark.django_db
class ExperimentMasteryTests:
    def test_a_passed_experiment_counts_for_the_concepts_it_names(self, course, student, tmp_path):
        attach(tmp_path, course, ["learning-rate-too-large"])
        experiment = Experiment.objects.get()
        assert mastery(student)["learning-rate"]["total"] == 0
        passed(student, experiment, ok=False)
        assert mastery(student)["learning-rate"]["state"] == "started"
        passed(student, experiment)
        passed(student, experiment, ok=False)  # a later failed check does not take it away
        assert mastery(student)["learning-rate"]["state"] == "mastered"

    def test_a_later_shorter_quiz_attempt_does_not_undo_mastery(self, course, student):
        questions = list(Question.objects.all())
        first = Attempt.objects.create(quiz=questions[0].quiz, user=student, number=1)
        for question in questions:
            Response.objects.create(attempt=first, question=question, given=None, correct=True)
        before = {slug for slug, s in mastery(student).items() if s["state"] == "mastered"}
        assert before
        later = Attempt.objects.create(quiz=questions[0].quiz, user=student, number=2)
        for question in questions:  # a later attempt that got everything wrong (or skipped it)
            Response.objects.create(attempt=later, question=question, given=None, correct=False)
        after = {slug for slug, s in mastery(student).items() if s["state"] == "mastered"}
        assert after == before


@pytest.mark.browser
class ExperimentIndexBrowserTests:
    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_a_learner_finds_an_experiment_from_the_navigation(
        self, page, student, course, tmp_path, language
    ):
        attach(tmp_path, course)
        prediction = Prediction.objects.create(
            owner=student, experiment=Experiment.objects.get(slug="rnn-cells"), value=0
        )
        Submission.objects.create(
            owner=student,
            experiment=prediction.experiment,
            prediction=prediction,
            jobs=[],
            values={},
            passed=True,
        )
        log_in(page, "student", "correct horse 1")
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base}])
        page.goto("/labs/")
        page.locator("#site-nav a[href='/experiments/']").click()
        expect(page).to_have_url(f"{page.base}/experiments/")
        row = page.locator("tr[data-experiment=rnn-cells]")
        expect(row.locator("[data-status=passed]")).to_be_visible()
        expect(page.locator("tr[data-experiment=rnn-exploding] [data-status=not-started]")).to_be_visible()
        screenshot(page, f"experiments-index-{language}")
        row.locator("td a").first.click()
        expect(page).to_have_url(f"{page.base}/labs/rnn/?experiment=rnn-cells")
