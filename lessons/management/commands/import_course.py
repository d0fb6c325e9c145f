from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from lessons.content import ContentError, import_course


class Command(BaseCommand):
    help = "Load a course folder of Markdown files (see courses/README.md); re-importing updates in place."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)

    # A terminal tool speaks English, whatever LANGUAGE_CODE says: the quiz files' errors come from code that
    # speaks the active language (Django leaves translations on in commands).
    @no_translations
    def handle(self, folder: Path, verbosity: int, **options) -> None:
        try:
            course, report = import_course(folder)
        except ContentError as error:
            raise CommandError(f"{error} — nothing was imported.") from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Course '{course.slug}': {report.summary()}."))
        if verbosity >= 2:
            for label in report.created:
                self.stdout.write(f"  created {label}")
            for label in report.updated:
                self.stdout.write(f"  updated {label}")
