from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from quizzes import bank
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Write a quiz's questions as a Moodle GIFT or Moodle XML file (to standard output without a file)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("quiz", help="The quiz's slug.")
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)
        parser.add_argument(
            "--format", dest="fmt", choices=bank.FORMATS, default="gift", help="gift or xml (Moodle XML)."
        )

    @no_translations  # a terminal tool speaks English, whatever LANGUAGE_CODE says
    def handle(self, quiz: str, file: Path | None, language: str, fmt: str, **options) -> None:
        found = Quiz.objects.filter(slug=quiz).first()
        if found is None:
            raise CommandError(f"No quiz with slug '{quiz}'.")
        try:
            text = bank.export_gift(found, language, fmt)
        except bank.BankError as error:
            raise CommandError(f"{error.message} — nothing was written.") from None
        if file is None:
            self.stdout.write(text, ending="")
        else:
            file.write_text(text, encoding="utf-8")
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {found.questions.current().count()} questions to {file}.")
            )
