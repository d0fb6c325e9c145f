"""A Moodle XML text's format inherited as Moodle's importer (qformat_xml) inherits it: the question text's
`format` (html when it names none) is the format of every other text of the question that names none — the
general feedback, the choices and their feedback, matching subquestions, the combined feedback and hints —
while short and numerical answers are always compared as plain text. Small files in Moodle's export shape."""

import pytest

from quizzes import bank
from quizzes.grading import grade
from quizzes.models import Quiz

INHERITED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Plain choices</text></name>
    <questiontext format="plain_text"><text>Which tag makes text bold?</text></questiontext>
    <generalfeedback><text>Use &lt;b&gt; sparingly.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text><![CDATA[<b>]]></text><feedback><text><![CDATA[Yes: <b>.]]></text></feedback></answer>
    <answer fraction="0"><text><![CDATA[<i>]]></text></answer>
    <correctfeedback><text><![CDATA[<b> it is.]]></text></correctfeedback>
    <hint><text><![CDATA[Not <i>.]]></text></hint>
  </question>
  <question type="multichoice">
    <name><text>Markdown choices</text></name>
    <questiontext format="markdown"><text>Which is *stochastic*?</text></questiontext>
    <generalfeedback><text>**SGD** samples.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>*SGD*</text></answer>
    <answer fraction="0" format="html"><text><![CDATA[<p>full-batch *GD*</p>]]></text></answer>
  </question>
  <question type="matching">
    <name><text>Auto format</text></name>
    <questiontext format="moodle_auto_format"><text>Match the layers.</text></questiontext>
    <subquestion><text>conv
2d</text><answer><text>images</text></answer></subquestion>
    <subquestion><text>lstm</text><answer><text>sequences</text></answer></subquestion>
  </question>
  <question type="shortanswer">
    <name><text>Wildcard</text></name>
    <questiontext format="markdown"><text>Spell *colour*.</text></questiontext>
    <answer fraction="100"><text>colo*r</text><feedback><text>**Right.**</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>No format</text></name>
    <questiontext><text><![CDATA[<p>ReLU is <em>linear</em>?</p>]]></text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text><![CDATA[<em>Not</em> below 0.]]></text></feedback></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
</quiz>
"""


@pytest.fixture
def questions(db):
    quiz = Quiz.objects.create(slug="formats", title_en="Formats")
    bank.import_gift(quiz, INHERITED, "en")
    return {q.name: q for q in quiz.questions.prefetch_related("answers")}


@pytest.mark.django_db
class MoodleFormatTests:
    def test_a_plain_text_questions_choices_and_feedback_are_plain_text_too(self, questions):
        """Before, a choice without a format was read as HTML whatever its question said: `<b>` vanished."""
        question = questions["Plain choices"]
        right, wrong = question.answers.all()
        assert (right.text_html_en, wrong.text_html_en) == ("&lt;b&gt;", "&lt;i&gt;")
        assert right.feedback_html_en == "Yes: &lt;b&gt;."
        assert question.explanation_html_en == "Use &lt;b&gt; sparingly."
        assert question.correct_feedback_html_en == "&lt;b&gt; it is."
        assert question.hint_html_en == "Not &lt;i&gt;."
        assert grade(question, right.pk).fraction == 1.0

    def test_a_markdown_questions_texts_are_markdown_unless_they_say_otherwise(self, questions):
        question = questions["Markdown choices"]
        right, wrong = question.answers.all()
        assert right.text_html_en == "<em>SGD</em>"
        assert question.explanation_html_en == "<strong>SGD</strong> samples."
        assert wrong.text_html_en == "full-batch *GD*"  # its own format="html": the stars are text
        assert grade(question, right.pk).fraction == 1.0 and grade(question, wrong.pk).fraction == 0.0

    def test_an_auto_format_questions_subquestions_keep_their_line_breaks(self, questions):
        question = questions["Auto format"]
        assert question.answers.all()[0].text_html_en == "conv<br>\n2d"

    def test_a_short_answer_is_compared_as_plain_text_in_a_markdown_question(self, questions):
        """qformat_xml reads short answers as plain text whatever the question's format: the star is
        Moodle's wildcard, not Markdown's emphasis; the feedback does inherit Markdown."""
        question = questions["Wildcard"]
        assert grade(question, "colour").fraction == 1.0 and grade(question, "color").fraction == 1.0
        assert question.answers.get().feedback_html_en == "<strong>Right.</strong>"

    def test_a_question_text_without_a_format_is_html_and_so_are_its_other_texts(self, questions):
        question = questions["No format"]
        assert question.text_html_en == "ReLU is <em>linear</em>?"
        assert question.answers.get(text_md_en="true").feedback_html_en == "<em>Not</em> below 0."
