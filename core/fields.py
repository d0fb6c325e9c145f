"""Serializer fields for numbers that must be JSON numbers. DRF's own take True for 1 and any Unicode digits
("١٢", "²") for numbers; an id or a rating sent that way is a client error, not a value."""

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
