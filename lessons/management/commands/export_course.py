from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.content import export_course
from lessons.models import Course


class Command(BaseCommand):
    help = "Write a course back out as a folder of Markdown files that import_course reads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("folder", type=Path)

    def handle(self, slug: str, folder: Path, **options) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course with slug '{slug}'.")
        written = export_course(course, folder)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files to {folder}."))
