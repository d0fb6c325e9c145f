from django.core.management.base import BaseCommand, CommandError

from lessons import mathfont


class Command(BaseCommand):
    help = (
        "Cut the math font down to the characters of every formula in the database (run it after "
        "import_course) plus a repertoire of common ones, and write its @font-face rules into "
        "static/css/content.css. Needs fontTools (requirements-dev.txt)."
    )

    def handle(self, verbosity: int, **options) -> None:
        try:
            import fontTools  # noqa: F401
        except ImportError:
            raise CommandError("fontTools is not installed: pip install -r requirements-dev.txt") from None
        used = mathfont.stored_characters()
        if not used:
            raise CommandError("No formula in the database: import a course first (manage.py import_course).")
        size, chars = mathfont.write(used)
        if verbosity >= 1:
            outside = sorted(used - mathfont.font_characters(mathfont.FULL_FONT))
            self.stdout.write(
                self.style.SUCCESS(
                    f"{mathfont.SUBSET_FONT.name}: {len(chars)} characters, {size / 1024:.0f} KiB "
                    f"(the whole font: {mathfont.FULL_FONT.stat().st_size / 1024:.0f} KiB)."
                )
            )
            if outside:
                self.stdout.write(
                    f"{len(outside)} characters of the formulas are not in the font and come from the "
                    f"system's fonts: {''.join(outside)[:200]}"
                )
