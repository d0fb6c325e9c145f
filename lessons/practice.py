"""The labs a lesson, a concept page or an FAQ card offers, reached through a registry.

The app that owns the labs registers them when it starts (trainer/apps.py), as the quizzes and experiments
apps register their part of a course folder (lessons.content.PARTS): lessons know a lab only by its slug, its
title and the widget it draws into a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Lab:
    slug: str
    title: str  # a msgid: translated where it is shown
    widget: Callable[[dict], str]  # the widget's HTML, given the page's context
    scripts: str  # the template with the scripts the widget needs, included once per page


LABS: dict[str, Lab] = {}


def register(lab: Lab) -> None:
    LABS[lab.slug] = lab


def offered(slugs: Iterable[str]) -> list[Lab]:
    """The registered labs among `slugs`, in their order (a lab since removed is left out)."""
    return [LABS[slug] for slug in slugs if slug in LABS]
