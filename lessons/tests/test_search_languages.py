"""Search as a reader of either language meets it: a hit found only in the other language is shown in that
language (its title, its snippet, the page it opens), a snippet starts and ends between words, and formulas
read as formulas ("x²", "θₙ₊₁"), not as their symbols run together."""

import pytest

from lessons.rendering import plain_text, render
from lessons.selectors import highlight


@pytest.mark.django_db
class SearchLanguageTests:
    def test_a_chinese_word_in_the_english_interface_finds_the_chinese_page_in_chinese(self, client, course):
        hits = client.get("/api/search/", {"q": "卷积"}, HTTP_ACCEPT_LANGUAGE="en").json()
        lesson = next(h for h in hits if h["kind"] == "lesson")
        assert lesson["title"] == "卷积"
        assert lesson["url"] == "/courses/test-course/convolution/?lang=zh-hans"
        assert lesson["language"] == "zh-hans" and "<mark>卷积</mark>" in lesson["snippet"]
        page = client.get(lesson["url"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "卷积" in page  # the page it opens holds the words found

    def test_a_hit_in_the_readers_own_language_says_no_other(self, client, course):
        hits = client.get("/api/search/", {"q": "learning rate"}, HTTP_ACCEPT_LANGUAGE="en").json()
        assert hits and all(h["language"] == "" and "?lang=" not in h["url"] for h in hits)
        page = client.get("/search/", {"q": "卷积"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'lang="zh-hans"' in page and "in 简体中文" in page

    def test_a_snippet_is_cut_between_words(self):
        words = (
            " ".join(f"word{n}" for n in range(200)) + " needle " + " ".join(f"tail{n}" for n in range(200))
        )
        snippet = str(highlight(words, ["needle"]))
        first = snippet.removeprefix("…").split(" ", 1)[0]
        last = snippet.removesuffix("…").rsplit(" ", 1)[-1]
        assert first.startswith("word") and f" {first} " in f" {words} "
        assert last.startswith("tail") and f" {last} " in f" {words} "

    def test_formulas_read_as_formulas(self):
        text = plain_text(render(r"Energy $E=mc^2$, the step $\theta_{n+1}$ and $\frac{1}{1+e^{-z}}$.").html)
        assert "E=mc²" in text and "θₙ₊₁" in text and "1/(1+e⁻ᶻ)" in text
