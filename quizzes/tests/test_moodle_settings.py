"""What Moodle XML holds beyond GIFT — short answers' case, numerical units and their grading, hints, the
combined feedback, a description's general feedback, fractions that do not add up to 100% — imported, graded
as Moodle's question types grade it, shown, and written back (import -> export -> import changes nothing).

The files are written for these tests in the shape Moodle's XML format documents (question/format/xml)."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import UserError
from quizzes import bank
from quizzes.grading import grade, split_units
from quizzes.models import Attempt, Question, Quiz, Response
from quizzes.selectors import attempt_result, public_questions

UNITS_AND_CASE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="shortanswer">
    <name><text>Framework</text></name>
    <questiontext format="html"><text><![CDATA[<p>Name the library (exact case).</p>]]></text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100" format="moodle_auto_format"><text>PyTorch</text></answer>
    <answer fraction="50" format="moodle_auto_format"><text>pytorch</text><feedback><text>Mind the case.</text></feedback></answer>
    <hint format="html"><text>It starts with Py.</text></hint>
    <hint format="html"><text>Facebook made it.</text></hint>
  </question>
  <question type="numerical">
    <name><text>Distance</text></name>
    <questiontext format="html"><text>How far does light travel in 1 ns?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>0.3</text><tolerance>0.01</tolerance></answer>
    <units>
      <unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
      <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit>
      <unit><multiplier>1000</multiplier><unit_name>mm</unit_name></unit>
    </units>
    <unitgradingtype>1</unitgradingtype>
    <unitpenalty>0.2</unitpenalty>
    <showunits>0</showunits>
    <unitsleft>0</unitsleft>
  </question>
  <question type="numerical">
    <name><text>Price</text></name>
    <questiontext format="html"><text>A GPU hour costs?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>2</text><tolerance>0</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>$</unit_name></unit></units>
    <unitgradingtype>2</unitgradingtype>
    <unitpenalty>0.5</unitpenalty>
    <showunits>2</showunits>
    <unitsleft>1</unitsleft>
  </question>
  <question type="numerical">
    <name><text>Epochs</text></name>
    <questiontext format="html"><text>How many epochs?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>10</text><tolerance>0</tolerance></answer>
  </question>
  <question type="multichoice">
    <name><text>Activations</text></name>
    <questiontext format="html"><text>Which are activations?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>ReLU</text></answer>
    <answer fraction="50"><text>tanh</text></answer>
    <answer fraction="-100"><text>Adam</text></answer>
    <correctfeedback format="html"><text>Both, well done.</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>One of two.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>Adam optimises.</text></incorrectfeedback>
    <hint format="html"><text>Two of them.</text></hint>
  </question>
  <question type="description">
    <name><text>Reading</text></name>
    <questiontext format="html"><text>Read the chapter on units first.</text></questiontext>
    <generalfeedback format="html"><text>Units tell a metre from a centimetre.</text></generalfeedback>
  </question>
</quiz>
"""

NOT_ONE_HUNDRED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Best half</text></name>
    <questiontext format="html"><text>Pick one.</text></questiontext>
    <single>true</single>
    <answer fraction="50"><text>Half right</text></answer>
    <answer fraction="0"><text>Wrong</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Generous</text></name>
    <questiontext format="html"><text>Pick all.</text></questiontext>
    <single>false</single>
    <answer fraction="75"><text>A</text></answer>
    <answer fraction="75"><text>B</text></answer>
    <answer fraction="-50"><text>C</text></answer>
  </question>
</quiz>
"""


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="units", title_en="Units")


def questions(quiz: Quiz) -> dict:
    return {q.name: q for q in quiz.questions.prefetch_related("answers")}


@pytest.mark.django_db
class MoodleSettingsTests:
    def test_usecase_makes_a_short_answer_case_sensitive(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        framework = questions(quiz)["Framework"]
        assert framework.case_sensitive
        assert grade(framework, " PyTorch ").fraction == 1.0
        assert grade(framework, "pytorch").fraction == 0.5  # the second answer, as in Moodle
        assert grade(framework, "PYTORCH").fraction == 0.0

    def test_a_gift_short_answer_still_ignores_case(self, quiz):
        bank.import_gift(quiz, "::Lib::Name it {=PyTorch}", "en")
        assert grade(questions(quiz)["Lib"], "PYTORCH").fraction == 1.0

    def test_units_are_graded_by_moodles_rules(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        distance = questions(quiz)["Distance"]
        assert distance.units == [["m", 1], ["cm", 100], ["mm", 1000]]
        assert grade(distance, "0.3 m").fraction == 1.0
        assert grade(distance, "30cm").fraction == 1.0  # 30 / 100 m
        assert grade(distance, "300 mm").fraction == 1.0
        assert grade(distance, "0,3m").fraction == 1.0  # one comma is the decimal point
        assert grade(distance, "3x10^-1 m").fraction == 1.0
        # No unit or an unknown one: the bare number, less 20% of the mark it earns (unitgradingtype 1).
        assert grade(distance, "0.3").fraction == pytest.approx(0.8)
        assert grade(distance, "0.3 km").fraction == pytest.approx(0.8)
        assert grade(distance, "30 m").fraction == 0.0
        price = questions(quiz)["Price"]  # the unit before the number; half the question's mark (type 2)
        assert grade(price, "$2").fraction == 1.0
        assert grade(price, "2").fraction == 0.5
        epochs = questions(quiz)["Epochs"]  # no units: "10 epochs" is the number 10, as Moodle grades it
        assert grade(epochs, "10 epochs").fraction == 1.0
        assert grade(epochs, "1,000").fraction == 0.0

    def test_a_response_without_a_number_is_still_refused(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        with pytest.raises(UserError):
            grade(questions(quiz)["Distance"], "m")
        assert split_units("1e999 m") == (None, "m")
        assert split_units("2,456,789.5kg") == (2456789.5, "kg")
        assert split_units("١٢ m") == (None, "")  # ASCII digits only, as Moodle's pattern
        assert split_units("１２ m") == (12.0, "m")  # full-width digits are ASCII once read as NFKC

    def test_the_page_shows_the_units_never_their_multipliers(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        shown = {q["id"]: q for q in public_questions(quiz, random.Random(1))}
        distance, price = questions(quiz)["Distance"], questions(quiz)["Price"]
        assert shown[distance.pk]["units"] == ["m", "cm", "mm"]
        assert (shown[price.pk]["unit_display"], shown[price.pk]["units_left"]) == (2, True)
        assert "100" not in str(shown[distance.pk])
        assert "units" not in shown[questions(quiz)["Epochs"].pk]

    def test_hints_and_the_combined_feedback_are_kept_and_shown(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        stored = questions(quiz)
        assert "It starts with Py." in stored["Framework"].hint_html
        assert "Facebook made it." in stored["Framework"].hint_html
        activations = stored["Activations"]
        relu, tanh, adam = activations.answers.all()
        for chosen, expected in (([relu.pk, tanh.pk], "Both, well done."), ([relu.pk], "One of two."),
                                 ([adam.pk], "Adam optimises.")):  # fmt: skip
            attempt = Attempt.objects.create(quiz=quiz)
            graded = grade(activations, chosen)
            Response.objects.create(
                attempt=attempt, question=activations, given=chosen, fraction=graded.fraction
            )
            result = attempt_result(attempt, AnonymousUser())
            shown = next(q for q in result["questions"] if q["id"] == activations.pk)
            assert expected in shown["combined_feedback_html"]

    def test_a_description_keeps_its_general_feedback(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        reading = questions(quiz)["Reading"]
        assert reading.kind == "description"
        assert "metre from a centimetre" in reading.explanation_html

    def test_it_round_trips_through_moodle_xml(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        xml = bank.export_gift(quiz, "en", "xml")
        assert "<usecase>1</usecase>" in xml and "<unitsleft>1</unitsleft>" in xml
        assert "<unit_name>cm</unit_name>" in xml and "<multiplier>100</multiplier>" in xml
        assert xml.count("<hint ") == 3 and "<partiallycorrectfeedback" in xml
        again = Quiz.objects.create(slug="again", title_en="Again")
        bank.import_gift(again, xml, "en")
        fields = ("kind", "case_sensitive", "units", "unit_grading", "unit_penalty", "unit_display", "units_left",
                  "hint_md_en", "correct_feedback_md_en", "partial_feedback_md_en", "incorrect_feedback_md_en",
                  "explanation_md_en")  # fmt: skip
        first, second = questions(quiz), questions(again)
        for name in first:
            assert [getattr(second[name], f) for f in fields] == [getattr(first[name], f) for f in fields], (
                name
            )
        assert bank.export_gift(again, "en", "xml") == xml
        report = bank.import_gift(quiz, xml, "en")
        assert (report.updated, report.unchanged) == ([], 6)

    def test_a_gift_export_refuses_what_moodle_would_then_grade_otherwise(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        with pytest.raises(
            bank.BankError, match="question 1 “Framework”: GIFT cannot say that a short answer's case"
        ):
            bank.export_gift(quiz, "en", "gift")
        Question.objects.filter(name="Framework").update(case_sensitive=False)
        with pytest.raises(
            bank.BankError, match="question 2 “Distance”: GIFT cannot hold a numerical question's units"
        ):
            bank.export_gift(quiz, "en", "gift")
        Question.objects.filter(name__in=["Distance", "Price"]).update(units=[])
        with pytest.raises(bank.BankError, match=r"question 6 “Reading”: .*general_feedback"):
            bank.export_gift(quiz, "en", "gift")  # a description's general feedback, as before
        Question.objects.filter(name="Reading").delete()
        assert "::Framework::" in bank.export_gift(quiz, "en", "gift")

    def test_a_gift_reimport_keeps_the_moodle_settings(self, quiz):
        bank.import_gift(quiz, UNITS_AND_CASE, "en")
        bank.import_gift(quiz, "::Framework::Name it {=PyTorch}", "en")
        framework = questions(quiz)["Framework"]
        assert framework.case_sensitive and "Facebook" in framework.hint_md_en

    def test_fractions_not_adding_up_to_100_import_with_moodles_notice(self, quiz):
        report = bank.import_gift(quiz, NOT_ONE_HUNDRED, "en")
        assert len(report.created) == 2
        assert any("Best half" in w and "50%" in w for w in report.warnings)
        assert any("Generous" in w and "150%" in w for w in report.warnings)
        stored = questions(quiz)
        half, _wrong = stored["Best half"].answers.all()
        assert grade(stored["Best half"], half.pk).fraction == 0.5
        a, b, c = stored["Generous"].answers.all()
        assert grade(stored["Generous"], [a.pk, b.pk]).fraction == 1.0  # capped at the question's mark
        assert grade(stored["Generous"], [a.pk, c.pk]).fraction == 0.25  # negative fractions count
        assert grade(stored["Generous"], [c.pk]).fraction == 0.0
        xml = bank.export_gift(quiz, "en", "xml")
        assert bank.import_gift(quiz, xml, "en").updated == []

    def test_a_bad_unit_setting_names_the_question_and_imports_nothing(self, quiz):
        bad = UNITS_AND_CASE.replace(
            "<unitgradingtype>1</unitgradingtype>", "<unitgradingtype>7</unitgradingtype>"
        )
        with pytest.raises(bank.BankError, match="question 2: <unitgradingtype> is 7"):
            bank.import_gift(quiz, bad, "en")
        assert not quiz.questions.exists()


CLOZE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze">
    <name><text>Training loop</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>The optimiser {2:SHORTANSWER:=Adam#Right~%50%SGD#It works, slower~*#No} adapts its steps;
a learning rate of {1:NUMERICAL:=0.001:0.0005#Good~%50%0.01#A bit high} is common.</p>
<p>Its loss: {1:MULTICHOICE:=cross-entropy#Yes~mean squared error#For regression}
and layers {1:MULTIRESPONSE:%50%Linear~%50%ReLU~%-100%Dropout\\}x}.</p>
<p>Case counts: {1:SAC:=PyTorch}</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text>Adam, 1e-3, cross-entropy.</text></generalfeedback>
    <hint format="html"><text>Think of Kingma and Ba.</text></hint>
  </question>
</quiz>
"""


def cloze_question(quiz: Quiz, gaps: str) -> "Question":
    xml = f"""<quiz><question type="cloze"><name><text>gaps</text></name>
<questiontext format="html"><text><![CDATA[<p>{gaps}</p>]]></text></questiontext></question></quiz>"""
    bank.apply(quiz, {"en": bank.parse(xml, "xml")})
    return quiz.questions.get(name="gaps")


@pytest.mark.django_db
class ClozeTests:
    def test_a_cloze_question_imports_with_its_gaps(self, quiz):
        bank.import_gift(quiz, CLOZE, "en")
        loop = questions(quiz)["Training loop"]
        assert loop.kind == "cloze" and loop.points == 6  # the sum of the gaps' marks, as Moodle makes it
        assert [part["kind"] for part in loop.parts] == ["short", "numeric", "single", "multiple", "short"]
        assert [part["points"] for part in loop.parts] == [2, 1, 1, 1, 1]
        assert loop.parts[4]["case_sensitive"]
        assert "Adam" not in loop.text_html and "⟦1⟧" in loop.text_html  # no answer in the text shown
        assert "Dropout}x" in [a.text_html for a in loop.answers.all()]  # \\} is a brace

    def test_it_grades_each_gap_as_its_type_and_weights_them_by_marks(self, quiz):
        bank.import_gift(quiz, CLOZE, "en")
        loop = questions(quiz)["Training loop"]
        by_text = {(a.part, a.text_html): a.pk for a in loop.answers.all()}
        right = {
            "1": "adam", "2": "0.0012", "3": by_text[(3, "cross-entropy")],
            "4": [by_text[(4, "Linear")], by_text[(4, "ReLU")]], "5": "PyTorch",
        }  # fmt: skip
        assert grade(loop, right).fraction == 1.0
        half = {**right, "1": "SGD", "5": "pytorch"}  # 2 x 50% + 0 of 6 marks lost: 1 + 1
        assert grade(loop, half).fraction == pytest.approx(4 / 6)
        assert grade(loop, {"2": "0.01"}).fraction == pytest.approx(0.5 / 6)
        assert grade(loop, {"4": [by_text[(4, "Dropout}x")]]}).fraction == 0.0  # a gap earns at least 0
        assert grade(loop, {"1": "anything"}).fraction == 0.0
        wrong_choice = cloze_question(quiz, "{1:MC:=right~%-100%wrong} {1:SA:=yes}")
        picks = {a.text_md: a.pk for a in wrong_choice.answers.all()}
        assert grade(wrong_choice, {"1": picks["wrong"], "2": "yes"}).fraction == 0.0  # -1 + 1 of 2 marks
        assert grade(wrong_choice, {"1": picks["wrong"]}).fraction == 0.0  # never below 0
        assert grade(wrong_choice, {"1": picks["right"]}).fraction == 0.5
        with pytest.raises(UserError):
            grade(loop, {"9": "x"})
        with pytest.raises(UserError):
            grade(loop, {"3": 999999})

    def test_the_page_puts_a_control_in_each_gap(self, quiz):
        bank.import_gift(quiz, CLOZE, "en")
        shown = public_questions(quiz, random.Random(1))[0]
        html = str(shown["cloze_html"])
        assert html.count('data-part="1"') == 1 and "<select" in html and 'type="checkbox"' in html
        assert "⟦" not in html and "=Adam" not in html
        assert [gap["kind"] for gap in shown["gaps"]] == ["short", "numeric", "single", "multiple", "short"]

    def test_it_round_trips_through_moodle_xml_and_gift_refuses_it(self, quiz):
        bank.import_gift(quiz, CLOZE, "en")
        xml = bank.export_gift(quiz, "en", "xml")
        assert '<question type="cloze">' in xml and "{2:SHORTANSWER:=Adam#Right~%50%SGD" in xml
        assert "{1:NUMERICAL:=0.001:0.0005#Good" in xml and "Dropout&amp;#125;x" in xml
        again = Quiz.objects.create(slug="again", title_en="Again")
        bank.import_gift(again, xml, "en")
        first, second = questions(quiz)["Training loop"], questions(again)["Training loop"]
        assert (second.parts, second.text_md_en, second.points) == (
            first.parts,
            first.text_md_en,
            first.points,
        )
        assert [
            (a.part, a.text_md_en, a.weight, a.value, a.tolerance, a.feedback_md_en)
            for a in second.answers.all()
        ] == [
            (a.part, a.text_md_en, a.weight, a.value, a.tolerance, a.feedback_md_en)
            for a in first.answers.all()
        ]
        assert bank.export_gift(again, "en", "xml") == xml
        assert bank.import_gift(quiz, xml, "en").updated == []
        with pytest.raises(bank.BankError, match="Cloze"):
            bank.export_gift(quiz, "en", "gift")

    def test_a_gap_without_marks_names_the_question_and_imports_nothing(self, quiz):
        bad = CLOZE.replace("{1:SAC:=PyTorch}", "{1:SAC:PyTorch}")
        with pytest.raises(bank.BankError, match="question 1: Cloze gap 5 has no answer"):
            bank.import_gift(quiz, bad, "en")
        assert not quiz.questions.exists()

    def test_it_reads_the_gaps_as_moodles_extract_question_does(self):
        from quizzes import cloze, gift

        _text, parts, answers = cloze.extract(
            "{1:MR:=a~=b~c} {1:SA:=caf&eacute; \\~x} {1:MCS:=x&amp;y#well \\#1~z}", 1, lambda t: t
        )
        assert [a.weight for a in answers if a.part == 1] == [50, 50, -50]  # scaled; a wrong box cancels one
        assert answers[3].text == "café \\~x"  # entities decoded; "\\~" keeps its backslash, as in Moodle
        assert (answers[4].text, answers[4].feedback) == ("x&y", "well #1") and parts[2]["shuffle"]
        for bad, reason in (("{1:MC:=only}", "fewer than two"), ("{1:SA:%50%half}", "worth 100%"),
                            ("{1:NM:=five}", "not a number")):  # fmt: skip
            with pytest.raises(gift.GiftError, match=reason):
                cloze.extract(bad, 1, lambda t: t)

    def test_staff_read_a_wrong_cloze_response_by_its_choices_text(
        self, quiz, client, staff, django_user_model
    ):
        """The statistics show a Cloze gap's choice as its text, not its option id; a typed gap as typed, even
        holding what separates gaps in the stored key."""
        question = cloze_question(quiz, "{1:MC:=right~*wrong*} {1:SA:=yes} {1:MR:=a~%-100%b}")
        ids = {(a.part, a.text_md): a.pk for a in question.answers.all()}
        given = {"1": ids[(1, "&#42;wrong&#42;")], "2": "no;3=x", "3": [ids[(3, "a")], ids[(3, "b")]]}
        client.force_login(django_user_model.objects.create_user("learner"))
        body = {"answers": {str(question.pk): given}}
        assert (
            client.post(
                f"/api/quizzes/{quiz.slug}/attempts/", body, content_type="application/json"
            ).status_code
            == 201
        )
        client.force_login(staff)
        html = client.get(f"/quizzes/{quiz.slug}/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "1: *wrong*; 2: no;3=x; 3: a + b" in html
        assert f"1={ids[(1, '&#42;wrong&#42;')]}" not in html

    def test_an_attempt_through_the_api_is_graded(self, quiz, client):
        bank.import_gift(quiz, CLOZE, "en")
        loop = questions(quiz)["Training loop"]
        answer = client.post(
            f"/api/quizzes/{quiz.slug}/attempts/", {"answers": {str(loop.pk): {"1": "Adam"}}},
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code in (200, 201), answer.content
        assert answer.json()["score"] == pytest.approx(2.0)
