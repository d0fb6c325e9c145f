"""Serializer fields for numbers that must be JSON numbers. DRF's own take True for 1 and any Unicode digits
("١٢", "²") for numbers; an id or a rating sent that way is a client error, not a value."""

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def is_json_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class JsonIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("A valid integer is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonNumberField(serializers.FloatField):
    default_error_messages = {"invalid": _("A valid number is required.")}

    def to_internal_value(self, data):
        if not is_json_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextJSONEncoder(DjangoJSONEncoder):
    """For JSONFields that hold what people write: text stored as text. Django's default escapes every
    character outside ASCII (a Chinese essay took six bytes a character, \\uXXXX, instead of three)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **{**kwargs, "ensure_ascii": False})


class _Checkbox(forms.CheckboxInput):
    """A checkbox that hands its field the value as sent (Django's makes bool() of it first); one not sent at
    all (a page's unticked box, a setting left out of a JSON body) is false."""

    def value_from_datadict(self, data, files, name):
        return data.get(name, False)


class StrictBooleanField(forms.BooleanField):
    """A true/false setting that is a boolean: JSON's true or false (not null), or what a page's checkbox
    sends ("on", or nothing). Django's own reads any non-empty value as true: {} or "no" or 5 turned a setting on."""

    widget = _Checkbox
    default_error_messages = {"invalid": _("Enter true or false.")}
    WORDS = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False, "": False}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in self.WORDS:
            return self.WORDS[value.strip().lower()]
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
