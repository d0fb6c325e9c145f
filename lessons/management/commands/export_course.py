from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from core.errors import UserError
from lessons.content import export_course
from lessons.models import Course


class Command(BaseCommand):
    help = "Write a course back out as a folder of Markdown files that import_course reads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("folder", type=Path)

    @no_translations  # a terminal tool speaks English, whatever LANGUAGE_CODE says
    def handle(self, slug: str, folder: Path, **options) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course with slug '{slug}'.")
        try:
            written = export_course(course, folder)
        except UserError as error:  # e.g. a quiz question (edited in the admin) that GIFT cannot hold
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files to {folder}."))
