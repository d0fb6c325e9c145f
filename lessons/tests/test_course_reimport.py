"""import_course again with less in the folder: what learners made stays; what nobody used goes."""

import shutil
from pathlib import Path

import pytest

from lessons.content import import_course
from lessons.models import FaqEntry, FaqRating, Lesson, LessonProgress, Status

FIXTURE = Path(__file__).parent / "course"


@pytest.fixture
def folder(tmp_path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(FIXTURE, copy)
    import_course(copy)
    return copy


def drop(folder: Path, pattern: str) -> None:
    for path in folder.glob(pattern):
        path.unlink()


@pytest.mark.django_db
class CourseReimportTests:
    def test_a_lesson_gone_from_the_folder_is_retired_as_a_draft_with_its_progress(self, folder, student):
        lesson = Lesson.objects.get(slug="gradients")
        LessonProgress.objects.create(user=student, lesson=lesson)
        drop(folder, "lessons/01-gradients.*")
        drop(folder, "quizzes/gradients.*")
        _course, report = import_course(folder)
        lesson.refresh_from_db()
        assert lesson.status == Status.DRAFT and "lesson gradients" in report.retired
        assert LessonProgress.objects.filter(user=student, lesson=lesson).exists()
        assert not Lesson.objects.published().filter(slug="gradients").exists()

    def test_a_rated_faq_entry_gone_from_the_folder_is_retired_and_no_longer_listed(
        self, client, folder, student
    ):
        entry = FaqEntry.objects.get()
        FaqRating.objects.create(user=student, entry=entry, rating=FaqRating.Rating.choices[0][0])
        drop(folder, "faq/*")
        _course, report = import_course(folder)
        assert report.retired == [f"faq {entry.slug}"]
        assert FaqEntry.objects.get().retired and FaqEntry.objects.get().ratings.count() == 1
        assert client.get("/api/faq/").json() == []

    def test_an_unrated_faq_entry_gone_from_the_folder_is_deleted(self, folder):
        drop(folder, "faq/*")
        _course, report = import_course(folder)
        assert len(report.deleted) == 1 and not FaqEntry.objects.exists()

    def test_a_retired_faq_entry_that_comes_back_is_listed_again(self, client, folder, student):
        entry = FaqEntry.objects.get()
        FaqRating.objects.create(user=student, entry=entry, rating=FaqRating.Rating.choices[0][0])
        kept = {path: path.read_bytes() for path in folder.glob("faq/*")}
        drop(folder, "faq/*")
        import_course(folder)
        for path, content in kept.items():
            path.write_bytes(content)
        import_course(folder)
        assert not FaqEntry.objects.get().retired and len(client.get("/api/faq/").json()) == 1
