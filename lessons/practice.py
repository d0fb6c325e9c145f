"""The lab widgets a lesson, a concept page or an FAQ card embeds, reached through a registry.

The app that owns the labs registers a widget for each when it starts (trainer/apps.py), as the quizzes and
experiments apps register their part of a course folder (lessons.content.PARTS): lessons know a lab only by its
slug, its title and the widget it draws into a page. (The lab itself, what trains, is trainer.catalog's Lab.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LabWidget:
    slug: str  # the lab's
    title: str  # a msgid: translated where it is shown
    draw: Callable[[dict], str]  # the widget's HTML, given the page's context
    scripts: str  # the template with the scripts the widget needs, included once per page


WIDGETS: dict[str, LabWidget] = {}


def register(widget: LabWidget) -> None:
    WIDGETS[widget.slug] = widget


def offered(slugs: Iterable[str]) -> list[LabWidget]:
    """The widgets of the registered labs among `slugs`, in their order (a lab since removed is left out)."""
    return [WIDGETS[slug] for slug in slugs if slug in WIDGETS]
