"""GIFT files in and out of the database: import, export, round trip, refusal."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from quizzes import bank
from quizzes.models import Answer, Question, Quiz
from quizzes.tests import importing

EVERY_KIND = """\
$CATEGORY: course/basics

::single:: [markdown]Which is an optimiser? {=Adam#Yes. ~ReLU#An activation. ~Softmax ####Adam adapts the step size.}

::multiple:: Which are activations? {~%50%ReLU ~%50%tanh ~%-100%SGD#An optimiser.}

::tf:: ReLU is linear for positive inputs. {T#No, it is.#Right. ####max(0, x) is x for x > 0.}

::short:: The usual abbreviation of a convolutional network? {=CNN =ConvNet ####Convolutional neural network.}

::numeric:: \\(\\sigma(0)\\) = ? {#0.5:0.001 ####Half way.}

::range:: A learning rate between 0.001 and 0.1: {#0.001..0.1}

::graded-numeric:: \\(\\pi\\)? {# =%100%3.1416:0.0001 =%50%3.14:0.01 ~#Not close.}

::matching:: Match. {=CNN -> images =RNN -> sequences =MLP -> tables}

::essay:: Explain overfitting in your words. {####A model that memorises noise.}

::missing:: The gradient points {~down =up ~sideways} the slope.

::description:: This part is about activations.

::escapes:: A formula with braces: \\(\\frac\\{1\\}\\{2\\}\\) and a colon\\: here. {=yes ~no}
"""


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="bank", title_en="Bank")


@pytest.mark.django_db
class BankTests:
    def test_it_imports_every_question_kind(self, quiz):
        bank.import_gift(quiz, EVERY_KIND, "en")
        kinds = dict(quiz.questions.values_list("name", "kind"))
        assert kinds == {
            "single": "single",
            "multiple": "multiple",
            "tf": "truefalse",
            "short": "short",
            "numeric": "numeric",
            "range": "numeric",
            "graded-numeric": "numeric",
            "matching": "matching",
            "essay": "essay",
            "missing": "single",
            "description": "description",
            "escapes": "single",
        }
        escapes = quiz.questions.get(name="escapes")
        assert "\\frac{1}{2}" in escapes.text_md_en and "colon:" in escapes.text_md_en
        assert "<math" in escapes.text_html_en
        assert quiz.questions.get(name="single").category == "course/basics"

    def test_an_export_imports_back_to_the_same_questions(self, quiz, tmp_path):
        bank.import_gift(quiz, EVERY_KIND, "en")
        before = sorted(
            map(str, Question.objects.values_list("name", "kind", "text_md_en", "explanation_md_en"))
        )
        answers = sorted(
            map(
                str,
                Answer.objects.values_list(
                    "text_md_en",
                    "weight",
                    "value",
                    "tolerance",
                    "low",
                    "high",
                    "match_text_en",
                    "feedback_md_en",
                ),
            )
        )
        exported = bank.export_gift(quiz, "en")
        other = Quiz.objects.create(slug="copy", title_en="Copy")
        bank.import_gift(other, exported, "en")
        assert sorted(
            map(str, other.questions.values_list("name", "kind", "text_md_en", "explanation_md_en"))
        ) == sorted(s for s in before)
        copied = sorted(
            map(
                str,
                Answer.objects.filter(question__quiz=other).values_list(
                    "text_md_en",
                    "weight",
                    "value",
                    "tolerance",
                    "low",
                    "high",
                    "match_text_en",
                    "feedback_md_en",
                ),
            )
        )
        assert copied == answers
        assert bank.export_gift(other, "en") == exported
        report = bank.import_gift(quiz, exported, "en")
        assert report.created == [] and report.updated == []

    def test_a_malformed_file_names_the_line_and_imports_nothing(self, quiz):
        bank.import_gift(quiz, EVERY_KIND, "en")
        before = list(Question.objects.values_list("name", "text_md_en"))
        broken = EVERY_KIND.replace("{#0.5:0.001", "{#zero.five")
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, broken, "en")
        assert caught.value.line == 11
        assert list(Question.objects.values_list("name", "text_md_en")) == before

    def test_the_command_imports_and_reports_errors_in_one_line(self, tmp_path):
        path = tmp_path / "bank.gift"
        path.write_text(EVERY_KIND)
        call_command("import_gift", str(path), "--quiz", "from-file", "--language", "en")
        assert Quiz.objects.get(slug="from-file").questions.count() == 12
        path.write_text("::a:: unclosed {=yes ~no\n")
        with pytest.raises(CommandError, match=r"line 1: .* nothing was imported"):
            call_command("import_gift", str(path), "--quiz", "other")
        assert not Quiz.objects.filter(slug="other").exists()

    def test_the_command_speaks_english_whatever_language_is_active(self, tmp_path):
        path = tmp_path / "bank.gift"
        path.write_text("::a:: x = ? {#zero}\n")
        with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
            call_command("import_gift", str(path), "--quiz", "other")
        assert str(caught.value) == f"{path}: line 1: 'zero' is not a number — nothing was imported."

    def test_the_export_command_names_a_question_the_format_cannot_hold(self, quiz, capsys):
        bank.import_gift(quiz, "::first:: Fine? {T}\n\n::only:: Pick one. {=a ~b}\n", "en")
        Answer.objects.filter(weight=100, question__name="only").update(weight=50)  # edited in the admin
        with pytest.raises(CommandError) as caught:
            call_command("export_gift", "bank")
        assert str(caught.value) == (
            "question 2 “only”: a single-choice question needs one choice worth 100% — nothing was written."
        )
        assert capsys.readouterr().out == ""

    def test_the_admin_upload_imports_a_file(self, client, staff, quiz):

        client.force_login(staff)
        response = importing.upload(client, quiz, EVERY_KIND)
        assert 'data-status="succeeded"' in response.content.decode() and quiz.questions.count() == 12
        client.cookies["django_language"] = "en"
        response = importing.upload(client, quiz, b"::a:: {=yes ~no")
        assert 'data-status="failed"' in response.content.decode() and "line 1" in response.content.decode()
        assert quiz.questions.count() == 12


def test_fixture_files_exist():
    assert (
        Path(__file__).parents[2] / "lessons" / "tests" / "course" / "quizzes" / "gradients.en.gift"
    ).exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_and_nothing_changes(client, staff, quiz):

    client.force_login(staff)
    big = SimpleUploadedFile("big.gift", b"::q:: x {T}\n\n" * 100_000)
    response = client.post(f"/admin/quizzes/quiz/{quiz.pk}/import/", {"file": big, "language": "en"},
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert quiz.questions.count() == 0


def grade(quiz: Quiz, name: str, given: str) -> float | None:
    from quizzes.grading import grade as grade_response

    return grade_response(quiz.questions.get(name=name), given).fraction


@pytest.mark.django_db
class MoodleBehaviourTests:
    """Banks written for Moodle import into quizzes that show and grade as Moodle shows and grades them."""

    def test_it_grades_the_short_answer_wildcard_as_moodle(self, quiz):
        bank.import_gift(
            quiz,
            "::colour::Spell it. {=colo*r}\n\n::star::Type a star. {=\\\\*}\n\n::any::Anything? {=*}\n\n"
            "::partial::Name it. {=%50%*net =ResNet}",
            "en",
        )
        assert grade(quiz, "colour", "colour") == 1.0
        assert grade(quiz, "colour", "COLOR") == 1.0  # case-insensitive by default, as in Moodle
        assert grade(quiz, "colour", "colr") == 0.0
        assert grade(quiz, "colour", "*") == 0.0  # a star typed by the learner is not a wildcard
        assert grade(quiz, "star", "*") == 1.0 and grade(quiz, "star", "x") == 0.0  # \* is a literal star
        assert grade(quiz, "any", "whatever") == 1.0
        # The first matching answer in the author's order wins, as in Moodle: "*net" comes before "ResNet".
        assert grade(quiz, "partial", "resnet") == 0.5 and grade(quiz, "partial", "AlexNet") == 0.5

    def test_it_shows_default_and_plain_text_as_moodle_does(self, quiz):
        bank.import_gift(
            quiz,
            "::classes::# of classes in MNIST?{#10}\n\n"
            "::star::Is 2*3*4 = 24 in __init__ on the C\\:\\\\ drive?\\nSecond line. {T}\n\n"
            "::plain::[plain]Tom & Jerry <3 {T}\n\n"
            "::md::[markdown]Only **this** is Markdown. {T}",
            "en",
        )
        html = {q.name: q.text_html_en for q in quiz.questions.all()}
        assert html["classes"] == "# of classes in MNIST?"
        assert html["star"] == "Is 2*3*4 = 24 in __init__ on the C:\\ drive?<br>\nSecond line."
        assert html["plain"] == "Tom &amp; Jerry &lt;3"
        assert html["md"] == "Only <strong>this</strong> is Markdown."

    def test_it_imports_questions_that_share_a_name_and_finds_them_again_by_position(self, quiz):
        bank.import_gift(quiz, "::Q::First? {T}\n\n::Q::Second? {F}\n\n::R::Third? {T}", "en")
        first, second, third = quiz.questions.all()
        assert [q.name for q in (first, second, third)] == ["Q", "Q", "R"]
        report = bank.import_gift(
            quiz, "::Q::First? {T}\n\n::Q::Second, reworded? {F}\n\n::R::Third? {T}", "en"
        )
        assert report.created == [] and report.unchanged == 2
        assert [(q.pk, q.text_md_en) for q in quiz.questions.all()] == [
            (first.pk, "First?"),
            (second.pk, "Second, reworded?"),
            (third.pk, "Third?"),
        ]

    def test_it_finds_questions_again_by_id_number_whatever_their_name_and_place(self, quiz):
        bank.import_gift(quiz, "// [id:A1]\n::Q::First? {T}\n\n// [id:B2] [tag:easy]\n::Q::Second? {F}", "en")
        a, b = quiz.questions.all()
        assert (a.idnumber, b.idnumber, b.tags) == ("A1", "B2", ["easy"])
        bank.import_gift(
            quiz, "// [id:B2] [tag:hard]\n::Renamed::Second? {F}\n\n// [id:A1]\n::Q::First? {T}", "en"
        )
        assert [(q.pk, q.name, q.tags) for q in quiz.questions.all()] == [
            (b.pk, "Renamed", ["hard"]),
            (a.pk, "Q", []),
        ]

    def test_it_exports_id_numbers_and_tags_in_moodles_comment(self, quiz):
        bank.import_gift(quiz, "// [id:week\\]1] [tag:easy] [tag:maths]\n::Q::Is it? {T}", "en")
        exported = bank.export_gift(quiz, "en")
        assert "// [id:week\\]1] [tag:easy] [tag:maths]\n::Q::" in exported
        other = Quiz.objects.create(slug="other", title_en="Other")
        bank.import_gift(other, exported, "en")
        assert list(other.questions.values_list("idnumber", "tags")) == [("week]1", ["easy", "maths"])]

    def test_it_refuses_two_questions_with_one_id_number(self, quiz):
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, "// [id:X]\nA? {T}\n\n// [id:X]\nB? {T}", "en")
        assert caught.value.line == 5 and "“X”" in caught.value.message
        assert not quiz.questions.exists()


@pytest.mark.django_db
class ImportCostAndLimitTests:
    """Issue 13 item 10: a file's cost is bounded, and its mistakes are errors naming the line, never a 500."""

    def test_values_longer_than_their_columns_name_the_line_on_every_database(self, quiz):
        bank.import_gift(quiz, "::kept::Kept? {T}", "en")
        cases = [
            (f"Fine? {{T}}\n\n::{'n' * 256}::Too long a name? {{T}}", 3, "name"),
            (f"// [id:{'i' * 101}]\nToo long an ID? {{T}}", 2, "ID number"),
            (f"$CATEGORY: {'c' * 256}\nToo long a category? {{T}}", 2, "category"),
            (f"// [tag:{'t' * 51}]\nToo long a tag? {{T}}", 2, "tag"),
            (f"Match. {{=a -> {'m' * 301} =b -> c}}", 1, "matches"),
        ]
        for source, line, what in cases:
            with pytest.raises(bank.BankError) as caught:
                bank.import_gift(quiz, source, "en")
            assert caught.value.line == line, source[:40]
            assert what in caught.value.message
        assert list(quiz.questions.values_list("name", flat=True)) == ["kept"]

    def test_it_refuses_a_nul_character(self, quiz):
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, "Fine? {T}\n\nNUL \x00 here? {T}", "en")
        assert caught.value.line == 3

    @pytest.mark.parametrize(
        ("source", "reason"),
        [
            ("\n\n".join(f"Q{i}? {{T}}" for i in range(501)), "at most 500 questions"),
            ("Q? {" + " ".join(f"~a{i}" for i in range(60)) + " =b}", "at most 50 answers"),
            (
                "\n\n".join("Q? {=a " + " ".join(f"~b{j}" for j in range(49)) + "}" for _ in range(51)),
                "2500 answers",
            ),
            ("\n\n".join("[markdown]" + "[" * 999 + " {T}" for _ in range(50)), "too many “[”"),
            ("x" * 1_000_001, "longer than 1,000,000 characters"),
        ],
    )
    def test_it_refuses_a_file_whose_work_is_unbounded_before_rendering_anything(self, quiz, source, reason):
        import time

        started = time.perf_counter()
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, source, "en")
        assert reason in caught.value.message
        assert time.perf_counter() - started < 5  # without the limits: 20 s to minutes
        assert not quiz.questions.exists()

    def test_a_formula_that_does_not_parse_names_the_line(self, quiz):
        with pytest.raises(bank.BankError) as caught:
            bank.import_gift(quiz, "Fine? {T}\n\n[markdown]Broken $\\frac\\{1\\}\\{$ here {T}", "en")
        assert caught.value.line == 3 and "does not parse" in caught.value.message
        assert not quiz.questions.exists()

    def test_the_command_reports_a_bad_formula_in_one_line(self, tmp_path, capsys):
        path = tmp_path / "bad.gift"
        path.write_text("Fine? {T}\n\n\\(\\frac\\{1\\}\\{\\) broken {T}\n")
        with pytest.raises(CommandError) as caught:
            call_command("import_gift", str(path), "--quiz", "bad", "--language", "en")
        message = str(caught.value)
        assert "\n" not in message and message.startswith(f"{path}: line 3: ") and "does not parse" in message
        assert not Quiz.objects.filter(slug="bad").exists()

    def test_the_admin_upload_shows_a_bad_formula_as_a_form_error(self, client, staff, quiz):

        client.force_login(staff)
        client.cookies["django_language"] = "en"
        response = importing.upload(client, quiz, b"Fine? {T}\n\n[markdown]$\\frac\\{1\\}\\{$ {T}")
        assert 'data-status="failed"' in response.content.decode()
        assert "line 3" in response.content.decode() and "does not parse" in response.content.decode()
        assert not quiz.questions.exists()


@pytest.mark.django_db
class HtmlFormulaTests:
    def test_a_formula_in_moodles_paragraphs_is_typeset(self, quiz):
        """Moodle's editors wrap every text in <p>: its formulas are typeset as outside one."""
        bank.import_gift(
            quiz, "::sq:: [html]<p>What is \\( x^2 \\) at <b>x = 2</b>?</p><p>Think.</p> {#4}\n", "en"
        )
        html = quiz.questions.get(name="sq").text_html_en
        assert "<math" in html and "\\(" not in html
        assert "<b>x = 2</b>" in html and html.count("<p>") == 2

    def test_dollar_math_outside_markdown_warns_the_author(self, client, staff, quiz):
        """Moodle shows $…$ as written unless the text is [markdown]: the author is told, in the admin's
        language, and the text is imported as Moodle shows it."""
        client.force_login(staff)
        client.cookies["django_language"] = "zh-hans"
        response = importing.upload(
            client, quiz, b"::sq:: What is $x^2$ at 2? {#4}\n\n::ok:: [markdown]$y$? {#1}\n"
        )
        shown = [str(m) for m in response.context["job"].warnings]
        assert any(m.startswith("sq：") and "\\(…\\)" in m for m in shown), shown
        assert not any(m.startswith("ok") for m in shown)
        assert "$x^2$" in quiz.questions.get(name="sq").text_html_en
