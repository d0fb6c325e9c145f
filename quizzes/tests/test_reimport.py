"""Importing a quiz's file again: learners' answers are never lost without the author's say, and the summary
counts what changed."""

import pytest
from django.core.management import call_command

from quizzes import bank
from quizzes.models import Attempt, Question, Quiz, Response
from quizzes.tests import importing

FULL = """\
::capital:: The capital of France? {=Paris ~Lyon ~Nice}

::sum:: 2 + 2 = ? {#4}

::colour:: The colour of the sky? {=blue}
"""
WITHOUT_COLOUR = FULL.split("\n\n::colour::")[0] + "\n"


@pytest.fixture
def quiz(db):
    """A quiz whose three questions a student has answered through the API."""
    found = Quiz.objects.create(slug="bank", title_en="Bank")
    bank.import_gift(found, FULL, "en")
    return found


def answers(quiz: Quiz) -> dict[str, object]:
    questions = {q.name: q for q in quiz.questions.prefetch_related("answers")}
    paris = next(a for a in questions["capital"].answers.all() if a.text_md_en == "Paris")
    return {
        str(questions["capital"].pk): paris.pk,
        str(questions["sum"].pk): "4",
        str(questions["colour"].pk): "blue",
    }


def submit(client, quiz: Quiz, given: dict[str, object]):
    return client.post(
        f"/api/quizzes/{quiz.slug}/attempts/",
        {"answers": given},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def answered(client, student, quiz):
    """The student's attempt, all three right."""
    client.force_login(student)
    response = submit(client, quiz, answers(quiz))
    assert response.status_code == 201 and response.json()["score"] == 3
    return Attempt.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
class ReimportTests:
    def test_it_retires_an_answered_question_missing_from_the_file_and_keeps_its_answers(
        self, client, quiz, answered
    ):
        report = bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        assert report.retired == ["question bank/colour"] and report.responses_kept == 1
        assert report.deleted == [] and report.unchanged == 2
        assert Response.objects.filter(attempt=answered).count() == 3
        colour = Question.objects.get(name="colour")
        assert colour.retired
        # New attempts no longer see or accept it; the old attempt still shows it with its score.
        shown = client.get(f"/api/quizzes/{quiz.slug}/").json()["questions"]
        assert colour.pk not in [q["id"] for q in shown] and len(shown) == 2
        old = client.get(f"/api/attempts/{answered.pk}/").json()
        assert colour.pk in [q["id"] for q in old["questions"]] and old["score"] == 3
        response = submit(client, quiz, {str(colour.pk): "blue"})
        assert response.status_code == 400

    def test_a_missing_question_nobody_answered_is_deleted(self, quiz):
        report = bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        assert report.deleted == ["question bank/colour"] and report.retired == []
        assert not Question.objects.filter(name="colour").exists()

    def test_deleting_is_the_authors_choice_and_says_how_many_answers_go(self, quiz, answered):
        report = bank.import_gift(quiz, WITHOUT_COLOUR, "en", delete_missing=True)
        assert report.deleted == ["question bank/colour"] and report.responses_removed == 1
        assert "1 deleted with 1 responses" in report.summary()
        assert Response.objects.filter(attempt=answered).count() == 2

    def test_a_retired_question_that_comes_back_is_asked_again_with_its_history(self, client, quiz, answered):
        bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        report = bank.import_gift(quiz, FULL, "en")
        colour = Question.objects.get(name="colour")
        assert not colour.retired and report.updated == ["question bank/colour"]
        assert colour.responses.count() == 1
        shown = client.get(f"/api/quizzes/{quiz.slug}/").json()["questions"]
        assert colour.pk in [q["id"] for q in shown]

    def test_a_second_import_of_the_same_file_retires_nothing_again(self, quiz, answered):
        bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        report = bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        assert report.retired == [] and report.unchanged == 3 and report.updated == []

    def test_it_counts_each_changed_question_once(self, quiz):
        edited = FULL.replace("~Nice}", "~Marseille}").replace("2 + 2", "3 + 1")
        report = bank.import_gift(quiz, edited, "en")
        assert sorted(report.updated) == ["question bank/capital", "question bank/sum"]
        assert report.unchanged == 1 and report.summary().startswith("0 created, 2 updated, 1 unchanged")

    def test_a_changed_answer_keeps_the_row_a_learners_choice_names(self, client, quiz, answered):
        bank.import_gift(quiz, FULL.replace("=Paris ~Lyon ~Nice", "=Paris ~Lyon"), "en")
        response = client.get(f"/api/attempts/{answered.pk}/").json()
        capital = Question.objects.get(name="capital")
        given = next(q["given"] for q in response["questions"] if q["id"] == capital.pk)
        assert capital.answers.get(pk=given).text_md_en == "Paris"

    def test_the_command_retires_by_default_and_deletes_when_told(self, quiz, answered, tmp_path, capsys):
        path = tmp_path / "bank.gift"
        path.write_text(WITHOUT_COLOUR, encoding="utf-8")
        call_command("import_gift", str(path), "--quiz", "bank", "--language", "en")
        out = capsys.readouterr().out
        assert "1 retired" in out and "keeping 1 responses" in out
        assert Question.objects.filter(name="colour", retired=True).exists()
        call_command("import_gift", str(path), "--quiz", "bank", "--language", "en", "--delete-missing")
        assert "1 deleted with 1 responses" in capsys.readouterr().out
        assert not Question.objects.filter(name="colour").exists()

    def test_the_admin_says_how_many_answers_a_deletion_would_remove(self, client, staff, quiz, answered):
        client.force_login(staff)
        client.cookies["django_language"] = "en"
        page = importing.upload(client, quiz, WITHOUT_COLOUR).content.decode()
        assert "1 retired" in page and "kept with their 1 learners" in page
        assert Question.objects.get(name="colour").retired
        response = importing.upload(client, quiz, WITHOUT_COLOUR, delete_missing="on")
        assert "1 deleted, with 1 learners" in response.content.decode()
        assert not Question.objects.filter(name="colour").exists()

    def test_the_statistics_keep_a_retired_questions_answers(self, client, staff, quiz, answered):
        bank.import_gift(quiz, WITHOUT_COLOUR, "en")
        client.force_login(staff)
        page = client.get(f"/quizzes/{quiz.slug}/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "colour" in page and "retired: no longer asked" in page
