"""Course content as code: a folder of Markdown files with front matter <-> the database.

The format is described in courses/README.md. `import_course` runs in one transaction: any problem — bad front
matter, an unknown prerequisite, a duplicate slug, math that does not parse — raises ContentError naming the
file (and line) and nothing is changed. Re-importing updates rows in place and leaves unchanged rows untouched,
so importing an export changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from core.documents import bump_content_version

from . import practice
from .models import (
    LANGUAGE_CODES,
    Concept,
    ConceptRelation,
    Concepts,
    Course,
    FaqEntry,
    Lesson,
    Status,
    concept_indexes,
    localized,
)
from .rendering import MathError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILENAME = re.compile(r"^(?P<name>.+)\.(?P<language>[a-z]{2}(?:-[a-z]+)?)\.(?P<ext>md|gift)$")


class ContentError(Exception):
    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path, self.message, self.line = str(path), message, line
        super().__init__(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")


@dataclass
class SourceFile:
    path: Path
    language: str
    meta: dict[str, Any]
    body: str
    body_line: int  # the file line on which the body starts

    def get(self, key: str, kind: type, default: Any = None) -> Any:
        value = self.meta.get(key, default)
        if value is not None and not isinstance(value, kind):
            raise ContentError(self.path, f"front matter '{key}' must be a {kind.__name__}", 1)
        return value

    def slug(self) -> str:
        value = self.get("slug", str)
        if not value or not SLUG.match(value):
            raise ContentError(
                self.path, "front matter 'slug' must be lowercase letters, digits and hyphens", 1
            )
        return value

    def words(self, key: str, required: bool = True) -> str:
        value = self.get(key, str, "")
        if required and not value.strip():
            raise ContentError(self.path, f"front matter '{key}' is missing", 1)
        return value.strip()

    def slugs(self, key: str) -> list[str]:
        values = self.get(key, list, [])
        for value in values:
            if not isinstance(value, str) or not SLUG.match(value):
                raise ContentError(
                    self.path, f"front matter '{key}' must be a list of slugs (found {value!r})", 1
                )
        return values

    def math_error(self, error: MathError) -> ContentError:
        line = self.body_line + error.line - 1 if error.line else None
        return ContentError(
            self.path, f"math does not parse: {error.reason} in ${error.tex.strip()[:80]}$", line
        )


def read_source_file(path: Path, allowed: set[str]) -> SourceFile:
    text = path.read_text(encoding="utf-8")
    language = FILENAME.match(path.name)["language"]
    if not text.startswith("---\n"):
        raise ContentError(path, "the file must start with front matter between '---' lines", 1)
    end = text.find("\n---", 3)
    if end < 0:
        raise ContentError(path, "the front matter is not closed with a '---' line", 1)
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as error:
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        if context is not None and getattr(error, "context", None):
            reason += f" ({error.context} that starts on line {context.line + 2})"
        raise ContentError(
            path, f"front matter is not valid YAML: {reason}", mark.line + 2 if mark else 1
        ) from None
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter must be a set of 'key: value' lines", 2)
    unknown = set(meta) - allowed
    if unknown:
        raise ContentError(path, f"unknown front matter field(s): {', '.join(sorted(unknown))}", 1)
    body_start = text.find("\n", end + 1) + 1 or len(text)
    body = text[body_start:]
    blank_lines = len(body) - len(body.lstrip("\n"))
    return SourceFile(path, language, meta, body.strip(), text.count("\n", 0, body_start) + 1 + blank_lines)


def read_group(folder: Path, allowed: set[str]) -> dict[str, dict[str, SourceFile]]:
    """Files of one kind, grouped by name: {"01-background": {"zh-hans": doc, "en": doc}}."""
    groups: dict[str, dict[str, SourceFile]] = {}
    if not folder.is_dir():
        return groups
    for path in sorted(folder.glob("*.md")):
        match = FILENAME.match(path.name)
        if not match or match["language"] not in LANGUAGE_CODES:
            raise ContentError(
                path, f"the file name must end in .<language>.md, language one of {LANGUAGE_CODES}"
            )
        groups.setdefault(match["name"], {})[match["language"]] = read_source_file(path, allowed)
    return groups


def shared(docs: dict[str, SourceFile], keys: tuple[str, ...]) -> dict[str, Any]:
    """The fields that are not words, checked to be the same in every language's file."""
    first, *others = docs.values()
    for doc in others:
        for key in keys:
            if doc.meta.get(key) != first.meta.get(key):
                raise ContentError(
                    doc.path,
                    f"'{key}' differs from {first.path.name}; it must be the same in every language",
                    1,
                )
    return first.meta


# --- Other apps' parts of a course (the quizzes app adds quizzes/*.gift) --------------------------------


@dataclass
class Part:
    folder: str
    load: Callable[[Course, Path, Report], None]  # raises ContentError
    dump: Callable[[Course, Path], None]


PARTS: list[Part] = []


@dataclass
class Report:
    """What an import did, one entry per row. A row missing from the source is `retired` (kept, hidden) when
    learners' data hangs on it, and `deleted` otherwise or when the author asked for it; `responses_kept`
    and `responses_removed` count the learners' quiz answers that hang on those rows."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    responses_kept: int = 0
    responses_removed: int = 0

    def summary(self) -> str:
        words = f"{len(self.created)} created, {len(self.updated)} updated, {self.unchanged} unchanged"
        if self.retired:
            words += f", {len(self.retired)} retired (kept with their learners' data, hidden)"
            if self.responses_kept:
                words += f" keeping {self.responses_kept} responses"
        if self.deleted:
            words += f", {len(self.deleted)} deleted"
            if self.responses_removed:
                words += f" with {self.responses_removed} responses"
        return words


def _words(docs: dict[str, SourceFile], fields: dict[str, Callable[[SourceFile], str]]) -> dict[str, str]:
    """{"title_zh_hans": ..., "title_en": ...} for the languages present (missing ones stay empty)."""
    values = {}
    for lang in LANGUAGE_CODES:
        doc = docs.get(lang)
        for name, read in fields.items():
            values[build_localized_fieldname(name, lang)] = read(doc) if doc else ""
    return values


def upsert(
    report: Report,
    instance: Any,
    values: dict[str, Any],
    label: str,
    docs: dict[str, SourceFile],
    concepts: Concepts,
    concepts_changed: bool = True,
) -> None:
    """Sets the source fields, renders with the full concept index, and saves only if anything differs.
    A row whose sources are as stored is not even rendered again unless a concept's names changed."""
    same_sources = instance.pk is not None and all(getattr(instance, k) == v for k, v in values.items())
    if same_sources and not concepts_changed:
        report.unchanged += 1
        return
    for key, value in values.items():
        setattr(instance, key, value)
    try:
        instance.render(concepts)
    except MathError as error:
        doc = next(
            (
                d
                for lang, d in docs.items()
                for source in instance.markdown
                if error.tex.strip() in localized(instance, source, lang)
            ),
            None,
        )
        doc = doc or next(iter(docs.values()))
        raise doc.math_error(error) from None
    except ValueError as error:  # too big or too deeply nested to render
        raise ContentError(next(iter(docs.values())).path, str(error)) from None
    if instance.pk is not None:
        # Every column by name: a plain values() would give only the active language's words.
        columns = [f.attname for f in type(instance)._meta.concrete_fields if f.attname != "updated_at"]
        stored = type(instance).objects.filter(pk=instance.pk).values(*columns).first()
        if all(getattr(instance, key) == value for key, value in stored.items()):
            report.unchanged += 1
            return
    created = instance.pk is None
    instance.save(render=False)
    (report.created if created else report.updated).append(label)


def _check_labs(doc: SourceFile, labs: list[str]) -> None:
    for slug in labs:
        if slug not in practice.WIDGETS:
            raise ContentError(doc.path, f"unknown lab '{slug}' (labs: {', '.join(practice.WIDGETS)})", 1)


def _check_status(doc: SourceFile, status: str) -> None:
    if status not in Status.values:
        raise ContentError(doc.path, f"status must be one of {', '.join(Status.values)}", 1)


def _unique(slugs: dict[str, Path], doc: SourceFile, kind: str) -> str:
    slug = doc.slug()
    if slug in slugs:
        raise ContentError(doc.path, f"duplicate {kind} slug '{slug}' (also in {slugs[slug].name})", 1)
    slugs[slug] = doc.path
    return slug


COURSE_FIELDS = {"slug", "title", "summary", "order", "status"}
CONCEPT_FIELDS = {"slug", "term", "aliases", "definition", "related", "labs"}
LESSON_FIELDS = {"slug", "order", "title", "summary", "prerequisites", "tags", "labs", "status"}
FAQ_FIELDS = {"slug", "order", "question", "labs"}


@transaction.atomic
def import_course(folder: Path) -> tuple[Course, Report]:
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError(folder, "no such folder")
    report = Report()
    course_docs = read_group(folder, COURSE_FIELDS).get("course")
    if not course_docs:
        raise ContentError(folder, "no course.<language>.md file (e.g. course.zh-hans.md)")
    meta = shared(course_docs, ("slug", "order", "status"))
    first = next(iter(course_docs.values()))
    course = Course.objects.filter(slug=first.slug()).first() or Course(slug=first.slug())
    _check_status(first, meta.get("status", Status.PUBLISHED))
    concepts, changed = _import_concepts(folder / "concepts", report)
    values = {
        "order": first.get("order", int, 0),
        "status": meta.get("status", Status.PUBLISHED),
        **_words(
            course_docs,
            {
                "title": lambda d: d.words("title"),
                "summary": lambda d: d.words("summary", False),
                "intro_md": lambda d: d.body,
            },
        ),
    }
    upsert(report, course, values, f"course {course.slug}", course_docs, concepts, changed)
    _import_lessons(course, folder / "lessons", report, concepts, changed)
    _import_faq(course, folder / "faq", report, concepts, changed)
    for part in PARTS:
        part.load(course, folder / part.folder, report)
    transaction.on_commit(bump_content_version)  # whatever changed, in one rename of every page
    return course, report


def _import_concepts(folder: Path, report: Report) -> tuple[Concepts, bool]:
    """Concepts first (lessons link to them), in three steps: words, then relations, then rendering with
    every concept's names known, so concepts link to each other whatever the file order."""
    slugs: dict[str, Path] = {}
    rows = []
    for docs in read_group(folder, CONCEPT_FIELDS).values():
        meta = shared(docs, ("slug", "related", "labs"))
        first = next(iter(docs.values()))
        slug = _unique(slugs, first, "concept")
        _check_labs(first, first.slugs("labs"))
        for doc in docs.values():
            if not all(isinstance(a, str) and a.strip() for a in doc.get("aliases", list, [])):
                raise ContentError(doc.path, "'aliases' must be a list of names", 1)
        rows.append((slug, docs, meta, first))
    stored = {c.slug: c for c in Concept.objects.all()}
    concepts = {}
    for slug, docs, _meta, first in rows:
        concept = stored.get(slug) or Concept(slug=slug)
        concepts[slug] = (
            concept,
            docs,
            {
                "labs": first.slugs("labs"),
                **_words(
                    docs,
                    {
                        "term": lambda d: d.words("term"),
                        "definition": lambda d: d.words("definition"),
                        "aliases": lambda d: "\n".join(a.strip() for a in d.get("aliases", list, [])),
                        "body_md": lambda d: d.body,
                    },
                ),
            },
        )
    wanted: set[tuple[str, str, str]] = set()
    for slug, _docs, meta, first in rows:
        for edge in meta.get("related") or []:
            if not isinstance(edge, dict) or set(edge) != {"concept", "relation"}:
                raise ContentError(
                    first.path, "each 'related' entry is {concept: <slug>, relation: <kind>}", 1
                )
            if edge["concept"] not in concepts and edge["concept"] not in stored:
                raise ContentError(first.path, f"related concept '{edge['concept']}' does not exist", 1)
            if edge["relation"] not in ConceptRelation.Kind.values:
                kinds = ", ".join(ConceptRelation.Kind.values)
                raise ContentError(first.path, f"unknown relation '{edge['relation']}' (one of {kinds})", 1)
            wanted.add((slug, edge["concept"], edge["relation"]))
    before = concept_indexes(sorted(stored.values(), key=lambda c: c.slug))
    for concept, _docs, values in concepts.values():
        for key, value in values.items():
            setattr(concept, key, value)
    everything = {**stored, **{slug: c for slug, (c, _d, _v) in concepts.items()}}
    index = concept_indexes(sorted(everything.values(), key=lambda c: c.slug))
    changed = index != before
    for slug, (concept, docs, values) in concepts.items():
        upsert(report, concept, values, f"concept {slug}", docs, index, changed)
    _sync_relations({slug for slug, *_ in rows}, wanted, report)
    return index, changed


def _sync_relations(sources: set[str], wanted: set[tuple[str, str, str]], report: Report) -> None:
    existing = {
        (r.source.slug, r.target.slug, r.kind): r
        for r in ConceptRelation.objects.filter(source__slug__in=sources).select_related("source", "target")
    }
    for key, relation in existing.items():
        if key not in wanted:
            relation.delete()
            report.updated.append(f"relation {' '.join(key)} removed")
    by_slug = {c.slug: c for c in Concept.objects.all()}
    for source, target, kind in sorted(wanted - set(existing)):
        ConceptRelation.objects.create(source=by_slug[source], target=by_slug[target], kind=kind)
        report.created.append(f"relation {source} {kind} {target}")


def _import_lessons(course: Course, folder: Path, report: Report, concepts: Concepts, changed: bool) -> None:
    slugs: dict[str, Path] = {}
    rows = []
    for docs in read_group(folder, LESSON_FIELDS).values():
        meta = shared(docs, ("slug", "order", "prerequisites", "tags", "labs", "status"))
        first = next(iter(docs.values()))
        slug = _unique(slugs, first, "lesson")
        _check_status(first, meta.get("status", Status.PUBLISHED))
        _check_labs(first, first.slugs("labs"))
        first.slugs("tags")
        rows.append((slug, docs, meta, first))
    existing = {lesson.slug: lesson for lesson in course.lessons.all()} if course.pk else {}
    for slug, _docs, _meta, first in rows:
        for prerequisite in first.slugs("prerequisites"):
            if prerequisite == slug or (prerequisite not in slugs and prerequisite not in existing):
                raise ContentError(
                    first.path, f"unknown prerequisite '{prerequisite}' (no such lesson in this course)", 1
                )
    for slug, docs, meta, first in rows:
        lesson = existing.pop(slug, None) or Lesson(course=course, slug=slug)
        values = {
            "order": first.get("order", int, 0),
            "status": meta.get("status", Status.PUBLISHED),
            "prerequisites": first.slugs("prerequisites"),
            "tags": first.slugs("tags"),
            "labs": first.slugs("labs"),
            **_words(
                docs,
                {
                    "title": lambda d: d.words("title"),
                    "summary": lambda d: d.words("summary", False),
                    "body_md": lambda d: d.body,
                },
            ),
        }
        upsert(report, lesson, values, f"lesson {slug}", docs, concepts, changed)
    for lesson in existing.values():
        _retire_lesson(lesson, report)


def _retire_lesson(lesson: Lesson, report: Report) -> None:
    """A lesson no longer in the folder is never deleted (learners' progress, its quiz's attempts and its
    experiments' submissions hang on it): it is retired as a draft, hidden from readers, kept as it is."""
    if lesson.status == Status.DRAFT:
        report.unchanged += 1
        return
    Lesson.objects.filter(pk=lesson.pk).update(status=Status.DRAFT)
    report.retired.append(f"lesson {lesson.slug}")
    report.warnings.append(
        f"lesson {lesson.slug} is in the database but not in the folder: retired as a draft, "
        "its learners' data kept"
    )


def _import_faq(course: Course, folder: Path, report: Report, concepts: Concepts, changed: bool) -> None:
    """The course's FAQ entries; one no longer in the folder is retired (kept, not listed) when learners
    rated it, deleted otherwise."""
    slugs: dict[str, Path] = {}
    for docs in read_group(folder, FAQ_FIELDS).values():
        shared(docs, ("slug", "order", "labs"))
        first = next(iter(docs.values()))
        slug = _unique(slugs, first, "FAQ")
        _check_labs(first, first.slugs("labs"))
        entry = FaqEntry.objects.filter(slug=slug).first() or FaqEntry(slug=slug)
        values = {
            "course_id": course.pk,
            "order": first.get("order", int, 0),
            "labs": first.slugs("labs"),
            "retired": False,
            **_words(docs, {"question": lambda d: d.words("question"), "answer_md": lambda d: d.body}),
        }
        upsert(report, entry, values, f"faq {slug}", docs, concepts, changed)
    if course.pk is None:
        return
    for gone in FaqEntry.objects.filter(course=course).exclude(slug__in=slugs):
        label = f"faq {gone.slug}"
        if not gone.ratings.exists():
            gone.delete()
            report.deleted.append(label)
        elif gone.retired:
            report.unchanged += 1
        else:
            FaqEntry.objects.filter(pk=gone.pk).update(retired=True)
            report.retired.append(label)


# --- Export ---------------------------------------------------------------------------------------------


class _FrontMatterDumper(yaml.SafeDumper):
    """Block style for the fields, flow style for short lists and for each relation: as authors write it."""


def _represent_list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flow = all(not isinstance(i, list | dict) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, mapping: dict) -> yaml.Node:
    flow = all(not isinstance(v, list | dict) for v in mapping.values()) and len(mapping) <= 2
    return dumper.represent_mapping("tag:yaml.org,2002:map", mapping.items(), flow_style=flow)


_FrontMatterDumper.add_representer(list, _represent_list)
_FrontMatterDumper.add_representer(dict, _represent_dict)


def front_matter(meta: dict[str, Any], body: str) -> str:
    """A course file's text: its metadata as YAML front matter, then its Markdown (what read_source_file reads)."""
    head = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n{body.strip()}\n"


def export_course(course: Course, folder: Path) -> list[Path]:
    """Writes the course as import_course reads it; returns the files written."""
    folder = Path(folder)
    written: list[Path] = []
    for relative, text in chain(
        _course_files(course), _lesson_files(course), _concept_files(), _faq_files(course)
    ):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for part in PARTS:
        part.dump(course, folder / part.folder)
    return written


Files = Iterator[tuple[str, str]]  # (path under the course folder, text)


def _course_files(course: Course) -> Files:
    for lang in LANGUAGE_CODES:
        if not localized(course, "title", lang):
            continue
        meta = {
            "slug": course.slug,
            "order": course.order,
            "status": course.status,
            "title": localized(course, "title", lang),
            "summary": localized(course, "summary", lang),
        }
        yield f"course.{lang}.md", front_matter(meta, localized(course, "intro_md", lang))


def _lesson_files(course: Course) -> Files:
    for lesson in course.lessons.order_by("order", "slug"):
        for lang in LANGUAGE_CODES:
            if not localized(lesson, "title", lang):
                continue
            meta = {
                "slug": lesson.slug,
                "order": lesson.order,
                "title": localized(lesson, "title", lang),
                "summary": localized(lesson, "summary", lang),
                "prerequisites": lesson.prerequisites,
                "tags": lesson.tags,
                "labs": lesson.labs,
                "status": lesson.status,
            }
            body = localized(lesson, "body_md", lang)
            yield f"lessons/{lesson.order:02d}-{lesson.slug}.{lang}.md", front_matter(meta, body)


def _concept_files() -> Files:
    related: dict[str, list[dict[str, str]]] = {}
    for relation in ConceptRelation.objects.select_related("source", "target").order_by(
        "source__slug", "target__slug", "kind"
    ):
        related.setdefault(relation.source.slug, []).append(
            {"concept": relation.target.slug, "relation": relation.kind}
        )
    for concept in Concept.objects.order_by("slug"):
        for lang in LANGUAGE_CODES:
            if not localized(concept, "term", lang):
                continue
            meta = {
                "slug": concept.slug,
                "term": localized(concept, "term", lang),
                "aliases": [a for a in localized(concept, "aliases", lang).split("\n") if a],
                "definition": localized(concept, "definition", lang),
                "related": related.get(concept.slug, []),
                "labs": concept.labs,
            }
            yield (
                f"concepts/{concept.slug}.{lang}.md",
                front_matter(meta, localized(concept, "body_md", lang)),
            )


def _faq_files(course: Course) -> Files:
    for entry in course.faq_entries.current().order_by("order", "slug"):
        for lang in LANGUAGE_CODES:
            if not localized(entry, "question", lang):
                continue
            meta = {
                "slug": entry.slug,
                "order": entry.order,
                "question": localized(entry, "question", lang),
                "labs": entry.labs,
            }
            body = localized(entry, "answer_md", lang)
            yield f"faq/{entry.order:02d}-{entry.slug}.{lang}.md", front_matter(meta, body)
