from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from quizzes import bank
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Import a Moodle GIFT or Moodle XML file into a quiz (created if needed); all of it or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--quiz", required=True, help="The quiz's slug.")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="The language the file is written in."
        )
        parser.add_argument("--title", help="The title of a new quiz (defaults to the slug).")
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=bank.FORMATS,
            help="gift or xml (Moodle XML); by default read from the file.",
        )
        parser.add_argument(
            "--delete-missing",
            action="store_true",
            help="Delete the questions missing from the file with their learners' answers (by default a "
            "question learners answered is retired: kept, asked no more; the summary says how many answers "
            "deleting would remove).",
        )

    @no_translations  # a terminal tool speaks English, whatever LANGUAGE_CODE says
    def handle(
        self,
        file: Path,
        quiz: str,
        language: str,
        title: str | None,
        fmt: str | None,
        delete_missing: bool,
        **options,
    ) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text") from None
        problem = _bad_quiz(quiz, title)
        if problem:
            raise CommandError(problem)
        try:
            with transaction.atomic():
                found = Quiz.objects.filter(slug=quiz).first() or Quiz.objects.create(
                    slug=quiz, title=title or quiz
                )
                report = bank.import_gift(found, text, language, fmt, delete_missing=delete_missing)
        except bank.BankError as error:
            raise CommandError(f"{file}: {error.message} — nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Quiz '{found.slug}': {report.summary()}."))


def _bad_quiz(slug: str, title: str | None) -> str | None:
    """Why a new quiz's slug or title cannot be stored, before the database says it less clearly."""
    try:
        Quiz._meta.get_field("slug").clean(slug, None)
        if title:
            Quiz._meta.get_field("title").clean(title, None)
    except ValidationError as error:
        return f"--quiz/--title: {' '.join(error.messages)}"
    return None
