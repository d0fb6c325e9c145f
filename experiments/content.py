"""A course folder's experiments/ <-> Experiment rows (the format is in courses/README.md).

One file per experiment and language, `experiments/<name>.<language>.md`: front matter, then the
instructions in Markdown, a line `<!-- explanation -->`, and the explanation shown after the check. The
lessons app calls `load_course_experiments` inside import_course's transaction (a lessons.content.Part).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

from core.errors import UserError
from lessons.content import ContentError, Report, SourceFile, front_matter, read_group, shared, upsert
from lessons.models import LANGUAGE_CODES, Concept, Course, localized
from trainer.catalog import LABS
from trainer.catalog.lab import specs
from trainer.services import lab_config

from . import grading
from .models import Experiment

FIELDS = {
    "slug",
    "order",
    "lesson",
    "lab",
    "runs",
    "prediction",
    "check",
    "title",
    "predict",
    "choices",
    "ask",
}
SHARED = ("slug", "order", "lesson", "lab", "runs", "prediction", "check")
SEPARATOR = "<!-- explanation -->"
WORDS = ("title", "predict", "choices", "ask", "instructions_md", "explanation_md")


def _runs(doc: SourceFile, lab: str) -> list[dict[str, Any]]:
    runs = doc.get("runs", list, [])
    if not runs or not all(isinstance(r, dict) and set(r) <= {"settings", "limits"} for r in runs):
        raise ContentError(doc.path, "'runs' must be a list of {settings: {...}, limits: {...}}", 1)
    declared = specs(LABS[lab].config)
    for number, run in enumerate(runs, start=1):
        settings = run.get("settings", {})
        limits = run.get("limits", {})
        if not isinstance(settings, dict) or not isinstance(limits, dict):
            raise ContentError(doc.path, f"run {number}: 'settings' and 'limits' must be mappings", 1)
        with translation.override("en"):
            try:
                lab_config(lab_slug=lab, params=settings)
            except UserError as error:
                fields = error.extra.get("params", {})
                problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()) or error.message
                raise ContentError(doc.path, f"run {number}: {problems}", 1) from None
        for name, bounds in limits.items():
            if name not in declared or declared[name][0].kind not in ("int", "float"):
                raise ContentError(doc.path, f"run {number}: no numeric hyperparameter '{name}' to limit", 1)
            if not isinstance(bounds, dict) or not bounds or not set(bounds) <= {"min", "max"}:
                raise ContentError(
                    doc.path, f"run {number}: limits of '{name}' must be {{min: x, max: y}}", 1
                )
            if not all(isinstance(v, int | float) and math.isfinite(v) for v in bounds.values()):
                raise ContentError(doc.path, f"run {number}: limits of '{name}' must be numbers", 1)
    return runs


def _split(doc: SourceFile) -> tuple[str, str]:
    if doc.body.count(SEPARATOR) != 1:
        raise ContentError(doc.path, f"the body needs one line '{SEPARATOR}' before the explanation")
    instructions, explanation = (part.strip() for part in doc.body.split(SEPARATOR))
    if not instructions or not explanation:
        raise ContentError(doc.path, "both the instructions and the explanation must have text")
    return instructions, explanation


def _words(doc: SourceFile, kind: str, check: dict[str, Any], choices: int | None) -> dict[str, str]:
    listed = doc.get("choices", list, [])
    if kind == "choice" and (len(listed) < 2 or not all(isinstance(c, str) and c.strip() for c in listed)):
        raise ContentError(doc.path, "a choice prediction needs a list of at least two 'choices'", 1)
    if kind == "number" and listed:
        raise ContentError(doc.path, "a number prediction takes no 'choices'", 1)
    if choices is not None and len(listed) != choices:
        raise ContentError(doc.path, "'choices' must have as many entries in every language", 1)
    ask = doc.words("ask", required=check["kind"] != "challenge")
    if check["kind"] == "challenge" and ask:
        raise ContentError(doc.path, "a challenge has no 'ask': the run itself is the answer", 1)
    instructions, explanation = _split(doc)
    return {
        "title": doc.words("title"),
        "predict": doc.words("predict"),
        "choices": "\n".join(c.strip() for c in listed),
        "ask": ask,
        "instructions_md": instructions,
        "explanation_md": explanation,
    }


def load_course_experiments(course: Course, folder: Path, report: Report) -> None:
    """Creates or updates the course's experiments from the folder; those no longer in it are retired when
    learners' data hangs on them, deleted otherwise."""
    lessons = {lesson.slug: lesson for lesson in course.lessons.all()}
    concepts = Concept.objects.indexes()
    seen: dict[str, Path] = {}
    for docs in read_group(folder, FIELDS).values():
        meta = shared(docs, SHARED)
        first = next(iter(docs.values()))
        slug = first.slug()
        if slug in seen:
            raise ContentError(
                first.path, f"duplicate experiment slug '{slug}' (also in {seen[slug].name})", 1
            )
        seen[slug] = first.path
        lesson = lessons.get(first.get("lesson", str, ""))
        if lesson is None:
            raise ContentError(first.path, f"there is no lesson '{meta.get('lesson')}' in this course", 1)
        lab = first.get("lab", str, "")
        if lab not in LABS:
            raise ContentError(first.path, f"unknown lab '{lab}' (labs: {', '.join(LABS)})", 1)
        runs = _runs(first, lab)
        check = first.get("check", dict, {})
        try:
            grading.validate(check, len(runs))
        except grading.CheckError as error:
            raise ContentError(first.path, str(error), 1) from None
        kind = first.get("prediction", str, "")
        if kind not in Experiment.Prediction.values:
            raise ContentError(first.path, "'prediction' must be choice or number", 1)
        missing = set(LANGUAGE_CODES) - set(docs)
        if missing:
            raise ContentError(first.path, f"no file for {', '.join(sorted(missing))} beside this one")
        values: dict[str, Any] = {
            "lesson_id": lesson.pk,
            "lab": lab,
            "order": first.get("order", int, 0),
            "runs": runs,
            "prediction_kind": kind,
            "grading": check,
            "retired": False,
        }
        choices = None
        for lang, doc in docs.items():
            words = _words(doc, kind, check, choices)
            choices = len(words["choices"].splitlines()) if words["choices"] else None
            values.update({build_localized_fieldname(k, lang): v for k, v in words.items()})
        if "judge" in check:
            try:
                grading.validate_judge(check["judge"], kind, choices or 0)
            except grading.CheckError as error:
                raise ContentError(first.path, str(error), 1) from None
        experiment = Experiment.objects.filter(slug=slug).first() or Experiment(slug=slug)
        upsert(report, experiment, values, f"experiment {slug}", docs, concepts)
    for gone in Experiment.objects.filter(lesson__course=course).exclude(slug__in=seen):
        _remove(gone, report)


def _remove(experiment: Experiment, report: Report) -> None:
    """An experiment no longer in the folder: retired (kept, offered no more) while learners' predictions or
    submissions hang on it, deleted otherwise."""
    label = f"experiment {experiment.slug}"
    if experiment.predictions.exists() or experiment.submissions.exists():
        if experiment.retired:
            report.unchanged += 1
        else:
            Experiment.objects.filter(pk=experiment.pk).update(retired=True)
            report.retired.append(label)
    else:
        experiment.delete()
        report.deleted.append(label)


def dump_course_experiments(course: Course, folder: Path) -> None:
    current = Experiment.objects.filter(lesson__course=course, retired=False)
    for experiment in current.select_related("lesson"):
        folder.mkdir(parents=True, exist_ok=True)
        for lang in LANGUAGE_CODES:
            meta: dict[str, Any] = {
                "slug": experiment.slug,
                "order": experiment.order,
                "lesson": experiment.lesson.slug,
                "lab": experiment.lab,
                "title": localized(experiment, "title", lang),
                "runs": experiment.runs,
                "prediction": experiment.prediction_kind,
                "predict": localized(experiment, "predict", lang),
            }
            choices = localized(experiment, "choices", lang)
            if choices:
                meta["choices"] = choices.splitlines()
            meta["check"] = experiment.grading
            if localized(experiment, "ask", lang):
                meta["ask"] = localized(experiment, "ask", lang)
            body = "\n\n".join(
                [
                    localized(experiment, "instructions_md", lang),
                    SEPARATOR,
                    localized(experiment, "explanation_md", lang),
                ]
            )
            (folder / f"{experiment.slug}.{lang}.md").write_text(front_matter(meta, body), encoding="utf-8")
