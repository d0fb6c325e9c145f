"""The course that ships (courses/ai-large-models): complete in both languages, every formula typeset,
every Python block compiles and the runnable ones run, a quiz per lesson, the labs where they teach."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import transaction

from lessons.content import import_course
from lessons.models import LANGUAGE_CODES, Concept, ConceptRelation, FaqEntry, localized
from quizzes.models import Kind, Quiz

FOLDER = Path(__file__).resolve().parents[2] / "courses" / "ai-large-models"
SECTION_TWO = ["deep-learning", "neural-network", "convolutional-neural-network", "recurrent-neural-network",
               "natural-language-processing", "speech-recognition", "machine-translation", "image-recognition",
               "autonomous-driving"]  # fmt: skip
SECTION_THREE = ["linear-regression", "logistic-regression", "gradient-descent", "convolution", "pooling",
                 "backpropagation", "activation-function", "sigmoid", "tanh", "relu"]  # fmt: skip
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<code>.*?)^```", re.S | re.M)


@pytest.fixture(scope="module")
def course(django_db_setup, django_db_blocker):
    """The course imported once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        imported, _report = import_course(FOLDER)
        yield imported
        transaction.set_rollback(True)


def blocks(source: str) -> list[tuple[str, str]]:
    return [(m["info"].strip(), m["code"]) for m in FENCE.finditer(source)]


@pytest.mark.django_db
class DefaultCourseTests:
    def test_every_lesson_exists_in_both_languages_in_the_seed_order(self, course):
        lessons = list(course.lessons.order_by("order"))
        assert [lesson.slug for lesson in lessons] == ["background", "core-concepts", "core-algorithms",
                                                        "best-practice-code", "applications", "transformers-and-llms",
                                                        "tools-and-resources", "trends-and-challenges", "faq"]  # fmt: skip
        for lesson in lessons:
            for lang in LANGUAGE_CODES:
                assert localized(lesson, "title", lang), (lesson.slug, lang, "title")
                assert len(localized(lesson, "body_md", lang)) > 2000, (lesson.slug, lang, "body")

    def test_every_formula_is_typeset_and_none_is_left_raw(self, course):
        rendered = [localized(x, f, lang) for lang in LANGUAGE_CODES
                    for x, f in [*((lesson, "body_html") for lesson in course.lessons.all()),
                                 *((c, "body_html") for c in Concept.objects.all()),
                                 *((e, "answer_html") for e in FaqEntry.objects.all())]]  # fmt: skip
        assert sum(html.count("<math") for html in rendered) > 200
        for html in rendered:
            assert "arithmatex" not in html, "every formula was converted"
            assert not re.search(r"(?<!\\)\$\$", html.split("<annotation")[0])

    def test_every_concept_and_faq_entry_is_in_both_languages(self, course):
        for concept in Concept.objects.all():
            for lang in LANGUAGE_CODES:
                for field in ("term", "definition", "body_md"):
                    assert localized(concept, field, lang), (concept.slug, lang, field)
        for entry in FaqEntry.objects.all():
            for lang in LANGUAGE_CODES:
                assert localized(entry, "question", lang) and localized(entry, "answer_md", lang), entry.slug

    def test_the_concepts_cover_sections_two_and_three_and_connect(self, course):
        slugs = set(Concept.objects.values_list("slug", flat=True))
        assert set(SECTION_TWO + SECTION_THREE) <= slugs
        edges = list(ConceptRelation.objects.values_list("source__slug", "target__slug"))
        reached, frontier = {"deep-learning"}, ["deep-learning"]
        while frontier:
            node = frontier.pop()
            for a, b in edges:
                for here, there in ((a, b), (b, a)):
                    if here == node and there not in reached:
                        reached.add(there)
                        frontier.append(there)
        assert reached == slugs, "the concept map is one connected graph"

    def test_the_faq_starts_with_the_seeds_five_questions(self, course):
        slugs = list(FaqEntry.objects.order_by("order").values_list("slug", flat=True))
        assert slugs[:5] == ["choosing-a-framework", "overfitting", "evaluating-a-model", "missing-values",
                             "class-imbalance"]  # fmt: skip
        assert len(slugs) >= 10
        labs = dict(FaqEntry.objects.values_list("slug", "labs"))
        assert "overfitting" in labs["overfitting"] and "class-imbalance" in labs["class-imbalance"]

    def test_the_labs_sit_where_they_teach(self, course):
        labs = dict(course.lessons.values_list("slug", "labs"))
        assert {"linear-regression", "activations"} <= set(labs["core-algorithms"])
        assert {"linear-regression", "cnn"} <= set(labs["best-practice-code"])
        assert "rnn" in Concept.objects.get(slug="recurrent-neural-network").labs

    def test_every_lesson_has_a_quiz_of_five_questions_of_three_types_each_explained(self, course):
        for lesson in course.lessons.all():
            quiz = Quiz.objects.get(lesson=lesson)
            questions = list(quiz.questions.all())
            assert len(questions) >= 5, lesson.slug
            assert len({q.kind for q in questions}) >= 3, lesson.slug
            for question in questions:
                for lang in LANGUAGE_CODES:
                    assert localized(question, "text_md", lang), (lesson.slug, question.name, lang)
                    if question.kind != Kind.DESCRIPTION:
                        assert localized(question, "explanation_md", lang), (lesson.slug, question.name, lang)
        algorithms = Quiz.objects.get(lesson__slug="core-algorithms")
        assert algorithms.questions.filter(kind=Kind.NUMERIC).count() >= 2

    def test_every_lesson_page_opens_in_both_languages(self, course, client):
        for lesson in course.lessons.all():
            for lang in LANGUAGE_CODES:
                response = client.get(lesson.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=lang)
                assert (
                    response.status_code == 200 and "has not been translated" not in response.content.decode()
                )

    def test_every_python_block_compiles_and_the_runnable_ones_run(self, course):
        runnable = []
        for lesson in course.lessons.all():
            for lang in LANGUAGE_CODES:
                for info, code in blocks(localized(lesson, "body_md", lang)):
                    if "python" in info:
                        compile(code, f"{lesson.slug}.{lang}", "exec")
                        if "runnable" in info:
                            runnable.append((f"{lesson.slug}.{lang}", code))
        assert len(runnable) >= 4
        # One interpreter for all of them (importing torch once), each block in a fresh namespace.
        program = "import torch\ntorch.set_num_threads(1)\n" + "".join(
            f"print('--- {name}', flush=True)\nexec(compile({code!r}, {name!r}, 'exec'), {{'__name__': '__main__'}})\n"
            for name, code in runnable
        )
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, textwrap.shorten(result.stderr[-3000:], 3000)
