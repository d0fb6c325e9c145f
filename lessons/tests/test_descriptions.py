"""Every page introduces itself with a <meta name="description">: a lesson with its summary (else its first
paragraph), the course outline with the course's summary, a concept with its definition, and every other page
with a sentence of its own, in the reader's language."""

import html
import re

import pytest
from django.urls import reverse

from lessons.models import Lesson


def description(client, url: str, language: str = "en") -> str:
    found = re.findall(
        r'<meta name="description" content="([^"]*)">',
        client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode(),
    )
    assert len(found) == 1, found
    return html.unescape(found[0])


@pytest.mark.django_db
class DescriptionTests:
    def test_a_lesson_is_described_by_its_summary(self, client, course):
        url = reverse("lesson", args=["test-course", "gradients"])
        assert description(client, url) == "Lower the loss step by step, against the gradient."
        assert description(client, url, "zh-hans") == Lesson.objects.get(slug="gradients").summary_zh_hans

    def test_a_lesson_without_a_summary_is_described_by_its_first_paragraph_trimmed(self, client, course):
        lesson = Lesson.objects.get(slug="gradients")
        lesson.summary_en = ""
        lesson.body_md_en = (
            "## Steps\n\nThe update $w \\leftarrow w - \\alpha \\nabla J$ moves the weights "
            + "a little against the gradient, " * 10
            + "until the loss stops falling.\n\nA second paragraph."
        )
        lesson.save()
        text = description(client, reverse("lesson", args=["test-course", "gradients"]))
        assert text.startswith("The update w ← w − α ∇ J moves the weights") or text.startswith(
            "The update w"
        )
        assert "\\leftarrow" not in text and "<" not in text and "second paragraph" not in text
        assert len(text) <= 160 and text.endswith("…")

    def test_the_outline_is_described_by_the_courses_summary(self, client, course):
        url = reverse("course", args=["test-course"])
        assert description(client, url) == course.summary_en
        assert description(client, url, "zh-hans") == course.summary_zh_hans

    def test_a_concept_is_described_by_its_definition(self, client, course):
        from lessons.models import Concept

        concept = Concept.objects.get(slug="gradient-descent")
        assert description(client, concept.get_absolute_url()) == concept.definition_en

    @pytest.mark.parametrize(
        "url",
        ["/", reverse("labs"), reverse("lab", args=["linear-regression"]), reverse("faq"), reverse("concept_map"),
         reverse("concepts"), reverse("quiz", args=["gradients"]), reverse("login"), reverse("signup"),
         reverse("search")],
    )  # fmt: skip
    def test_every_other_page_has_a_sentence_of_its_own_in_both_languages(self, client, course, url):
        english, chinese = description(client, url), description(client, url, "zh-hans")
        default = (
            "Read a lesson, check yourself with a quiz, then train the model yourself and watch it learn."
        )
        assert len(english) > 40 and english != default
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese)

    def test_the_dashboard_describes_itself_to_its_student(self, client, course, student):
        client.force_login(student)
        assert description(client, reverse("dashboard")).startswith("Your progress:")
        assert description(client, reverse("dashboard"), "zh-hans").startswith("你的进度")
