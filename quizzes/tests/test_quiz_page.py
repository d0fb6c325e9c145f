"""A quiz's questions are in its page's HTML (they read without a script and take their room at once), and
nothing in that HTML tells an answer, for any of the nine question types (Cloze too): no accepted text or number, no
weight, no feedback, no explanation, and a right option marked up exactly as a wrong one."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from core.documents import bump_content_version
from quizzes import bank
from quizzes.models import Kind, Question, Quiz
from quizzes.selectors import public_quiz

# One question of every type, with its answers' secrets marked SECRET where a learner must not see them.
EVERY_KIND = """
::pick-one:: [markdown]Which animal is striped? {=Zebra#SECRET-feedback-zebra ~Yak#SECRET-feedback-yak ####SECRET-explanation-one}

::pick-many:: [markdown]Which are optimisers? {~%50%Adam#SECRET-feedback-adam ~%50%Momentum ~%-100%Softmax#SECRET-feedback-softmax ####SECRET-explanation-many}

::true-false:: [markdown]The sky is green. {F#SECRET-feedback-wrong#SECRET-feedback-right ####SECRET-explanation-tf}

::short:: [markdown]Name the feathered serpent. {=Quetzalcoatl#SECRET-feedback-short =Kukulkan ####SECRET-explanation-short}

::numeric:: [markdown]How many? {#4242.5:0.25#SECRET-feedback-numeric ####SECRET-explanation-numeric}

::range:: [markdown]Roughly how many? {#7771..7788 ####SECRET-explanation-range}

::matching:: [markdown]Match each animal with its sound. {=Cat -> meow =Dog -> woof =Cow -> moo ####SECRET-explanation-matching}

::essay:: [markdown]Explain gradient descent in your words. {####SECRET-model-answer}

::description:: [markdown]The next questions are about animals.
"""
# Moodle's Cloze, which GIFT cannot write: a short answer, a number and buttons in one text.
CLOZE = """<quiz><question type="cloze"><name><text>cloze</text></name><questiontext format="html"><text><![CDATA[
<p>Serpent {1:SHORTANSWER:=Quetzalcoatl#SECRET-feedback-cloze}, count {2:NUMERICAL:=4242:0.25},
stripes {1:MULTICHOICE_V:=Zebra#SECRET-feedback-zebra-cloze~Yak}</p>]]></text></questiontext></question></quiz>"""
SECRETS = ("SECRET", "Quetzalcoatl", "Kukulkan", "4242", "0.25", "7771", "7788", "weight", "correct")


class Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def quiz_part(html: str) -> str:
    """The quiz's own markup in a page."""
    start = html.index('<div class="quiz-embed"')
    return html[start : html.index("</form>", start)]


@pytest.fixture
def every_kind(course):
    """A quiz with one question of each type, attached to the second lesson of the fixture course."""
    quiz = Quiz.objects.create(
        slug="animals",
        title_en="Animals",
        lesson=course.lessons.get(slug="convolution"),
        shuffle_options=True,
    )
    bank.apply(quiz, {"en": bank.parse(EVERY_KIND) + bank.parse(CLOZE, "xml")})
    Question.objects.filter(quiz=quiz, name="pick-one").update(
        hint_md_en="", hint_html_en="Think of stripes."
    )
    return quiz


def shape(attrs: dict[str, str | None]) -> tuple:
    """An element's attributes without the ones that name it (ids, values), which differ for every option."""
    return tuple(sorted((k, v) for k, v in attrs.items() if k not in ("id", "for", "value", "data-option")))


@pytest.mark.django_db
class QuizPageTests:
    def test_the_questions_are_in_the_page_in_the_readers_language(self, client, course):
        html = client.get(reverse("quiz", args=["gradients"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert html.count('class="question"') == 5
        assert "Which way does gradient descent move the parameters?" in html
        assert "Against the gradient" in html and "Along the gradient" in html
        assert 'data-kind="numeric"' in html and 'inputmode="decimal"' in html
        chinese = client.get(
            reverse("quiz", args=["gradients"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
        assert chinese.count('class="question"') == 5 and "提交答案" in chinese

    @pytest.mark.parametrize("page", ["quiz", "lesson"])
    def test_no_question_type_gives_its_answer_away(self, client, every_kind, page):
        url = (
            reverse("quiz", args=["animals"])
            if page == "quiz"
            else reverse("lesson", args=["test-course", "convolution"])
        )
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        part = quiz_part(html)
        assert set(re.findall(r'data-kind="(\w+)"', part)) == set(Kind.values)
        for secret in SECRETS:
            assert secret not in part, secret
        assert "SECRET" not in html and "Quetzalcoatl" not in html
        assert "Think of stripes." in part  # a hint may be read before answering
        tags = elements(part)
        # A right option and a wrong one look the same, down to their attributes.
        by_question: dict[str, list[tuple]] = {}
        for question in Question.objects.filter(
            quiz=every_kind, kind__in=["single", "multiple", "truefalse"]
        ):
            for answer in question.answers.all():
                label = next(a for t, a in tags if t == "label" and a.get("data-option") == str(answer.pk))
                box = next(a for t, a in tags if t == "input" and a.get("value") == str(answer.pk))
                by_question.setdefault(question.name, []).append((shape(label), shape(box)))
        for name, shapes in by_question.items():
            assert len(shapes) >= 2 and len(set(shapes)) == 1, name
        # Matching: every item offers the same choices in the same order, none chosen.
        selects = [a for t, a in tags if t == "select"]
        assert len(selects) == 3
        choices = [
            re.findall(r'<option value="([^"]*)"', menu) for menu in re.findall(r"<select.*?</select>", part)
        ]
        assert choices[0] == choices[1] == choices[2] and sorted(choices[0]) == ["", "meow", "moo", "woof"]
        assert "selected" not in part and "checked" not in part

    def test_the_api_gives_no_answer_away_either(self, every_kind):
        from django.contrib.auth.models import AnonymousUser

        text = str(public_quiz(every_kind, AnonymousUser()))
        for secret in SECRETS:
            assert secret not in text, secret

    def test_every_rendering_shows_the_options_in_the_same_order(self, client, every_kind):
        url = reverse("quiz", args=["animals"])
        first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        bump_content_version()  # rendered afresh, as another server process would
        again = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert first["ETag"] != again["ETag"] and first.content == again.content

    def test_a_quiz_that_counts_attempts_says_so_and_waits_for_the_readers_attempts(self, client, course):
        Quiz.objects.filter(slug="gradients").update(max_attempts=3)
        html = client.get(reverse("quiz", args=["gradients"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Log in to take this quiz: it counts your attempts." in html
        assert 'data-max-attempts="3"' in html and '<button type="submit" disabled>' in html

    def test_the_page_reads_without_a_script_and_says_what_the_script_is_for(self, client, course):
        html = client.get(reverse("quiz", args=["gradients"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<noscript>" in html and "The quiz needs JavaScript to check your answers." in html
        assert '<meta name="description" content="5 questions to check yourself after the lesson' in html

    def test_a_lesson_with_its_quiz_is_rendered_in_four_queries(
        self, client, course, django_assert_max_num_queries
    ):
        url = reverse("lesson", args=["test-course", "gradients"])
        client.get(url)
        with django_assert_max_num_queries(4):
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert html.count('class="question"') == 5
