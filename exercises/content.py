"""The exercises, read from the course folders: `courses/<course>/exercises/<NN-name>/`.

Each folder holds `exercise.<language>.md` (front matter: slug, order, lesson, lab, concepts, functions
implied by the checks; in each language: title, hints, the properties' words; the body is the statement),
`starter.py`, `solution.py` and `checks.py` (the hidden tests: exercises.checks). They are read once per
process: they change with a deployment, as the code does. What goes to a browser is `public()`; the checks
and, until it is earned, the solution, never do.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from lessons.content import ContentError, read_source_file
from lessons.rendering import render

from .checks import Case, load

SHARED = {"slug", "order", "lesson", "lab", "concepts"}
WORDS = {"title", "hints", "properties"}


@dataclass(frozen=True)
class Words:
    title: str
    hints: tuple[str, ...]
    properties: dict[str, str]
    statement_html: str


@dataclass(frozen=True)
class Exercise:
    slug: str
    order: int
    lesson: str
    lab: str
    concepts: tuple[str, ...]
    folder: Path
    starter: str
    solution: str
    words: dict[str, Words]  # per language code: "en", "zh-hans"

    def in_language(self, language: str | None = None) -> Words:
        code = (language or get_language() or "en").lower()
        return self.words.get(code) or self.words.get(code.split("-")[0]) or self.words["en"]

    @functools.cached_property
    def checks(self) -> tuple[list[Case], dict[str, Any]]:
        """The cases and the reference functions (the solution, run here, on the worker: never in a web
        process, which has no NumPy to spare). Refuses checks whose properties have no words in a language."""
        module = load(self.folder / "checks.py")
        namespace: dict[str, Any] = {}
        exec(compile(self.solution, str(self.folder / "solution.py"), "exec"), namespace)  # noqa: S102  authored
        cases = module.cases()
        keys = {case.property for case in cases}
        for language, text in self.words.items():
            if keys - set(text.properties):
                raise ContentError(
                    self.folder,
                    f"{language}: no words for the properties {sorted(keys - set(text.properties))}",
                )
        return cases, namespace

    @functools.cached_property
    def functions(self) -> list[str]:
        """The functions the learner writes: those the starter code defines (read, not run)."""
        tree = ast.parse(self.starter)
        return sorted(node.name for node in tree.body if isinstance(node, ast.FunctionDef))

    def property_words(self, key: str, language: str | None = None) -> str:
        return self.in_language(language).properties.get(key, key)


def _read(folder: Path) -> Exercise:
    docs = {}
    for path in sorted(folder.glob("exercise.*.md")):
        doc = read_source_file(path, SHARED | WORDS)
        docs[doc.language] = doc
    if "en" not in docs:
        raise ContentError(folder, "an exercise needs exercise.en.md (and one file per language)")
    base = docs["en"]
    words = {}
    for language, doc in docs.items():
        properties = doc.get("properties", dict, {})
        words[language] = Words(
            title=doc.words("title"),
            hints=tuple(str(h) for h in doc.get("hints", list, [])),
            properties={str(k): str(v) for k, v in properties.items()},
            statement_html=render(doc.body).html,
        )
    exercise = Exercise(
        slug=base.slug(),
        order=base.get("order", int, 0),
        lesson=base.words("lesson"),
        lab=base.words("lab", required=False),
        concepts=tuple(base.slugs("concepts")),
        folder=folder,
        starter=(folder / "starter.py").read_text(encoding="utf-8"),
        solution=(folder / "solution.py").read_text(encoding="utf-8"),
        words=words,
    )
    return exercise


@functools.cache
def exercises() -> dict[str, Exercise]:
    """Every course's exercises, by slug, in the course's order."""
    found: list[Exercise] = []
    for folder in sorted(Path(settings.BASE_DIR, "courses").glob("*/exercises/*/")):
        if (folder / "checks.py").exists():
            found.append(_read(folder))
    return {e.slug: e for e in sorted(found, key=lambda e: (e.order, e.slug))}
