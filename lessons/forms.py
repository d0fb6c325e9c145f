"""Pieces every app's admin uses for its Markdown fields (imported from here, not from another app's admin
module, which would register that app's admin as a side effect)."""

from django import forms

from . import rendering


class MarkdownForm(forms.ModelForm):
    """Checks every Markdown field as the site will render it: a formula that does not parse, or text too big
    or too deeply nested, is a field error, and nothing is saved."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if "_md" in name and isinstance(value, str) and value:
                try:
                    rendering.render(value)
                except (rendering.MathError, ValueError) as error:
                    self.add_error(name, str(error))
        return cleaned


class PreviewMixin:
    """A live preview (math and code rendered by the same pipeline as the site) beside each Markdown field."""

    form = MarkdownForm

    class Media:
        css = {"all": ("css/content.css", "lessons/admin_preview.css")}
        js = ("lessons/admin_preview.js",)
