"""The one path converter for a row's id: Django's `int` matches any number of digits, and a 400-digit id
raised OverflowError at the database (a 500). An id is at most 18 digits (a 64-bit key); a longer one is a
404, like any other id that names nothing."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
