"""A staff author's mistakes with question banks in the admin, explained in the admin's language: a broken file
is refused with its line and nothing is saved; a quiz the format cannot hold is not exported."""

import pytest

from quizzes.models import Answer, Question, Quiz
from quizzes.tests import importing

GOOD = "::kept:: Which is an optimiser? {=Adam ~ReLU}\n"
# Line 3 holds the mistake: a numerical answer that is not a number.
BROKEN = "::first:: Fine? {T}\n\n::second:: \\(\\sigma(0)\\) = ? {#zero.five}\n"
BROKEN_XML = (
    '<?xml version="1.0"?>\n<quiz>\n<question type="truefalse"><name><text>tf</text></name>'
    "<questiontext><text>Sure?</text></questiontext>"
    '<answer fraction="100"><text>true</text></answer>'
    '<answer fraction="50"><text>false</text></answer></question>\n</quiz>\n'
)


@pytest.fixture
def quiz(db):
    """A quiz that already holds one question, which a refused file must leave as it is."""
    quiz = Quiz.objects.create(slug="bank", title_en="Bank")
    question = Question.objects.create(quiz=quiz, name="kept", kind="single", text_md_en="Which?")
    Answer.objects.create(question=question, text_md_en="Adam", weight=100)
    Answer.objects.create(question=question, text_md_en="ReLU", weight=0)
    return quiz


@pytest.fixture
def author(client, staff):
    client.force_login(staff)
    return client


def upload(client, quiz: Quiz, content: str, *, language: str, name: str = "bank.gift"):
    client.cookies["django_language"] = language  # the admin follows the site's language
    return importing.upload(client, quiz, content, name=name)


FAILED = 'data-status="failed"'


def stored(quiz: Quiz) -> list[tuple[str, str]]:
    return list(quiz.questions.values_list("name", "text_md_en"))


@pytest.mark.django_db
class GiftImportTests:
    def test_it_explains_a_broken_file_in_chinese_with_its_line_and_saves_nothing(self, author, quiz):
        before = stored(quiz)
        response = upload(author, quiz, BROKEN, language="zh-hans")
        page = response.content.decode()
        assert FAILED in response.content.decode()
        assert "第 3 行：“zero.five”不是数字" in page
        assert "is not a number" not in page
        assert stored(quiz) == before

    def test_it_explains_a_broken_file_in_english_with_its_line_and_saves_nothing(self, author, quiz):
        before = stored(quiz)
        response = upload(author, quiz, BROKEN, language="en")
        assert FAILED in response.content.decode()
        assert "line 3: &#x27;zero.five&#x27; is not a number" in response.content.decode()
        assert stored(quiz) == before

    def test_a_reason_quoting_another_reads_in_chinese_throughout(self, author, quiz):
        """A Moodle XML question is checked as GIFT: the XML reader's words and GIFT's reason, both in Chinese."""
        response = upload(author, quiz, BROKEN_XML, language="zh-hans", name="bank.xml")
        page = response.content.decode()
        assert FAILED in response.content.decode()
        assert "第 1 行：第 1 题“tf”：判断题必须恰好有“true”和“false”两个答案" in page
        assert "true/false question" not in page
        assert stored(quiz) == [("kept", "Which?")]

    def test_a_good_file_still_imports(self, author, quiz):
        response = upload(author, quiz, GOOD, language="zh-hans")
        assert 'data-status="succeeded"' in response.content.decode()
        assert stored(quiz) == [("kept", "Which is an optimiser?")]


@pytest.mark.django_db
class GiftExportTests:
    def test_a_question_the_format_cannot_hold_is_explained_in_chinese_not_exported(self, author, quiz):
        Answer.objects.filter(weight=100).update(weight=50)  # edited so that no choice is right
        author.cookies["django_language"] = "zh-hans"
        response = author.get(f"/admin/quizzes/quiz/{quiz.pk}/export/en/", follow=True)
        assert response.redirect_chain == [(f"/admin/quizzes/quiz/{quiz.pk}/change/", 302)]
        assert (
            "无法导出这个测验：第 1 题“kept”：单选题需要一个分值为 100% 的选项" in response.content.decode()
        )

    def test_a_good_quiz_is_exported(self, author, quiz):
        response = author.get(f"/admin/quizzes/quiz/{quiz.pk}/export/en/")
        assert response.status_code == 200 and "::kept::" in response.content.decode()
