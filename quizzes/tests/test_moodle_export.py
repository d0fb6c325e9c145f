"""Exports that work in Moodle (issue 25 item 6): formulas written as Moodle's MathJax filter reads them, only
weights Moodle's importer accepts (another is reported, not written), and a file that Moodle, reading only
what its importer reads, grades as the platform does — for every question type."""

import itertools
import re
from xml.etree.ElementTree import tostring

import pytest
from defusedxml.ElementTree import fromstring

from quizzes import bank, moodle_xml
from quizzes.grading import grade
from quizzes.models import Question, Quiz
from quizzes.tests.test_bank import EVERY_KIND
from quizzes.tests.test_moodle_settings import CLOZE, NOT_ONE_HUNDRED, UNITS_AND_CASE

MATH = r"""
::inline:: [markdown]What is $x_1^2$ for $x_1 < 2$, and \(y\)? {=4 ~2}

::display:: [markdown]Sum it\:\n\n$$\sum_i x_i$$\n\n{#3}
"""


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="export", title_en="Export")


def what_moodle_reads(xml: str) -> str:
    """The file without the platform's own elements, which Moodle's importer skips: <markdown> beside a
    text, <range> in a numerical answer."""
    root = fromstring(xml.encode())
    for parent in root.iter():
        for child in list(parent):
            if child.tag in ("markdown", "range"):
                parent.remove(child)
    return tostring(root, encoding="unicode")


def responses(question: Question) -> list:
    """Responses that tell apart how two questions grade: every choice and pair of choices, each accepted
    text in another case, numbers at and around each accepted value, each matching right and shuffled."""
    answers = list(question.answers.all())
    ids = [a.pk for a in answers]
    if question.kind in ("single", "truefalse"):
        return [[i] for i in range(len(ids))]
    if question.kind == "multiple":
        return [list(pair) for pair in itertools.combinations(range(len(ids)), 2)] + [
            [i] for i in range(len(ids))
        ]
    if question.kind == "short":
        return [
            t for a in answers for t in (a.text_md, a.text_md.upper(), a.text_md.lower(), a.text_md + "x")
        ]
    if question.kind == "numeric":
        numbers = []
        for a in answers:
            for value in (a.value, a.low, a.high):
                if value is not None:
                    numbers += [
                        value,
                        value + a.tolerance * 0.99,
                        value - a.tolerance * 1.01 - 1e-9,
                        value * 1.5,
                    ]
        for name, multiplier in question.units:
            written = [(f"{numbers[0] * multiplier:g}", name), (f"{numbers[0]:g}", name)]
            numbers += [f"{u}{n}" if question.units_left else f"{n} {u}" for n, u in written]
        return [str(n) for n in numbers] + ["0"]
    if question.kind == "matching":
        pairs = [a for a in answers if a.text_md]
        right = {i: a.match_text for i, a in enumerate(pairs)}
        rotated = {i: pairs[(i + 1) % len(pairs)].match_text for i in range(len(pairs))}
        return [right, rotated]
    if question.kind == "cloze":
        gaps = []
        for number, part in enumerate(question.parts, start=1):
            mine = [a for a in answers if a.part == number]
            if part["kind"] in ("single", "multiple"):
                gaps.append([[i] for i in range(len(mine))])
            elif part["kind"] == "numeric":
                gaps.append([str(a.value) for a in mine if a.value is not None] + ["12345"])
            else:
                gaps.append([a.text_md for a in mine] + [a.text_md.upper() for a in mine])
        return [dict(enumerate(choice, start=1)) for choice in itertools.zip_longest(*gaps, fillvalue=None)]
    return []


def given(question: Question, response):
    """A position-based response as this question's answer ids."""
    ids = [a.pk for a in question.answers.all()]
    if question.kind in ("single", "truefalse"):
        return ids[response[0]]
    if question.kind == "multiple":
        return [ids[i] for i in response]
    if question.kind == "matching":
        pairs = [a.pk for a in question.answers.all() if a.text_md]
        return {str(pairs[i]): match for i, match in response.items()}
    if question.kind == "cloze":
        out = {}
        for number, value in response.items():
            if value is None:
                continue
            mine = [a.pk for a in question.answers.all() if a.part == number]
            out[str(number)] = [mine[i] for i in value] if isinstance(value, list) else value
            if question.parts[number - 1]["kind"] == "single" and isinstance(value, list):
                out[str(number)] = mine[value[0]]
        return out
    return response


@pytest.mark.django_db
class MoodleExportTests:
    def test_formulas_are_written_for_moodles_mathjax_filter(self, quiz):
        bank.import_gift(quiz, MATH, "en")
        xml = bank.export_gift(quiz, "en", "xml")
        texts = [element.findtext("text") for element in fromstring(xml.encode()).iter("questiontext")]
        assert r"\(x_1^2\)" in texts[0] and r"\(x_1 &lt; 2\)" in texts[0] and r"\(y\)" in texts[0]
        assert r"\[\sum_i x_i\]" in texts[1]
        assert not any("$" in text or "<math" in text for text in texts)
        assert all(
            element.get("format") == "html" for element in fromstring(xml.encode()).iter("questiontext")
        )

    def test_the_platform_reads_its_own_markdown_back_exactly(self, quiz):
        bank.import_gift(quiz, MATH, "en")
        xml = bank.export_gift(quiz, "en", "xml")
        again = Quiz.objects.create(slug="again", title_en="Again")
        bank.import_gift(again, xml, "en")
        assert [q.text_md_en for q in again.questions.all()] == [q.text_md_en for q in quiz.questions.all()]

    def test_a_weight_moodle_refuses_is_reported_not_written(self, quiz):
        bank.import_gift(quiz, "::thirds:: Pick {~%33%a ~%67%b ~c}", "en")
        with pytest.raises(
            bank.BankError, match=r"question 1 “thirds”: the answer weight 33% is not one Moodle"
        ):
            bank.export_gift(quiz, "en", "xml")
        assert bank.export_gift(quiz, "en", "gift")  # GIFT, read by this platform, holds it
        bank.import_gift(quiz, "::thirds:: Pick {~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-50%d}", "en")
        assert 'fraction="33.33333"' in bank.export_gift(quiz, "en", "xml")
        assert moodle_xml.moodle_accepts(-83.33333) and not moodle_xml.moodle_accepts(101)

    def test_the_admin_says_why_an_export_is_refused(self, client, staff, quiz):
        bank.import_gift(quiz, "::thirds:: Pick {~%33%a ~%67%b ~c}", "en")
        client.force_login(staff)
        answer = client.get(f"/admin/quizzes/quiz/{quiz.pk}/export/en/?format=xml", follow=True)
        assert "33%" in answer.content.decode() and "Moodle" in answer.content.decode()

    @pytest.mark.parametrize(
        "source",
        [EVERY_KIND, UNITS_AND_CASE, CLOZE, NOT_ONE_HUNDRED],
        ids=["gift", "units", "cloze", "fractions"],
    )
    def test_what_moodle_reads_of_an_export_grades_as_the_platform(self, quiz, source):
        bank.import_gift(quiz, source, "en")
        moodle = Quiz.objects.create(slug="moodle", title_en="Moodle")
        bank.import_gift(moodle, what_moodle_reads(bank.export_gift(quiz, "en", "xml")), "en")
        checked = 0
        for mine, theirs in zip(quiz.questions.all(), moodle.questions.all(), strict=True):
            assert (theirs.kind, theirs.points) == (mine.kind, mine.points)
            for response in responses(mine):
                assert grade(theirs, given(theirs, response)).fraction == pytest.approx(
                    grade(mine, given(mine, response)).fraction
                ), (mine.name, response)
                checked += 1
        assert checked >= 6

    def test_the_html_moodle_reads_has_no_markdown_left(self, quiz):
        bank.import_gift(quiz, EVERY_KIND, "en")
        xml = what_moodle_reads(bank.export_gift(quiz, "en", "xml"))
        assert 'format="markdown"' not in xml
        assert not re.search(r"\*\*|\[markdown\]", xml)
