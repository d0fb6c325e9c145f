"""The class's quiz item analysis equals Moodle's statistics, computed here independently with numpy on a fixed
fixture of 40 learners × 10 questions (first attempts only; other attempts and non-members left out)."""

import numpy as np
import pytest
from django.urls import reverse

from classes.models import Class, Membership
from classes.selectors import item_analysis
from quizzes.models import Answer, Attempt, Question, Quiz, Response

LEARNERS, QUESTIONS = 40, 10
POINTS = [1, 1, 2, 1, 1, 3, 1, 1, 2, 1]


def fixture_fractions() -> np.ndarray:
    """A fixed 40 × 10 table of fractions (0, ½ or 1): abler learners and easier questions score more."""
    rng = np.random.default_rng(20261207)
    ability = rng.normal(size=(LEARNERS, 1))
    ease = np.linspace(1.5, -1.5, QUESTIONS)
    chance = 1 / (1 + np.exp(-(ability + ease)))
    draw = rng.random((LEARNERS, QUESTIONS))
    return np.where(draw < chance * 0.8, 1.0, np.where(draw < chance, 0.5, 0.0))


def reference(marks: np.ndarray) -> dict[str, np.ndarray | float]:
    """Moodle's formulas with numpy: facility, discrimination index, discriminative efficiency, CIC (%)."""
    total = marks.sum(axis=1)
    rest = total[:, None] - marks
    facility = 100 * marks.mean(axis=0) / np.array(POINTS)
    index, efficiency = [], []
    for j in range(marks.shape[1]):
        cov = np.cov(marks[:, j], rest[:, j], ddof=1)
        index.append(100 * cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
        cov_max = np.cov(np.sort(marks[:, j]), np.sort(rest[:, j]), ddof=1)[0, 1]
        efficiency.append(100 * cov[0, 1] / cov_max)
    k = marks.shape[1]
    cic = 100 * k / (k - 1) * (1 - marks.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    return {"facility": facility, "index": np.array(index), "efficiency": np.array(efficiency), "cic": cic}


@pytest.fixture
def class_quiz(teacher, django_user_model, other_student, course):
    """A class of 40 who took a 10-question quiz once (some again, better); one non-member took it too."""
    quiz = Quiz.objects.create(slug="analysed", title="Analysed")
    questions = []
    for j, points in enumerate(POINTS):
        question = Question.objects.create(quiz=quiz, order=j, kind="single", name=f"q{j}", points=points,
                                           text_md=f"Question {j}: is $x^{j}$ right?")  # fmt: skip
        Answer.objects.create(question=question, text_md="Yes", weight=100)
        questions.append(question)
    Question.objects.create(quiz=quiz, order=99, kind="essay", name="essay", text_md="Explain.")  # no mark
    klass = Class.objects.create(name="Analysed class", teacher=teacher)
    fractions = fixture_fractions()
    for i in range(LEARNERS):
        learner = django_user_model.objects.create_user(f"learner{i:02}")
        Membership.objects.create(klass=klass, learner=learner)
        first = Attempt.objects.create(quiz=quiz, user=learner)
        for j, question in enumerate(questions):
            if i % 7 == 3 and j == 4:
                continue  # not answered: counts 0, as in Moodle
            Response.objects.create(
                attempt=first, question=question, fraction=fractions[i, j], correct=fractions[i, j] == 1
            )
        if i % 5 == 0:  # a second, perfect attempt that must not count
            again = Attempt.objects.create(quiz=quiz, user=learner, number=2)
            Response.objects.bulk_create(
                [Response(attempt=again, question=q, fraction=1.0) for q in questions]
            )
    outsider = Attempt.objects.create(quiz=quiz, user=other_student)
    Response.objects.bulk_create([Response(attempt=outsider, question=q, fraction=1.0) for q in questions])
    fractions[[i for i in range(LEARNERS) if i % 7 == 3], 4] = 0
    return klass, quiz, fractions * np.array(POINTS)


@pytest.mark.django_db
class ItemAnalysisTests:
    def test_it_equals_the_reference_to_three_decimals(self, class_quiz):
        klass, quiz, marks = class_quiz
        stats = item_analysis(klass, quiz)
        expected = reference(marks)
        assert stats.attempts == LEARNERS and len(stats.items) == QUESTIONS  # the essay carries no mark
        for j, item in enumerate(stats.items):
            assert round(item.facility, 3) == round(expected["facility"][j], 3)
            assert round(item.discrimination_index, 3) == round(expected["index"][j], 3)
            assert round(item.discriminative_efficiency, 3) == round(expected["efficiency"][j], 3)
        assert round(stats.cic, 3) == round(expected["cic"], 3)
        assert 0 < stats.cic < 100

    def test_the_teachers_page_shows_the_figures_and_rendered_formulas(self, client, teacher, class_quiz):
        klass, quiz, marks = class_quiz
        client.force_login(teacher)
        page = client.get(reverse("class_quiz", args=[klass.pk, quiz.slug]), HTTP_ACCEPT_LANGUAGE="en")
        text = page.content.decode()
        expected = reference(marks)
        assert page.status_code == 200 and "Discriminative efficiency" in text
        assert f"{expected['cic']:.2f}%" in text and f"{expected['facility'][0]:.2f}%" in text
        assert "<math" in text and "$x^" not in text  # the stored, rendered formula (MathML), not raw TeX
