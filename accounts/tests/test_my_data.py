"""A learner's own data: everything the platform holds about them to take away, and their account deleted with
all of it once they confirm with their password."""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.tokens import token_create
from lessons.models import Lesson, LessonProgress
from quizzes.models import Attempt, Quiz, Response
from trainer.models import Job


def take_quiz(client) -> int:
    """The student answers the fixture course's quiz through the API; returns the attempt's id."""
    quiz = Quiz.objects.get(slug="gradients")
    question = quiz.questions.get(name="relu-name")
    response = client.post(
        "/api/quizzes/gradients/attempts/",
        {"answers": {str(question.pk): "ReLU"}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201
    return response.json()["id"]


@pytest.fixture
def learner(client, course, student, other_student):
    """The student, signed in, with an attempt, a finished run, lesson progress; the other student has a run."""
    client.force_login(student)
    take_quiz(client)
    LessonProgress.objects.create(user=student, lesson=Lesson.objects.get(slug="gradients"))
    Job.objects.create(
        owner=student,
        lab="linear-regression",
        params={"learning_rate": 0.1},
        status=Job.Status.SUCCEEDED,
        metrics={"loss": 0.25},
        history=[{"step": 1, "loss": 0.5}],
    )
    Job.objects.create(owner=other_student, lab="linear-regression", params={"learning_rate": 0.9})
    return client


@pytest.mark.django_db
class MyDataTests:
    def test_it_gives_the_learner_everything_of_theirs_as_json(self, learner):
        response = learner.get("/accounts/data/")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        data = json.loads(response.content)
        assert data["account"][0]["username"] == "student"
        assert [row["lesson"] for row in data["lessons_completed"]] == ["gradients"]
        assert len(data["quiz_attempts"]) == 1
        answered = next(row for row in data["quiz_answers"] if row["question"] == "relu-name")
        assert answered["given"] == "ReLU" and answered["correct"] is True
        assert [run["settings"] for run in data["runs"]] == [{"learning_rate": 0.1}]  # not the other's
        assert data["runs"][0]["history"] == [{"step": 1, "loss": 0.5}]

    def test_it_gives_a_zip_of_csv_tables(self, learner):
        response = learner.get("/accounts/data/?format=csv")
        assert response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert "runs.csv" in archive.namelist() and "quiz_answers.csv" in archive.namelist()
        rows = list(csv.DictReader(io.StringIO(archive.read("runs.csv").decode("utf-8-sig"))))
        assert len(rows) == 1 and json.loads(rows[0]["settings"]) == {"learning_rate": 0.1}

    def test_the_api_gives_the_same_to_a_token_and_nothing_to_a_stranger(self, learner, student):
        token = token_create(user=student).key
        response = Client().get("/api/me/data/", HTTP_AUTHORIZATION=f"Token {token}")
        assert (
            response.status_code == 200
            and json.loads(response.content)["account"][0]["username"] == "student"
        )
        assert Client().get("/api/me/data/").status_code == 401

    def test_the_account_page_links_the_export_and_the_deletion(self, learner):
        page = learner.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'href="/accounts/data/?format=csv"' in page and 'href="/accounts/delete/"' in page


@pytest.mark.django_db
class AccountDeleteTests:
    def test_a_wrong_password_deletes_nothing(self, learner, student):
        response = learner.post("/accounts/delete/", {"password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "not your password" in response.content.decode()
        assert Attempt.objects.filter(user=student).exists()

    def test_it_deletes_the_account_with_everything_in_it(self, learner, student, other_student):
        token = token_create(user=student).key
        queued = Job.objects.create(owner=student, lab="linear-regression", params={})
        response = learner.post("/accounts/delete/", {"password": "correct horse 1"})
        assert response.status_code == 302
        assert not type(student).objects.filter(pk=student.pk).exists()
        assert not Attempt.objects.filter(user_id=student.pk).exists()
        assert not Response.objects.filter(attempt__user_id=student.pk).exists()
        assert not Job.objects.filter(pk=queued.pk).exists() and not Token.objects.filter(key=token).exists()
        assert Job.objects.filter(owner=other_student).exists()
        assert learner.get("/accounts/data/").status_code == 302  # signed out
        assert Client().get("/api/me/data/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401

    def test_the_api_deletes_after_the_password(self, learner, student):
        token = token_create(user=student).key
        api = Client(HTTP_AUTHORIZATION=f"Token {token}")
        wrong = api.post("/api/me/delete/", {"password": "nope"}, content_type="application/json")
        assert wrong.status_code == 400 and "password" in json.dumps(wrong.json())
        right = api.post("/api/me/delete/", {"password": "correct horse 1"}, content_type="application/json")
        assert right.status_code == 204 and not type(student).objects.filter(pk=student.pk).exists()
