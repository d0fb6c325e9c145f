"""Markdown to safe HTML, once, when content is saved.

Python-Markdown with pymdown-extensions builds the HTML (anchored headings, tables, admonitions, footnotes,
code highlighted by Pygments); nh3 removes anything that could run in a reader's browser; then the math is
converted on the server to MathML by Temml (a vendored JavaScript file, run in QuickJS). Browsers typeset MathML
themselves (with the vendored STIX Two Math font, cut down to what the course uses: mathfont.py) and screen
readers read it, so pages need no script to show a formula, and they stay light: MathML is about a fifth of the
size of KaTeX's HTML for the same formulas.
Concept terms are linked on the way (first occurrence).
"""

from __future__ import annotations

import ctypes
import html
import re
import threading
import time
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import markdown
import nh3
import quickjs
from django.conf import settings
from django.utils.translation import gettext as _
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

TEMML_JS = Path(settings.BASE_DIR) / "static" / "vendor" / "temml" / "temml.min.js"
MAX_SOURCE = 1_000_000  # characters; a body larger than this is refused, not rendered
# Python-Markdown matches each "[" against the rest of its paragraph: thousands of unmatched brackets in one
# paragraph take minutes (quadratic). Real text never comes near this; a hostile or broken one is refused.
MAX_BRACKETS_PER_PARAGRAPH = 1000
_FENCED = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Every text renders within this much processor time, or is refused: Python-Markdown has shapes that cost time
# quadratic in a paragraph's length ('<a ' x n, '\\(' x n, unclosed '<http'...), and a cap on each shape would
# only wait for the next one. The course's lessons take 2-10 microseconds a character.
RENDER_SECONDS = 2.0
RENDER_SECONDS_PER_CHARACTER = 20e-6


class MathError(ValueError):
    """A formula that does not parse; `line` is where it starts in the Markdown source (1-based) when known."""

    def __init__(self, tex: str, reason: str, line: int | None) -> None:
        self.tex, self.reason, self.line = tex, reason, line
        # In the language active when it is raised: the author's, in the admin (Temml's reason stays English).
        message = _("math does not parse: %(reason)s in $%(tex)s$") % {
            "reason": reason,
            "tex": tex.strip()[:80],
        }
        super().__init__(
            _("line %(line)d: %(message)s") % {"line": line, "message": message} if line else message
        )


@dataclass
class Rendered:
    html: str
    toc_html: str
    text: str  # plain text, for search
    minutes: int  # estimated reading time


@dataclass(frozen=True)
class ConceptName:
    name: str
    slug: str
    definition: str


@dataclass
class ConceptIndex:
    """The concept terms and aliases of one language, longest first, so "卷积神经网络" wins over "卷积"."""

    names: list[ConceptName] = field(default_factory=list)

    def pattern(self) -> re.Pattern[str] | None:
        if not self.names:
            return None
        parts = []
        for concept in sorted(self.names, key=lambda c: -len(c.name)):
            escaped = re.escape(concept.name)
            if concept.name.isascii():  # Latin words link only as whole words
                escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
            parts.append(escaped)
        return re.compile("|".join(parts), re.IGNORECASE)

    def find(self, matched: str) -> ConceptName | None:
        lowered = matched.lower()
        return next((c for c in self.names if c.name.lower() == lowered), None)


# --- Math -----------------------------------------------------------------------------------------------

_js = threading.local()


def _temml():
    """One QuickJS context per thread (contexts are not thread-safe), loaded once."""
    render = getattr(_js, "render", None)
    if render is None:
        context = quickjs.Context()
        context.eval("var self = this; var window = this;")
        context.eval(TEMML_JS.read_text(encoding="utf-8"))
        # annotate: the TeX source travels inside the MathML, for copying and for assistive technology.
        render = context.eval(
            "(function (tex, display) { return temml.renderToString(tex, "
            "{displayMode: display, throwOnError: true, annotate: true, trust: false}); })"
        )
        _js.context, _js.render = context, render
    return render


@lru_cache(maxsize=4096)
def typeset(tex: str, display: bool) -> str:
    """The MathML for one formula; raises MathError (without a line) when it does not parse."""
    try:
        return _temml()(tex, display)
    except quickjs.JSException as error:
        reason = str(error).splitlines()[0].removeprefix("ParseError:").strip()
        raise MathError(tex, reason, None) from None


_MATH = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>|<div class="arithmatex">\\\[(?P<display>.*?)\\\]</div>',
    re.S,
)


def _typeset_all(safe_html: str, source: str) -> str:
    def replace(match: re.Match[str]) -> str:
        display = match.group("display") is not None
        tex = html.unescape(match.group("display") if display else match.group("inline"))
        try:
            rendered = typeset(tex, display)
        except MathError as error:
            at = source.find(tex.strip())
            error.line = source.count("\n", 0, at) + 1 if at >= 0 else None
            raise MathError(tex, error.reason, error.line) from None
        return f'<div class="math-display">{rendered}</div>' if display else rendered

    return _MATH.sub(replace, safe_html)


# --- Concept links --------------------------------------------------------------------------------------

_SKIP = {"code", "pre", "a", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "script", "style"}


class ConceptLinker(Treeprocessor):
    """Links the first occurrence of each concept in running text; never in code, math, links or headings."""

    def __init__(self, md: markdown.Markdown, index: ConceptIndex, exclude: str | None) -> None:
        super().__init__(md)
        self.index, self.exclude = index, exclude

    def run(self, root: etree.Element) -> None:
        self.pattern = self.index.pattern()
        if self.pattern is None:
            return
        self.linked: set[str] = {self.exclude} if self.exclude else set()
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in _SKIP or "arithmatex" in (element.get("class") or ""):
            return
        if element.text and not isinstance(element.text, markdown.util.AtomicString):
            element.text, new = self._link(element.text)
            for i, child in enumerate(new):
                element.insert(i, child)
        for child in list(element):
            self._walk(child)
            if child.tail and not isinstance(child.tail, markdown.util.AtomicString):
                child.tail, new = self._link(child.tail)
                position = list(element).index(child) + 1
                for i, extra in enumerate(new):
                    element.insert(position + i, extra)

    def _link(self, text: str) -> tuple[str, list[etree.Element]]:
        """Splits text into leading text + <a> elements (each carrying the text after it as its tail)."""
        head, elements, last = None, [], 0
        for match in self.pattern.finditer(text):
            concept = self.index.find(match.group(0))
            if concept is None or concept.slug in self.linked:
                continue
            self.linked.add(concept.slug)
            link = etree.Element(
                "a",
                {"class": "concept-link", "href": f"/concepts/{concept.slug}/", "title": concept.definition},
            )
            link.text = match.group(0)
            if not elements:
                head = text[: match.start()]
            else:
                elements[-1].tail = text[last : match.start()]
            elements.append(link)
            last = match.end()
        if not elements:
            return text, []
        elements[-1].tail = text[last:]
        return head, elements


class ConceptLinks(markdown.Extension):
    def __init__(self, index: ConceptIndex, exclude: str | None) -> None:
        super().__init__()
        self.index, self.exclude = index, exclude

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After inline patterns (priority 20) so text nodes are final, before pretty-printing.
        md.treeprocessors.register(ConceptLinker(md, self.index, self.exclude), "concept_links", 15)


# --- Sanitising -----------------------------------------------------------------------------------------

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "*": {"class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
}


def sanitise(unsafe: str) -> str:
    return nh3.clean(unsafe, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"})


# --- Time budget -----------------------------------------------------------------------------------------


class _Overtime(BaseException):
    """Raised inside a render that has spent its budget. A BaseException, so that no `except Exception` in a
    library swallows it; render() turns it into a ValueError with the reason."""


class _Watchdog:
    """One thread that watches the processor time of every render in progress and stops a render that has
    spent its budget, by raising _Overtime in its thread (at its next Python instruction: a single regular
    expression search still finishes, and each of those is linear). Processor time, not wall time, so that a
    busy machine does not refuse a text it would render."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.watched: dict[int, tuple[int, float]] = {}  # thread id -> (its clock, deadline on it)
        self.thread: threading.Thread | None = None

    def watch(self, seconds: float) -> None:
        ident = threading.get_ident()
        clock = time.pthread_getcpuclockid(ident)
        with self.lock:
            self.watched[ident] = (clock, time.clock_gettime(clock) + seconds)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="render-watchdog", daemon=True)
                self.thread.start()

    def unwatch(self) -> None:
        """Stops watching this thread and takes back an _Overtime raised but not yet delivered (a render that
        ended just as its budget did keeps its result)."""
        ident = threading.get_ident()
        while True:
            try:
                with self.lock:
                    self.watched.pop(ident, None)
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
                return
            except _Overtime:  # delivered inside this method: once more, now that nothing can raise it again
                continue

    def _run(self) -> None:
        while True:
            time.sleep(0.05)
            with self.lock:
                for ident, (clock, deadline) in list(self.watched.items()):
                    try:
                        over = time.clock_gettime(clock) > deadline
                    except OSError:  # the thread has gone
                        over = False
                        self.watched.pop(ident, None)
                    if over:  # once: a BaseException that only a bare `except:` could swallow
                        self.watched.pop(ident, None)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(ident), ctypes.py_object(_Overtime)
                        )


_watchdog = _Watchdog()


def render_budget(source: str) -> float:
    """The processor seconds a text of this size may take to render: linear in its size."""
    return RENDER_SECONDS + RENDER_SECONDS_PER_CHARACTER * len(source)


# --- The whole pipeline ---------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def reading_minutes(text: str) -> int:
    """About 300 Chinese characters or 200 English words a minute, for technical reading."""
    return max(1, round(len(_CJK.findall(text)) / 300 + len(_WORD.findall(text)) / 200))


# What a reader does not read as text: a formula's TeX source (MathML keeps it in <annotation>) and the "#"
# of a heading's permalink. A block's end is a word break ("…道理" and "从 2012" are two sentences).
_NOT_READ = re.compile(r"<annotation\b.*?</annotation>|<a\b[^>]*\bclass=\"headerlink\"[^>]*>.*?</a>", re.S)
_TAG = re.compile(r"<[^>]*>")
_FORMULA = re.compile(r"<math\b.*?</math>", re.S)
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)\w+;")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|dt|dd|td|th|pre|blockquote|div|summary|figcaption)>")


_SUPERSCRIPTS = str.maketrans(
    "0123456789+-−=()abcdehiklmnoprstuvwxzT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉʰⁱᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣᶻᵀ"
)
_SUBSCRIPTS = str.maketrans("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_OPERATORS = re.compile(r"[-+−=/,·×<>≤≥\s]")
_ACCENTS = {
    "ˆ": "\u0302",
    "^": "\u0302",
    "¯": "\u0304",
    "‾": "\u0305",
    "~": "\u0303",
    "˜": "\u0303",
    "˙": "\u0307",
    "→": "\u20d7",
}


def _raised(text: str, table: dict, mark: str) -> str:
    """x² for x^2 where every character has a raised (or lowered) form; else x^(t+1)."""
    moved = text.translate(table)
    if all(ord(c) > 127 or c.isspace() for c in moved if c not in "()"):
        return moved
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _linear(node: etree.Element) -> str:
    """A MathML formula as one line of text a reader recognises: x², αₜ = 1/√t, ∑ᵢ₌₁ⁿ, ŷ."""
    tag, parts = node.tag, [_linear(child) for child in node]
    if tag == "annotation":
        return ""
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return (node.text or "").strip() + "".join(parts)
    if tag == "mspace":
        return " "
    if tag == "msup" and len(parts) == 2:
        return parts[0] + _raised(parts[1], _SUPERSCRIPTS, "^")
    if tag == "msub" and len(parts) == 2:
        return parts[0] + _raised(parts[1], _SUBSCRIPTS, "_")
    if tag == "msubsup" and len(parts) == 3:
        return parts[0] + _raised(parts[1], _SUBSCRIPTS, "_") + _raised(parts[2], _SUPERSCRIPTS, "^")
    if tag in ("munder", "mover", "munderover") and len(parts) >= 2:
        accent = _ACCENTS.get(parts[1]) if tag == "mover" else None
        if accent and len(parts[0]) == 1:
            return parts[0] + accent
        below = _raised(parts[1], _SUBSCRIPTS, "_") if tag != "mover" else ""
        above = _raised(parts[-1], _SUPERSCRIPTS, "^") if tag != "munder" else ""
        return parts[0] + below + above
    if tag == "mfrac" and len(parts) == 2:
        wrap = lambda t: f"({t})" if _OPERATORS.search(t) else t  # noqa: E731
        return f"{wrap(parts[0])}/{wrap(parts[1])}"
    if tag == "msqrt":
        inside = "".join(parts)
        return "√" + (f"({inside})" if _OPERATORS.search(inside) else inside)
    if tag == "mroot" and len(parts) == 2:
        return f"{_raised(parts[1], _SUPERSCRIPTS, '^')}√({parts[0]})"
    if tag == "mtr":
        return ", ".join(parts)
    if tag == "mtable":
        return "; ".join(parts)
    if tag == "mphantom":
        return ""
    return "".join(parts)


def _formula_as_read(math: re.Match) -> str:
    """A formula in a line of text (search snippets): "E = mc²", not the symbols run together ("E=mc2")."""
    source = _ENTITY.sub(lambda e: html.escape(html.unescape(e.group(0))), math.group(0))
    try:
        return f" {_linear(etree.fromstring(source)).strip()} "  # noqa: S314 (our own renderer's MathML: no DOCTYPE, no entities)
    except etree.ParseError:
        return math.group(0)


def plain_text(typeset_html: str) -> str:
    """The text a reader sees, formulas as a line of text ("x²", not "x2"), for search snippets and reading time."""
    text = _FORMULA.sub(_formula_as_read, typeset_html)
    text = _BLOCK_END.sub(lambda m: m.group(0) + " ", _NOT_READ.sub(" ", text))
    # Tags dropped by a pattern, not by nh3: this is our own sanitised output, and nh3 drops MathML whole.
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub("", text))).strip()


# A math opener without its closer makes Arithmatex's pattern scan to the paragraph's end from each one, inside
# one regular-expression search (which the time budget cannot interrupt): a few are a typo, thousands an attack.
MAX_UNCLOSED_MATH_PER_PARAGRAPH = 20
_MATH_DELIMITERS = {"\\(": "\\)", "\\[": "\\]", "\\begin{": "\\end{"}
_MATH_DELIMITER = re.compile(r"\\\\|\\[()\[\]]|\\begin\{|\\end\{")


def _unclosed_math(paragraph: str) -> int:
    """How many math openers in `paragraph` have no closer after them (linear: one pass, counting)."""
    unclosed = 0
    for opener, closer in _MATH_DELIMITERS.items():
        waiting = 0
        for token in _MATH_DELIMITER.findall(paragraph):
            if token == opener:
                waiting += 1
            elif token == closer:
                waiting = 0  # the pattern's match ends at the first closer: every opener before it is closed
        unclosed += waiting
    return unclosed


def check_shape(source: str) -> None:
    """Refuses text whose size or shape would make rendering take unbounded time (ValueError, in the active
    language, like MathError: the admin shows it as a field error)."""
    if len(source) > MAX_SOURCE:
        raise ValueError(_("the text is longer than %(limit)s characters") % {"limit": f"{MAX_SOURCE:,}"})
    for paragraph in _PARAGRAPH_BREAK.split(_FENCED.sub("", source)):
        if paragraph.count("[") > MAX_BRACKETS_PER_PARAGRAPH:
            line = source.count("\n", 0, max(0, source.find(paragraph[:200]))) + 1
            message = _("more than %(limit)d '[' in one paragraph") % {"limit": MAX_BRACKETS_PER_PARAGRAPH}
            raise ValueError(_("line %(line)d: %(message)s") % {"line": line, "message": message})
        if _unclosed_math(paragraph) > MAX_UNCLOSED_MATH_PER_PARAGRAPH:
            line = source.count("\n", 0, max(0, source.find(paragraph[:200]))) + 1
            message = _(
                "more than %(limit)d math openers ('\\(', '\\[', '\\begin{') without their closer in one paragraph"
            ) % {"limit": MAX_UNCLOSED_MATH_PER_PARAGRAPH}
            raise ValueError(_("line %(line)d: %(message)s") % {"line": line, "message": message})


_REMEMBERED: ContextVar[dict[str, Rendered] | None] = ContextVar("remembered", default=None)


@contextmanager
def remembered() -> Iterator[None]:
    """Within it, a text rendered once (without concept links) is not rendered again: an import renders every
    text of a file first, outside any transaction, then writes the rows in one short transaction whose saves
    find their HTML here, so the database's write lock is never held while a file renders."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def render(
    source: str, *, concepts: ConceptIndex | None = None, exclude_concept: str | None = None
) -> Rendered:
    """Renders Markdown to stored HTML. Raises MathError for a formula that does not parse and ValueError for
    text too big, too deeply nested or too slow to render: every text renders within `render_budget()`."""
    memo = _REMEMBERED.get()
    if memo is not None and concepts is None and source in memo:
        return memo[source]
    check_shape(source)
    budget = render_budget(source)
    try:
        try:
            _watchdog.watch(budget)
            rendered = _render(source, concepts, exclude_concept)
            if memo is not None and concepts is None:
                memo[source] = rendered
            return rendered
        finally:
            _watchdog.unwatch()
    except _Overtime:
        raise ValueError(
            _(
                "the text takes more than %(seconds).0f seconds to render (what its size allows): look for "
                "very long paragraphs or many unclosed '<', '`' or '\\('"
            )
            % {"seconds": budget}
        ) from None


def for_mathjax(source: str) -> str:
    """Markdown as HTML for a platform that typesets formulas with MathJax, such as Moodle's MathJax filter:
    rendered and sanitised as stored HTML is, but each formula written as \\(…\\) or \\[…\\] (its TeX
    HTML-escaped) instead of typeset. Markdown itself cannot carry them there: a Markdown text's `\\(` is an
    escaped parenthesis to Moodle's Markdown, and `$…$` is not a delimiter its filter reads."""
    check_shape(source)
    budget = render_budget(source)
    try:
        _watchdog.watch(budget)
        try:
            body = sanitise(_markdown(None, None).convert(source))
        finally:
            _watchdog.unwatch()
    except _Overtime:
        raise ValueError(
            _(
                "the text takes more than %(seconds).0f seconds to render (what its size allows): look for "
                "very long paragraphs or many unclosed '<', '`' or '\\('"
            )
            % {"seconds": budget}
        ) from None

    def written(match: re.Match[str]) -> str:
        if match.group("display") is not None:
            return f"\\[{match.group('display')}\\]"
        return f"\\({match.group('inline')}\\)"

    return _MATH.sub(written, body)


def _markdown(concepts: ConceptIndex | None, exclude_concept: str | None) -> markdown.Markdown:
    extensions: list = [
        "toc",
        "tables",
        "footnotes",
        "admonition",
        "attr_list",
        "def_list",
        "sane_lists",
        "md_in_html",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "pymdownx.arithmatex",
        "pymdownx.tilde",
        "pymdownx.details",
    ]
    if concepts and concepts.names:
        extensions.append(ConceptLinks(concepts, exclude_concept))
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={
            "toc": {"permalink": "#", "permalink_title": "", "slugify": slugify_unicode, "toc_depth": "2-3"},
            "pymdownx.highlight": {"css_class": "highlight", "guess_lang": False},
            "pymdownx.arithmatex": {"generic": True},
            "footnotes": {"BACKLINK_TITLE": ""},
        },
    )


def _render(source: str, concepts: ConceptIndex | None, exclude_concept: str | None) -> Rendered:
    md = _markdown(concepts, exclude_concept)
    try:
        body = md.convert(source)
    except RecursionError:
        raise ValueError(_("the text nests too deeply (lists or quotes inside one another)")) from None
    typeset_html = _typeset_all(sanitise(body), source)
    text = plain_text(typeset_html)
    toc = sanitise(md.toc) if getattr(md, "toc_tokens", None) else ""
    return Rendered(html=typeset_html, toc_html=toc, text=text, minutes=reading_minutes(text))
