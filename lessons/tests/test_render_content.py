"""manage.py render_content: HTML stored by an earlier release's renderer is rendered again, and only rows
that change are saved."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lessons.models import Lesson
from quizzes.models import Answer


def render_content() -> str:
    out = StringIO()
    call_command("render_content", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_html_from_an_earlier_renderer_is_rendered_again(course):
    lesson = Lesson.objects.exclude(body_html_en="").first()
    made_now = lesson.body_html_en
    Lesson.objects.filter(pk=lesson.pk).update(body_html_en="<p>as an old release rendered it</p>")
    Answer.objects.filter(pk=Answer.objects.first().pk).update(text_html_zh_hans="old")

    assert render_content().startswith("2 of ")
    lesson.refresh_from_db()
    assert lesson.body_html_en == made_now
    assert render_content().startswith("0 of ")  # nothing left to change


@pytest.mark.django_db
def test_a_text_this_renderer_refuses_is_named_and_keeps_its_html(course):
    lesson = Lesson.objects.first()
    Lesson.objects.filter(pk=lesson.pk).update(body_md_en="A formula that does not parse: $\\frac{1$.")
    with pytest.raises(CommandError, match=rf"lessons.Lesson {lesson.pk}: .*does not parse"):
        render_content()
    assert Lesson.objects.get(pk=lesson.pk).body_html_en == lesson.body_html_en
