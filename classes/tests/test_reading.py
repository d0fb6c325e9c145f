"""Reading the class: a guided experiment's pass rate, common wrong answers and predictions against outcomes;
the share of the class that mastered each concept; matching and Cloze answers and formulas shown readably."""

import pytest
from django.urls import reverse

from classes.models import Membership
from classes.readable import math_text
from experiments.models import Experiment, Prediction, Submission
from lessons.tests.test_concept_map import answer, tied_to
from quizzes.models import Answer, Attempt, Kind, Question, Quiz, Response


def divergence_experiment(course) -> Experiment:
    return Experiment.objects.create(
        slug="too-large-a-step", lesson=Quiz.objects.get().lesson, lab="linear-regression",
        title="Too large a step", prediction_kind="choice", predict="What will $\\eta = 3$ do?",
        choices="It converges\nIt diverges", instructions_md="Run it.", explanation_md="It diverges.",
        grading={"kind": "value"},
    )  # fmt: skip


def submit(user, experiment, *, predicted: int, happened: bool | None, passed: bool, answer=None) -> None:
    prediction = Prediction.objects.create(owner=user, experiment=experiment, value=predicted)
    Submission.objects.create(owner=user, experiment=experiment, prediction=prediction, jobs=[], answer=answer,
                              passed=passed, values={"prediction_happened": happened})  # fmt: skip


@pytest.mark.django_db
class ExperimentReadingTests:
    def test_it_counts_passes_wrong_answers_and_predictions_of_the_class_only(
        self, client, teacher, student, klass, course, django_user_model, other_student, other_class
    ):
        experiment = divergence_experiment(course)
        classmate = django_user_model.objects.create_user("classmate", password="x")
        Membership.objects.create(klass=klass, learner=classmate)
        submit(student, experiment, predicted=1, happened=True, passed=False, answer=7)
        submit(student, experiment, predicted=1, happened=True, passed=True, answer=12)
        submit(classmate, experiment, predicted=0, happened=False, passed=False, answer=7.0)
        submit(
            other_student, experiment, predicted=0, happened=False, passed=False, answer=99
        )  # not this class
        client.force_login(teacher)
        page = client.get(
            reverse("class_experiment", args=[klass.pk, experiment.slug]), HTTP_ACCEPT_LANGUAGE="en"
        )
        stats = page.context["stats"]
        assert (stats.tried, stats.passed, stats.pass_rate) == (2, 1, 50.0)
        assert stats.wrong == [("7", 2)]  # both wrong sevens, the other class's 99 never
        by_prediction = {row["prediction"]: row for row in stats.predictions}
        assert by_prediction["It diverges"] == {
            "prediction": "It diverges",
            "learners": 1,
            "happened": 1,
            "not": 0,
        }
        assert by_prediction["It converges"]["not"] == 1
        html = page.content.decode()
        assert "<math>" in html and "$\\eta" not in html  # the question's formula typeset, not raw TeX

    def test_another_teacher_cannot_read_it(self, client, other_teacher, klass, course):
        experiment = divergence_experiment(course)
        client.force_login(other_teacher)
        assert client.get(reverse("class_experiment", args=[klass.pk, experiment.slug])).status_code == 404


@pytest.mark.django_db
class ConceptReadingTests:
    def test_it_shows_the_share_of_the_class_that_mastered_each_concept(
        self, client, teacher, student, klass, course, django_user_model
    ):
        classmate = django_user_model.objects.create_user("classmate", password="x")
        Membership.objects.create(klass=klass, learner=classmate)
        for question in tied_to("gradient-descent"):
            answer(student, question, correct=True)
            answer(classmate, question, correct=False)
        client.force_login(teacher)
        page = client.get(reverse("class_concepts", args=[klass.pk]), HTTP_ACCEPT_LANGUAGE="en")
        row = next(s for s in page.context["shares"] if s.concept.slug == "gradient-descent")
        assert (row.mastered, row.started, row.members, row.percent) == (1, 1, 2, 50.0)
        assert "1 / 2" in page.content.decode()


@pytest.mark.django_db
class ReadableTests:
    def test_formulas_are_typeset_and_everything_else_escaped(self):
        shown = math_text("slope $\\frac{1}{2}$ costs $5 <b>")
        assert (
            "<mfrac>" in shown and "$5 &lt;b&gt;" in shown and "\\frac{1}{2}$" not in shown.split("<math")[0]
        )
        assert math_text("$\\notacommand{$") == "$\\notacommand{$"  # kept as written when it does not parse

    def test_a_matching_answer_reads_as_its_pairs_with_formulas_typeset(
        self, client, teacher, student, klass, course
    ):
        quiz = Quiz.objects.get()
        question = Question.objects.create(quiz=quiz, kind=Kind.MATCHING, text_md="Match them", points=1)
        pair = Answer.objects.create(question=question, text_md="Half", match_text="$\\frac{1}{2}$")
        attempt = Attempt.objects.create(quiz=quiz, user=student, score=1, max_score=1)
        Response.objects.create(attempt=attempt, question=question, given={str(pair.pk): "$\\frac{1}{2}$"},
                                key=f"{pair.pk}=$\\frac{{1}}{{2}}$", fraction=1.0)  # fmt: skip
        client.force_login(teacher)
        page = client.get(reverse("class_attempt", args=[klass.pk, attempt.pk])).content.decode()
        assert "<mfrac>" in page and f"{pair.pk}=$" not in page
        stats = client.get(reverse("class_quiz", args=[klass.pk, quiz.slug])).content.decode()
        assert "<mfrac>" in stats

    def test_a_cloze_answer_reads_gap_by_gap_with_its_choices_by_their_text(
        self, client, teacher, student, klass, course
    ):
        """The teacher reads a learner's Cloze response as the learner gave it: each gap's choice by its text,
        never the stored key "1=12;2=…" with its option ids."""
        quiz = Quiz.objects.get()
        question = Question.objects.create(
            quiz=quiz, kind=Kind.CLOZE, text_md="⟦1⟧ ⟦2⟧", points=2,
            parts=[{"kind": "single", "points": 1}, {"kind": "short", "points": 1}],
        )  # fmt: skip
        chosen = Answer.objects.create(question=question, part=1, text_md="**hinge**", weight=0)
        Answer.objects.create(question=question, part=1, text_md="cross-entropy", weight=100)
        attempt = Attempt.objects.create(quiz=quiz, user=student, score=0, max_score=2)
        Response.objects.create(attempt=attempt, question=question, given={"1": chosen.pk, "2": "<adam>"},
                                key=f"1={chosen.pk};2=<adam>", fraction=0.0)  # fmt: skip
        client.force_login(teacher)
        page = client.get(reverse("class_attempt", args=[klass.pk, attempt.pk])).content.decode()
        assert "1: <strong>hinge</strong>" in page and "2: &lt;adam&gt;" in page
        assert f"1={chosen.pk}" not in page
