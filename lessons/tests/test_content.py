"""import_course / export_course: content as code."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons.content import ContentError, export_course, import_course
from lessons.models import Concept, ConceptRelation, Course, FaqEntry, Lesson
from quizzes.models import Answer, Question, Quiz

FIXTURE = Path(__file__).parent / "course"


def snapshot() -> dict:
    """Everything an import may write, to show that a refused import changed nothing."""
    return {
        model.__name__: sorted(map(str, model.objects.values_list()))
        for model in (Course, Lesson, Concept, ConceptRelation, FaqEntry, Quiz, Question, Answer)
    }


@pytest.fixture
def folder(tmp_path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(FIXTURE, copy)
    return copy


@pytest.mark.django_db
class ImportCourseTests:
    def test_it_loads_lessons_concepts_relations_faq_and_quizzes(self):
        course, _report = import_course(FIXTURE)
        assert course.title_en == "Test course" and course.title_zh_hans == "测试课程"
        assert list(course.lessons.values_list("slug", flat=True)) == ["gradients", "convolution"]
        lesson = course.lessons.get(slug="gradients")
        assert 'class="tml-display"' in lesson.body_html_en and "$$" not in lesson.body_html_en
        assert 'href="/concepts/gradient-descent/"' in lesson.body_html_en
        assert lesson.body_html_en.count('href="/concepts/gradient-descent/"') == 1
        assert ConceptRelation.objects.filter(
            source__slug="gradient-descent", target__slug="learning-rate"
        ).exists()
        assert FaqEntry.objects.get().labs == ["linear-regression"]
        quiz = Quiz.objects.get(slug="gradients")
        assert quiz.lesson == lesson and quiz.questions.count() == 5
        assert quiz.questions.get(name="direction").answers.first().text_md_en == "Against the gradient"

    def test_it_updates_in_place_and_changes_nothing_the_second_time(self):
        import_course(FIXTURE)
        ids = snapshot()
        _course, report = import_course(FIXTURE)
        assert report.created == [] and report.updated == []
        assert snapshot() == ids

    def test_it_updates_a_changed_lesson_in_place(self, folder):
        import_course(folder)
        before = Lesson.objects.get(slug="gradients").pk
        path = folder / "lessons" / "01-gradients.en.md"
        path.write_text(
            path.read_text().replace("title: Gradient descent", "title: Gradient descent, step by step")
        )
        _course, report = import_course(folder)
        assert report.updated == ["lesson gradients", "quiz gradients"]  # the quiz is titled after its lesson
        lesson = Lesson.objects.get(slug="gradients")
        assert lesson.pk == before and lesson.title_en == "Gradient descent, step by step"

    def test_an_export_reimported_changes_nothing(self, tmp_path):
        course, _report = import_course(FIXTURE)
        before = snapshot()
        export_course(course, tmp_path / "out")
        _course, report = import_course(tmp_path / "out")
        assert report.created == [] and report.updated == []
        assert snapshot() == before
        export_course(course, tmp_path / "again")
        for path in (tmp_path / "out").rglob("*.*"):
            assert path.read_text() == (tmp_path / "again" / path.relative_to(tmp_path / "out")).read_text()

    @pytest.mark.parametrize(
        ("file", "old", "new", "message", "line"),
        [
            (
                "lessons/01-gradients.en.md",
                "order: 1\n",
                "order: [1\n",
                "flow sequence that starts on line 3",
                4,
            ),
            (
                "lessons/02-convolution.zh-hans.md",
                "prerequisites: [gradients]",
                "prerequisites: [nowhere]",
                "unknown prerequisite 'nowhere'",
                1,
            ),
            (
                "lessons/02-convolution.zh-hans.md",
                "slug: convolution",
                "slug: gradients",
                "duplicate lesson slug",
                1,
            ),
            (
                "lessons/01-gradients.en.md",
                "where $\\alpha$ is",
                "where $\\frac{\\alpha$ is",
                "math does not parse",
                19,
            ),
            (
                "lessons/01-gradients.*.md",
                "labs: [linear-regression]",
                "labs: [no-such-lab]",
                "unknown lab",
                1,
            ),
            ("lessons/01-gradients.*.md", "status: published", "status: maybe", "status must be one of", 1),
            ("lessons/01-gradients.zh-hans.md", "status: published", "status: draft", "'status' differs", 1),
            (
                "concepts/learning-rate.*.md",
                "related: []",
                "related: [{concept: nope, relation: uses}]",
                "related concept 'nope' does not exist",
                1,
            ),
            ("quizzes/gradients.en.gift", "{T ####", "{T ####\n\n}", "'{' is never closed", 8),
        ],
    )
    def test_bad_input_names_the_file_and_line_and_changes_nothing(
        self, folder, file, old, new, message, line
    ):
        import_course(FIXTURE)
        before = snapshot()
        paths = sorted(folder.glob(file))
        for path in paths:
            assert old in path.read_text()
            path.write_text(path.read_text().replace(old, new))
        with pytest.raises(ContentError) as caught:
            import_course(folder)
        assert any(path.name in str(caught.value) for path in paths) and message in str(caught.value)
        if line:
            assert caught.value.line == line
        assert snapshot() == before

    def test_the_command_reports_errors_in_one_line(self, folder):
        (folder / "lessons" / "01-gradients.en.md").write_text("no front matter")
        with pytest.raises(CommandError, match=r"01-gradients\.en\.md:1: .*nothing was imported"):
            call_command("import_course", str(folder))
        assert not Course.objects.exists()
