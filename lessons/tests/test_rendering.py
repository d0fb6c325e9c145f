import random
import re
import time
from html.parser import HTMLParser

import pytest
from django.utils import translation

from lessons import rendering
from lessons.rendering import ConceptIndex, ConceptName


def index() -> ConceptIndex:
    return ConceptIndex(
        [
            ConceptName("gradient descent", "gradient-descent", "Steps against the gradient."),
            ConceptName("CNN", "convolutional-neural-network", "A network of convolutions."),
            ConceptName("卷积神经网络", "convolutional-neural-network", "用卷积的网络。"),
            ConceptName("卷积", "convolution", "滑动窗口的加权和。"),
        ]
    )


class RenderingTests:
    def test_it_converts_inline_and_display_math_to_mathml_on_the_server(self):
        out = rendering.render("Inline $a^2$ and\n\n$$\n\\frac{1}{2}\n$$\n")
        assert "<math><semantics><msup><mi>a</mi><mn>2</mn></msup>" in out.html
        assert '<math display="block" class="tml-display"' in out.html and "<mfrac>" in out.html
        assert "$$" not in out.html and "arithmatex" not in out.html

    def test_it_highlights_code_on_the_server(self):
        out = rendering.render("```python\nimport torch\n```\n")
        assert '<span class="kn">import</span>' in out.html

    def test_it_builds_a_table_of_contents_with_anchors(self):
        out = rendering.render("## 卷积 Intro\n\ntext\n\n### Detail\n")
        assert 'id="卷积-intro"' in out.html
        assert 'href="#卷积-intro"' in out.toc_html

    def test_it_keeps_tables_admonitions_and_footnotes(self):
        out = rendering.render(
            '| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note "Hi"\n    body[^1]\n\n[^1]: foot\n'
        )
        assert (
            "<table>" in out.html and 'class="admonition note"' in out.html and 'class="footnote"' in out.html
        )

    @pytest.mark.parametrize(
        "hostile",
        [
            "<script>alert(1)</script>",
            '<img src=x onerror="alert(1)">',
            "[click](javascript:alert(1))",
            '<a href="javascript:alert(1)">x</a>',
            '<div onclick="alert(1)">x</div>',
            "<iframe src=//evil></iframe>",
            "<svg><script>alert(1)</script></svg>",
            '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
        ],
    )
    def test_it_never_lets_script_through(self, hostile):
        html = rendering.render(hostile).html.lower()
        assert "<script" not in html and "onerror" not in html and "onclick" not in html
        assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", html) and "<iframe" not in html

    def test_links_inside_math_are_refused(self):
        with pytest.raises(rendering.MathError, match="href"):
            rendering.render("$\\href{javascript:alert(1)}{x}$")

    def test_it_names_the_line_of_math_that_does_not_parse(self):
        with pytest.raises(rendering.MathError) as caught:
            rendering.render("fine\n\nstill fine\n\n$\\frac{1}{$ broken\n")
        assert caught.value.line == 5
        assert "\\frac{1}{" in str(caught.value)

    def test_it_links_the_first_occurrence_of_each_concept(self):
        out = rendering.render("Gradient descent, then gradient descent again.", concepts=index())
        assert out.html.count('href="/concepts/gradient-descent/"') == 1
        assert '<a class="concept-link" href="/concepts/gradient-descent/"' in out.html

    def test_it_never_links_inside_code_math_or_headings(self):
        source = "## gradient descent\n\n`gradient descent` and $CNN$\n\n```\nCNN\n```\n"
        assert "concept-link" not in rendering.render(source, concepts=index()).html

    def test_it_prefers_the_longest_chinese_term(self):
        out = rendering.render("卷积神经网络使用卷积。", concepts=index())
        assert re.search(r'href="/concepts/convolutional-neural-network/"[^>]*>卷积神经网络</a>', out.html)
        assert re.search(r'href="/concepts/convolution/"[^>]*>卷积</a>', out.html)

    def test_it_links_latin_terms_only_as_whole_words(self):
        assert "concept-link" not in rendering.render("CNNs and xCNN", concepts=index()).html

    def test_it_estimates_reading_time_for_both_languages(self):
        assert rendering.render("词" * 3000).minutes == 10
        assert rendering.render("word " * 2000).minutes == 10

    def test_it_refuses_a_body_over_the_limit(self):
        with pytest.raises(ValueError):
            rendering.render("x" * (rendering.MAX_SOURCE + 1))


class HostileMarkdownTests:
    @pytest.mark.parametrize(
        ("source", "message"),
        [
            ("- " * 3000 + "x", "nests too deeply"),
            ("[" * 50000, "more than 1000 '['"),
            ("x" * (rendering.MAX_SOURCE + 1), "longer than"),
        ],
    )
    def test_text_that_would_render_without_bound_is_refused_at_once(self, source, message):
        started = time.monotonic()
        with pytest.raises(ValueError, match=re.escape(message)):
            rendering.render(source)
        assert time.monotonic() - started < 5

    def test_a_refusal_reads_in_the_active_language(self):
        """The admin shows it as a field error, in the author's language."""
        with translation.override("zh-hans"), pytest.raises(ValueError, match="文本嵌套太深"):
            rendering.render("- " * 3000 + "x")

    def test_a_one_megabyte_body_renders_in_bounded_time(self):
        started = time.thread_time()  # processor time: the machine may be busy with other work
        out = rendering.render("A line of text with *emphasis* and `code`.\n\n" * 22000)
        assert time.thread_time() - started < 30 and out.html.count("<p>") == 22000

    def test_deeply_nested_quotes_render_in_bounded_time(self):
        started = time.monotonic()
        rendering.render("> " * 3000 + "x")
        assert time.monotonic() - started < 5

    def test_random_markdown_never_carries_a_script_and_renders_quickly(self):
        pieces = ["<script>", "</script>", "<img src=x ", "onerror=", "onclick=", "javascript:", "JaVaScRiPt:",
                  "[", "]", "(", ")", "<a href=", '"', "'", ">", "<", "*", "_", "`", "```", "$", "$$", "\\",
                  "!!! note", "> ", "- ", "1. ", "#", "\n", "\n\n", "|", "&#106;", "&lt;", "x", "卷积", " "]  # fmt: skip
        generator = random.Random(2026)
        slowest = 0.0
        for _ in range(300):
            source = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 400)))
            started = time.monotonic()
            try:
                html = rendering.render(source).html
            except ValueError:  # refused (math that does not parse, too deep): nothing rendered
                continue
            slowest = max(slowest, time.monotonic() - started)
            assert not dangers(html), (source, dangers(html))
        assert slowest < 2

    @pytest.mark.parametrize(
        "unit",
        ["<a ", "[", "*", "`", "<", "![", "&", "<http", "<x", "<div>", "<a>", "\\(", "\\[", "\\begin{a}",
         "$$x", "> ", "- ", "  - x\n", "**a ", "~~", "&#", "a"],
    )  # fmt: skip
    def test_every_shape_renders_in_time_linear_in_its_size_or_is_refused(self, unit):
        """Python-Markdown has shapes quadratic in a paragraph's length ('<a ' x 20,000 took 74 s): whatever
        the shape, a text renders within its budget (processor time linear in its size) or is refused with
        a reason. The slack covers one regular-expression search, which cannot be interrupted."""
        for size in (8_000, 64_000):
            source = unit * (size // len(unit))
            started = time.thread_time()
            try:
                rendering.render(source)
            except ValueError as refusal:
                assert str(refusal)
            spent = time.thread_time() - started
            assert spent < rendering.render_budget(source) + 1.0, (unit, size, spent)

    def test_a_text_over_its_budget_is_refused_with_the_reason(self):
        with pytest.raises(ValueError, match="seconds to render"):
            rendering.render("<a " * 40_000)

    def test_math_openers_without_closers_are_refused_with_the_line(self):
        with pytest.raises(ValueError, match=re.escape("line 3: more than 20 math openers")):
            rendering.render("Intro\n\n" + "\\(" * 5000)
        assert "<math" in rendering.render("A \\(x\\) and a stray \\( or two \\(.").html

    def test_many_ordinary_links_still_render(self):
        assert rendering.render("[x](/a) " * 900).html.count("<a ") == 900


class Dangers(HTMLParser):
    """What in a page could run script: a <script> element, an on… attribute, a javascript: address."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            address = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or address.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")


def dangers(html: str) -> list[str]:
    parser = Dangers()
    parser.feed(html)
    return parser.found
