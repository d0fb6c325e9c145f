"""The math font a page downloads: STIX Two Math cut down to the characters the course's formulas use.

Browsers typeset MathML with the font that `math { font-family: STIX2, math }` names (static/css/content.css).
The whole font is 394 KiB; the formulas of the shipped course use a few hundred of its 4,605 characters. So the
family has two faces: the subset (the characters below, about 38 KiB, without hinting) and the whole font for
every other character the font has, each face with a `unicode-range`. A browser fetches a face only when a
page shows a character in its range: a page of the course fetches the subset alone, and a formula written
later in the admin with a character outside it still shows that character in STIX Two Math, at the cost of
the whole font on that page, until `manage.py subset_math_font` is run again. Characters the font does not
have (Chinese in `\\text{…}`) are in neither range and go to the system's fonts without fetching anything.

fontTools is a development dependency (requirements-dev.txt): the subset is built here and committed, never
at run time, and no page depends on this module.
"""

from __future__ import annotations

import html
import io
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
FULL_FONT = STATIC / "vendor" / "temml" / "STIXTwoMath.woff2"
SUBSET_FONT = STATIC / "vendor" / "temml" / "STIXTwoMath-course.woff2"
STYLESHEET = STATIC / "css" / "content.css"
BEGIN = "/* BEGIN font faces, written by `manage.py subset_math_font` (lessons/mathfont.py) */"
END = "/* END font faces */"


def _span(first: str, last: str) -> set[str]:
    return {chr(c) for c in range(ord(first), ord(last) + 1)}


# Always in the subset, whatever the course uses: what any formula is likely to need, so that a new formula
# rarely costs the whole font. Letters come with their italic forms (see italic()).
REPERTOIRE = (
    _span(" ", "~")  # ASCII
    | _span("Α", "Ω")
    | _span("α", "ω")
    | set("ϑϕϖϰϱϵ")  # Greek and its variants
    | set("±×÷·¬°′″…‖∫∬∭∮√∛∀∃∄∅∉∋⊆⊇⊄⊊≡≢≅≃≐≔≝≺≼≽≫⇒⇔⇐↦↔↑↓⟶⟹∧∨⊕⊗⊥∥∠△□∓⌈⌉⟨⟩ℝℕℤℚℂℏ∗⋆†ℑℜℵ∖∣∤")
)

# MathML Core draws a one-letter <mi> in italic by switching to the letter's code point among the
# Mathematical Alphanumeric Symbols (text-transform: math-auto): the font must have those too.
_ITALIC_OTHERS = {
    "ı": 0x1D6A4,
    "ȷ": 0x1D6A5,
    "ϴ": 0x1D6F3,
    "∇": 0x1D6FB,
    "∂": 0x1D715,
    "ϵ": 0x1D716,
    "ϑ": 0x1D717,
    "ϰ": 0x1D718,
    "ϕ": 0x1D719,
    "ϱ": 0x1D71A,
    "ϖ": 0x1D71B,
}


def italic(char: str) -> str | None:
    """The character Chromium and Firefox draw for a one-letter <mi> (MathML Core's italic mapping)."""
    if char == "h":
        return "\u210e"  # PLANCK CONSTANT, where the alphabet has its hole
    if "A" <= char <= "Z":
        return chr(0x1D434 + ord(char) - ord("A"))
    if "a" <= char <= "z":
        return chr(0x1D44E + ord(char) - ord("a"))
    if "Α" <= char <= "Ω" and char != "\u03a2":
        return chr(0x1D6E2 + ord(char) - ord("Α"))
    if "α" <= char <= "ω":
        return chr(0x1D6FC + ord(char) - ord("α"))
    code = _ITALIC_OTHERS.get(char)
    return chr(code) if code else None


_MATH = re.compile(r"<math\b.*?</math>", re.S)
_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>", re.S)
_TEXT = re.compile(r">([^<]+)<")


def math_characters(rendered_html: str) -> set[str]:
    """The characters a browser draws for the formulas in some rendered HTML (their TeX source aside), with
    the italic forms of their letters."""
    found: set[str] = set()
    for formula in _MATH.findall(rendered_html):
        for text in _TEXT.findall(_ANNOTATION.sub("", formula)):
            found |= set(html.unescape(text))
    return with_italics(found)


def with_italics(chars: Iterable[str]) -> set[str]:
    chars = set(chars)
    return chars | {i for i in map(italic, chars) if i}


def stored_characters() -> set[str]:
    """The characters of every formula in the database: every rendered-HTML column of every model (lessons,
    concepts, the FAQ, quizzes, experiments; both languages)."""
    found: set[str] = set()
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if "_html" in f.attname]
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            for value in row:
                if value and "<math" in value:
                    found |= math_characters(value)
    return found


def font_characters(path: Path) -> set[str]:
    """The characters a font file has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    return {chr(code) for code in TTFont(path).getBestCmap()}


def build_subset(chars: Iterable[str], source: Path = FULL_FONT) -> bytes:
    """A WOFF2 font with the glyphs of `chars` that `source` has, and every glyph they lead to: the bigger
    sizes and stretching pieces of the MATH table (a display-size ∑, a tall parenthesis), and the
    substitutions of every layout feature. Hinting is left out: a third of the font's bytes, and the
    outlines are what phones draw."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it reports every table at INFO
    font = TTFont(source, recalcTimestamp=False)  # the same input gives the same bytes
    options = subset.Options(layout_features=["*"], hinting=False, name_IDs=["*"], notdef_outline=True)
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def unicode_range(chars: Iterable[str]) -> str:
    """CSS `unicode-range` for a set of characters: runs of consecutive code points as ranges."""
    runs: list[list[int]] = []
    for code in sorted(ord(c) for c in chars):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


_RANGE = re.compile(r"U\+([0-9A-F]+)(?:-([0-9A-F]+))?", re.I)


def parse_unicode_range(value: str) -> set[str]:
    return {
        chr(code)
        for first, last in _RANGE.findall(value)
        for code in range(int(first, 16), int(last or first, 16) + 1)
    }


def font_faces(subset_chars: set[str], full_chars: set[str]) -> str:
    """The two @font-face rules of the STIX2 family: the subset for its characters, the whole font for the
    rest of its own. `local()` first: a system with STIX Two Math installed downloads nothing. `swap`:
    should the font be slow, the page's text shows at once and its formulas in the system's math font."""
    faces = [(FULL_FONT, full_chars - subset_chars), (SUBSET_FONT, subset_chars)]
    rules = [
        "@font-face {\n"
        "  font-family: STIX2;\n"
        f'  src: local("STIX Two Math"), local("STIXTwoMath-Regular"), url("{_relative(font)}") format("woff2");\n'
        "  font-display: swap;\n"
        f"  unicode-range: {unicode_range(chars)};\n"
        "}"
        for font, chars in faces
    ]
    return "\n".join([BEGIN, *rules, END])


def _relative(font: Path) -> str:
    return os.path.relpath(font, STYLESHEET.parent).replace(os.sep, "/")


_FACES = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)


def stylesheet_faces(css: str) -> dict[str, set[str]]:
    """The font files a stylesheet's generated @font-face rules name, each with its unicode-range."""
    block = _FACES.search(css)
    if not block:
        return {}
    faces = re.findall(r'url\("([^"]+)"\).*?unicode-range: ([^;]+);', block.group(0), re.S)
    return {url.rsplit("/", 1)[-1]: parse_unicode_range(value) for url, value in faces}


def write(chars: set[str]) -> tuple[int, set[str]]:
    """Writes the subset of `chars` (with REPERTOIRE) and the stylesheet's font faces; returns the subset's
    size in bytes and its characters."""
    full = font_characters(FULL_FONT)
    data = build_subset(with_italics(chars | REPERTOIRE) & full)
    SUBSET_FONT.write_bytes(data)
    subset_chars = font_characters(SUBSET_FONT)
    css = STYLESHEET.read_text(encoding="utf-8")
    if not _FACES.search(css):
        raise ValueError(f"{STYLESHEET} has no block between {BEGIN!r} and {END!r} to replace")
    STYLESHEET.write_text(_FACES.sub(lambda _m: font_faces(subset_chars, full), css), encoding="utf-8")
    return len(data), subset_chars
