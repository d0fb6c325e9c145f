"""Moodle XML in and out: a bank as Moodle's question bank exports it imports and grades as in Moodle, and
GIFT -> platform -> XML -> platform changes nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes import bank, gift, moodle_xml
from quizzes.grading import grade
from quizzes.models import Question, Quiz
from quizzes.tests import importing
from quizzes.tests.test_bank import EVERY_KIND
from quizzes.tests.test_gift import GIFT_EXAMPLES

# Written for these tests in the shape Moodle 4's question bank exports (one question of each type).
TEACHER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Week 1</text></category></question>
  <question type="multichoice">
    <name><text>Optimiser</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which is an <b>optimiser</b>? (2*3)</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Adam adapts its steps.</text></generalfeedback>
    <idnumber>W1-Q1</idnumber>
    <single>true</single>
    <answer fraction="100" format="html"><text>Adam</text><feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text>ReLU</text><feedback format="html"><text>An activation.</text></feedback></answer>
    <tags><tag><text>week1</text></tag><tag><text>optimisers</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Activations</text></name>
    <questiontext format="moodle_auto_format"><text># of activations below?
Pick both.</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>ReLU</text></answer>
    <answer fraction="50"><text>tanh</text></answer>
    <answer fraction="-100"><text>SGD</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Linear</text></name>
    <questiontext format="plain_text"><text>ReLU is linear for x &lt; 0 &amp; x > 0.</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>It is zero below 0.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>Colour</text></name>
    <questiontext format="html"><text>Spell it.</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>colo*r</text></answer>
  </question>
  <question type="numerical">
    <name><text>Sigmoid</text></name>
    <questiontext format="html"><text>\\(\\sigma(0)\\)?</text></questiontext>
    <answer fraction="100"><text>0.5</text><tolerance>0.01</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>Not close.</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Match</text></name>
    <questiontext format="html"><text>Match.</text></questiontext>
    <subquestion format="html"><text>CNN</text><answer><text>images</text></answer></subquestion>
    <subquestion format="html"><text>RNN</text><answer><text>sequences</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>tables</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Explain</text></name>
    <questiontext format="html"><text>Explain overfitting.</text></questiontext>
    <generalfeedback format="html"><text>Memorising noise.</text></generalfeedback>
  </question>
  <question type="description">
    <name><text>Intro</text></name>
    <questiontext format="html"><text>About activations.</text></questiontext>
  </question>
</quiz>
"""


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="xml", title_en="XML")


def stored(quiz: Quiz) -> list:
    """Everything the platform keeps of a quiz's questions, in order."""
    return [
        (q.name, q.idnumber, q.tags, q.kind, q.category, q.text_md_en, q.explanation_md_en,
         [(a.text_md_en, a.match_text_en, a.weight, a.feedback_md_en, a.value, a.tolerance, a.low, a.high)
          for a in q.answers.all()])
        for q in quiz.questions.prefetch_related("answers")
    ]  # fmt: skip


@pytest.mark.django_db
class MoodleXmlTests:
    def test_a_teachers_export_imports_and_grades_as_in_moodle(self, quiz):
        bank.import_gift(quiz, TEACHER_EXPORT, "en")
        questions = {q.name: q for q in quiz.questions.all()}
        assert [q.kind for q in questions.values()] == [
            "single", "multiple", "truefalse", "short", "numeric", "matching", "essay", "description",
        ]  # fmt: skip
        optimiser = questions["Optimiser"]
        assert (optimiser.idnumber, optimiser.tags, optimiser.category) == (
            "W1-Q1",
            ["week1", "optimisers"],
            "$course$/top/Week 1",
        )
        assert optimiser.text_html_en == "Which is an <b>optimiser</b>? (2*3)"  # one paragraph, inline
        assert questions["Activations"].text_html_en == "# of activations below?<br>\nPick both."
        assert questions["Linear"].text_html_en == "ReLU is linear for x &lt; 0 &amp; x &gt; 0."
        assert grade(questions["Colour"], "COLOUR").fraction == 1.0
        sigmoid = questions["Sigmoid"]
        assert grade(sigmoid, "0.505").fraction == 1.0 and grade(sigmoid, "3").fraction == 0.0
        activations = list(questions["Activations"].answers.all())
        assert grade(questions["Activations"], [activations[0].pk, activations[1].pk]).fraction == 1.0

    @pytest.mark.parametrize("source", [EVERY_KIND, GIFT_EXAMPLES], ids=["every-kind", "gift-examples"])
    def test_gift_to_platform_to_xml_to_platform_changes_nothing(self, quiz, source):
        bank.import_gift(quiz, source, "en")
        xml = bank.export_gift(quiz, "en", "xml")
        other = Quiz.objects.create(slug="copy", title_en="Copy")
        bank.import_gift(other, xml, "en")
        assert stored(other) == stored(quiz)
        assert bank.export_gift(other, "en", "xml") == xml
        assert bank.import_gift(quiz, xml, "en").updated == []

    def test_it_reads_moodle_xml_with_defusedxml(self, quiz):
        bomb = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'
        with pytest.raises(bank.BankError, match="entities"):
            bank.import_gift(quiz, bomb, "en")
        with pytest.raises(bank.BankError, match="line 2: not well-formed"):
            bank.import_gift(quiz, "<quiz>\n<question>", "en")

    def test_it_applies_the_gift_rules_to_each_question(self, quiz):
        one_choice = TEACHER_EXPORT.replace(
            '<answer fraction="0" format="html"><text>ReLU</text><feedback format="html"><text>An activation.'
            "</text></feedback></answer>",
            "",
        )
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, one_choice, "en")
        assert "question 2 “Optimiser”" in caught.value.message and "two choices" in caught.value.message
        assert not quiz.questions.exists()

    def test_a_single_choice_without_a_100_percent_choice_imports_with_moodles_notice(self, quiz):
        no_right_answer = TEACHER_EXPORT.replace(
            'fraction="100" format="html"><text>Adam', 'fraction="50" format="html"><text>Adam'
        )
        report = bank.import_gift(quiz, no_right_answer, "en")
        assert any("Optimiser" in warning and "50%" in warning for warning in report.warnings)

    def test_the_commands_import_and_export_xml(self, tmp_path, capsys):
        path = tmp_path / "bank.xml"
        path.write_text(TEACHER_EXPORT)
        call_command("import_gift", str(path), "--quiz", "from-xml", "--language", "en")
        assert Question.objects.filter(quiz__slug="from-xml").count() == 8
        capsys.readouterr()
        call_command("export_gift", "from-xml", "--language", "en", "--format", "xml")
        assert moodle_xml.parse(capsys.readouterr().out)[0].idnumber == "W1-Q1"
        with pytest.raises(CommandError, match="--quiz/--title"):
            call_command("import_gift", str(path), "--quiz", "x" * 60)

    def test_the_admin_imports_and_exports_xml(self, client, staff, quiz):

        client.force_login(staff)
        response = importing.upload(client, quiz, TEACHER_EXPORT, name="bank.xml")
        assert 'data-status="succeeded"' in response.content.decode() and quiz.questions.count() == 8
        response = client.get(f"/admin/quizzes/quiz/{quiz.pk}/export/en/?format=xml")
        assert response["Content-Type"].startswith("application/xml")
        assert len(moodle_xml.parse(response.content.decode())) == 8


def test_the_xml_writer_refuses_what_gift_cannot_hold_either():
    with pytest.raises(gift.GiftError):
        moodle_xml.dump([gift.GiftQuestion("single", "S", answers=[gift.GiftAnswer("a", weight=50)])])


POINTS = """<?xml version="1.0"?>
<quiz>
<question type="truefalse"><name><text>worth more</text></name><questiontext><text>Sure?</text></questiontext>
<defaultgrade>2.5</defaultgrade>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
<question type="truefalse"><name><text>plain</text></name><questiontext><text>Sure?</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
</quiz>
"""


@pytest.mark.django_db
class MoodleXmlPointsTests:
    def test_defaultgrade_is_kept_and_exported(self, quiz):
        """A question's points (<defaultgrade>, 1 when absent, as Moodle reads it) weigh it in the score and
        come back out in the export; before, every question exported as 1."""
        bank.import_gift(quiz, POINTS, "en")
        assert dict(quiz.questions.values_list("name", "points")) == {"worth more": 2.5, "plain": 1.0}
        exported = bank.export_gift(quiz, "en", "xml")
        assert exported.count("<defaultgrade>2.5</defaultgrade>") == 1
        assert exported.count("<defaultgrade>1</defaultgrade>") == 1

    def test_a_gift_reimport_keeps_the_points(self, quiz):
        bank.import_gift(quiz, POINTS, "en")
        bank.import_gift(quiz, "::worth more:: Sure? {T}\n\n::plain:: Sure? {T}\n", "en")
        assert quiz.questions.get(name="worth more").points == 2.5

    def test_negative_points_are_refused_and_nothing_is_imported(self, quiz):
        before = stored(quiz)
        with pytest.raises(bank.BankError, match="cannot be negative"):
            bank.import_gift(quiz, POINTS.replace("2.5", "-1"), "en")
        assert stored(quiz) == before
