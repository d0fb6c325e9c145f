"""GIFT files in and out of the database: import, export, round trip, refusal."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes import bank
from quizzes.models import Answer, Question, Quiz

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

    def test_the_admin_upload_imports_a_file(self, client, staff, quiz):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(staff)
        url = f"/admin/quizzes/quiz/{quiz.pk}/import/"
        upload = SimpleUploadedFile("bank.gift", EVERY_KIND.encode())
        response = client.post(url, {"file": upload, "language": "en"})
        assert response.status_code == 302 and quiz.questions.count() == 12
        bad = SimpleUploadedFile("bad.gift", b"::a:: {=yes ~no")
        response = client.post(url, {"file": bad, "language": "en"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "line 1" in response.content.decode()
        assert quiz.questions.count() == 12


def test_fixture_files_exist():
    assert (
        Path(__file__).parents[2] / "lessons" / "tests" / "course" / "quizzes" / "gradients.en.gift"
    ).exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_and_nothing_changes(client, staff, quiz):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    big = SimpleUploadedFile("big.gift", b"::q:: x {T}\n\n" * 100_000)
    response = client.post(f"/admin/quizzes/quiz/{quiz.pk}/import/", {"file": big, "language": "en"},
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert quiz.questions.count() == 0
