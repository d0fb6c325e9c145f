"""Images a Moodle XML question carries in its texts: `<img src="@@PLUGINFILE@@/name.png">` with a
`<file name="name.png" encoding="base64">` element beside it. Pure Python (no Django): reading them, checking
them and finding the references; `quizzes.bank` stores them (`QuestionFile`) and writes their served address
into the texts, and back to @@PLUGINFILE@@ on export.

Only raster images are held, told by their bytes' signature (never by the file's name): PNG, JPEG, GIF and
WebP. SVG is refused, not sanitised: it is XML that can carry scripts and links, and cleaning it well needs
a library of its own; a Moodle bank's SVG is rare enough that the refusal, naming the question, is the
honest answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from .gift import GiftQuestion

# Each image at most 300 kB, all of one file's at most 600 kB (800,000 characters of base64: the file, at most
# 1,000,000 characters, keeps room for its words). Enough for a question's diagrams and photos; a bank of
# scans is split into several files. Each image is one row, served with a year's cache.
MAX_IMAGE_BYTES = 300_000
MAX_IMPORT_IMAGE_BYTES = 600_000
MAX_NAME = 255  # characters, as Moodle's file names

# The first bytes that say what an image is, and the Content-Type and extension it is served with.
_SIGNATURES: tuple[tuple[Callable[[bytes], bool], str, str], ...] = (
    (lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"), "image/png", "png"),
    (lambda data: data.startswith(b"\xff\xd8\xff"), "image/jpeg", "jpg"),
    (lambda data: data.startswith((b"GIF87a", b"GIF89a")), "image/gif", "gif"),
    (lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP", "image/webp", "webp"),
)
EXTENSIONS = {extension: content_type for _match, content_type, extension in _SIGNATURES}


def image_type(data: bytes) -> tuple[str, str] | None:
    """(Content-Type, extension) of a PNG, JPEG, GIF or WebP image by its bytes, or None for anything else."""
    for matches, content_type, extension in _SIGNATURES:
        if matches(data):
            return content_type, extension
    return None


def digest(data: bytes) -> str:
    """The image's address: its content's SHA-256, so the same bytes are one address that never changes
    (cached for a year) and changed bytes are a new one."""
    return hashlib.sha256(data).hexdigest()


# A reference as Moodle writes it: the file name URL-encoded (rawurlencode) after @@PLUGINFILE@@/.
REFERENCE_RE = re.compile(r"@@PLUGINFILE@@/([^\"'\s()<>]+)")
# An image whose file the XML lacks: dropped (its alt text kept), so the reader never sees a broken image.
_BROKEN_IMG_RE = re.compile(r"<img\b[^>]*?@@PLUGINFILE@@/(?P<name>[^\"'\s()<>]+)[^>]*>", re.I)
_ALT_RE = re.compile(r"\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_BROKEN_MARKDOWN_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(@@PLUGINFILE@@/(?P<name>[^\"'\s()<>]+)[^)]*\)")


def referenced(text: str) -> list[str]:
    """The file names a text refers to, in order, each once."""
    return list(dict.fromkeys(unquote(name) for name in REFERENCE_RE.findall(text)))


def reference(name: str) -> str:
    return "@@PLUGINFILE@@/" + quote(name)


def map_texts(question: GiftQuestion, change: Callable[[str], str]) -> None:
    """Applies `change` to every text of a question that may show an image."""
    question.text = change(question.text)
    question.general_feedback = change(question.general_feedback)
    for answer in question.answers:
        answer.text = change(answer.text)
        answer.feedback = change(answer.feedback)
    settings = question.moodle
    if settings is not None:
        settings.hints = [change(hint) for hint in settings.hints]
        settings.correct_feedback = change(settings.correct_feedback)
        settings.partial_feedback = change(settings.partial_feedback)
        settings.incorrect_feedback = change(settings.incorrect_feedback)


def all_texts(question: GiftQuestion) -> list[str]:
    texts: list[str] = []
    map_texts(question, lambda text: texts.append(text) or text)
    return texts


def drop_missing(question: GiftQuestion) -> list[str]:
    """Removes the images whose file the question lacks (keeping their alt text) and returns the names
    referred to without a file, for the import's report."""
    missing = [
        name for text in all_texts(question) for name in referenced(text) if name not in question.files
    ]

    def alt_of(tag: str) -> str:
        found = _ALT_RE.search(tag)
        return (found.group(1) or found.group(2) or "") if found else ""

    def drop(text: str) -> str:
        text = _BROKEN_IMG_RE.sub(
            lambda m: m.group() if unquote(m["name"]) in question.files else alt_of(m.group()), text
        )
        return _BROKEN_MARKDOWN_RE.sub(
            lambda m: m.group() if unquote(m["name"]) in question.files else m["alt"], text
        )

    map_texts(question, drop)
    return list(dict.fromkeys(missing))
