"""A lab's hyperparameter form, built from its one declaration (trainer/catalog): the page and the API both
validate through it, so a value the form refuses never reaches the queue."""

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.fields import StrictBooleanField

from .catalog.lab import Lab, Spec, specs


def _field(spec: Spec, default: Any) -> forms.Field:
    common = {"label": _(spec.label), "help_text": _(spec.help), "initial": default}
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[(value, _(label)) for value, label in spec.choices], **common)
    if spec.kind == "bool":
        return StrictBooleanField(required=False, **common)
    bounds = {"min_value": spec.minimum, "max_value": spec.maximum}
    if spec.kind == "int":
        return forms.IntegerField(**bounds, **common)
    # FloatField refuses NaN and infinity ("Enter a number.") as it refuses out-of-range values.
    return forms.FloatField(**bounds, **common)


class LabForm(forms.Form):
    """Built per request, in the active language, from the lab's declared hyperparameters."""

    def __init__(self, lab: Lab, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.lab = lab
        for name, (spec, default) in specs(lab.config, get_language()).items():
            self.fields[name] = _field(spec, default)

    def clean(self) -> dict[str, Any]:
        """Values each in range that do not fit together (a lab's config may name them in `problems()`)."""
        cleaned = super().clean()
        check = getattr(self.lab.config, "problems", None)
        if check is not None and not self.errors:
            for name, (message, values) in check(self.lab.config(**cleaned)).items():
                self.add_error(name, _(message) % values)
        return cleaned

    def config(self) -> Any:
        return self.lab.config(**self.cleaned_data)


def defaults(lab: Lab) -> dict[str, Any]:
    """The settings a run gets for what the learner left out: in the active language (the gpt's text)."""
    return {name: default for name, (_spec, default) in specs(lab.config, get_language()).items()}
