"""The API's one JSON parser: what it lets through can be stored, shown and read back on every database.

Refused here, once, with a 400 before any view runs: bodies that are not UTF-8, nesting deeper than any of
our objects (Python's parser would otherwise die with a RecursionError: a 500), lone surrogates (valid JSON,
but not encodable: saved, then every read of the row answered 500), NUL characters (PostgreSQL cannot store
them), NaN and Infinity, an object that names a key twice, and more values than any request needs.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 16  # our deepest body is {"answers": {question: {item: text}}}
MAX_VALUES = 10_000  # a quiz's answers or a lab's hyperparameters are a few dozen
MAX_STRING = 100_000  # characters; each field has its own, smaller bound
# Every JSON number is read with bounds, here, once: an integer beyond this (a 400-digit one raised
# OverflowError wherever it met a float) or a number beyond a float's range (1e999 reads as infinity) is a 400.
# 2**53: the largest integer a float (and JavaScript) holds exactly; no id, setting or answer comes near it.
MAX_INTEGER = 2**53


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ParseError(_("The JSON names a key twice in one object."))
    return found


def _constant(name: str) -> None:
    raise ParseError(_("The JSON holds %(value)s, which is not a number.") % {"value": name})


def _integer(text: str) -> int:
    if len(text) > 20 or abs(int(text)) > MAX_INTEGER:
        raise ParseError(_("The JSON holds an integer larger than %(n)s.") % {"n": f"{MAX_INTEGER:,}"})
    return int(text)


def _float(text: str) -> float:
    if len(text) > 400:  # a float is read in time linear in its length, and needs no more than this
        raise ParseError(_("The JSON holds a number written with more than 400 characters."))
    number = float(text)
    if not math.isfinite(number):
        raise ParseError(
            _("The JSON holds a number too large for a float: %(value)s.") % {"value": text[:40]}
        )
    return number


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("The JSON holds a NUL character."))
    if len(text) > MAX_STRING:
        raise ParseError(_("The JSON holds a text longer than %(n)d characters.") % {"n": MAX_STRING})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(
            _("The JSON holds a character that is not valid Unicode (a lone surrogate).")
        ) from None


def check(data: Any) -> None:
    """Walks the parsed body without recursion: depth, count and every text (keys too)."""
    pending, count = [(data, 1)], 0
    while pending:
        value, depth = pending.pop()
        count += 1
        if count > MAX_VALUES:
            raise ParseError(_("The JSON holds more than %(n)d values.") % {"n": MAX_VALUES})
        if depth > MAX_DEPTH:
            raise ParseError(_("The JSON is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH})
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = stream.read(settings.MAX_REQUEST_BYTES + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(_("The body is not UTF-8 text.")) from None
        try:
            data = json.loads(
                text,
                object_pairs_hook=_object,
                parse_constant=_constant,
                parse_int=_integer,
                parse_float=_float,
            )
        except RecursionError:
            raise ParseError(
                _("The JSON is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH}
            ) from None
        except ValueError as error:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        check(data)
        return data
