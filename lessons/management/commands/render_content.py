"""manage.py render_content: every stored Markdown text rendered again by this release's renderer.

A text is rendered when it is saved, never per request (lessons.models.RenderedMarkdown), so a release that
renders differently (Temml, Python-Markdown, an extension, the concept links) leaves the HTML stored by the
release before until the text is next saved. This renders every row of every such model again and saves the
rows whose HTML (or what is derived from it: search text, contents, reading time) changes; each save gives the
content a new version, so the pages are made again. Run it once after deploying such a release.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, no_translations

from lessons.models import Concept, RenderedMarkdown


class Command(BaseCommand):
    help = "Render every stored Markdown text again with this release's renderer; saves only what changes."

    @no_translations
    def handle(self, verbosity: int, **options) -> None:
        concepts = Concept.objects.indexes()
        seen = changed = 0
        failed = []
        for model in apps.get_models():
            if not issubclass(model, RenderedMarkdown):
                continue
            fields = [f.attname for f in model._meta.concrete_fields]
            for row in model._base_manager.order_by("pk").iterator():
                seen += 1
                before = [getattr(row, name) for name in fields]
                try:
                    row.render(concepts)
                except (
                    ValueError
                ) as error:  # rendered by the release before, refused by this one (MathError…)
                    failed.append(f"{model._meta.label} {row.pk}: {error}")
                    continue
                if [getattr(row, name) for name in fields] != before:
                    row.save(render=False)
                    changed += 1
        if verbosity >= 1:
            self.stdout.write(f"{changed} of {seen} rendered texts changed.")
        if failed:
            raise CommandError(
                "these texts no longer render (they keep their old HTML):\n" + "\n".join(failed)
            )
