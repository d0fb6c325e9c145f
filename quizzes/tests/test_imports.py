"""Question-bank imports as background jobs (issue 24 item 3): the admin queues the file and shows the job's
progress; a worker imports it within a time limit, rendering outside any transaction and writing in one; a
hostile, broken or slow file ends the job with a clear reason and nothing half-imported."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from quizzes import bank, imports
from quizzes.models import Answer, ImportJob, ImportStatus, Question, Quiz
from quizzes.tasks import import_bank
from quizzes.tests import importing
from quizzes.tests.test_bank import EVERY_KIND

BOMB = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'


@pytest.fixture
def quiz(db):
    """A quiz holding one question, which a refused file must leave as it is."""
    quiz = Quiz.objects.create(slug="bank", title_en="Bank")
    question = Question.objects.create(quiz=quiz, name="kept", kind="single", text_md_en="Which?")
    Answer.objects.create(question=question, text_md_en="Adam", weight=100)
    Answer.objects.create(question=question, text_md_en="ReLU", weight=0)
    return quiz


@pytest.fixture
def author(client, staff):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    return client


def stored(quiz: Quiz) -> list:
    return list(quiz.questions.values_list("name", "text_md_en", "retired"))


@pytest.mark.django_db
class ImportJobTests:
    def test_the_upload_queues_a_job_and_its_page_shows_progress(self, author, quiz):
        posted = author.post(
            f"/admin/quizzes/quiz/{quiz.pk}/import/",
            {"file": SimpleUploadedFile("b.gift", EVERY_KIND.encode()), "language": "en"},
        )
        job = ImportJob.objects.get()
        assert posted.status_code == 302 and posted.url == f"/admin/quizzes/quiz/{quiz.pk}/import/{job.pk}/"
        assert job.status == ImportStatus.QUEUED and quiz.questions.count() == 1  # nothing yet
        page = author.get(posted.url).content.decode()
        assert 'http-equiv="refresh"' in page and "waits for a worker" in page
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING, started_at=timezone.now(), done=3, total=12
        )
        page = author.get(posted.url).content.decode()
        assert "3 of 12 questions" in page and '<progress max="100" value="25">' in page

    def test_the_worker_imports_it_and_the_page_says_what_changed(self, author, quiz):
        response = importing.upload(author, quiz, EVERY_KIND)
        job = ImportJob.objects.get()
        assert (job.status, job.done, job.total, job.source) == (ImportStatus.SUCCEEDED, 12, 12, "")
        page = response.content.decode()
        assert "Imported: 12 created" in page and 'http-equiv="refresh"' not in page
        assert quiz.questions.count() == 12

    def test_the_report_is_in_the_authors_language(self, author, quiz):
        author.cookies["django_language"] = "zh-hans"
        page = importing.upload(author, quiz, "::x:: {#zero.five}\n").content.decode()
        assert "“zero.five”不是数字" in page and "没有导入任何内容" in page
        assert stored(quiz) == [("kept", "Which?", False)]

    def test_a_file_past_its_time_limit_ends_with_the_reason_and_nothing_imported(self, author, quiz):
        author.post(
            f"/admin/quizzes/quiz/{quiz.pk}/import/",
            {"file": SimpleUploadedFile("b.gift", EVERY_KIND.encode()), "language": "en"},
        )
        job = ImportJob.objects.get()
        assert imports.run(job.pk, time_limit=1e-9) == ImportStatus.FAILED
        job.refresh_from_db()
        assert "took too long to render (stopped at question 1 of 12); split it" in job.message
        assert stored(quiz) == [("kept", "Which?", False)]
        page = author.get(f"/admin/quizzes/quiz/{quiz.pk}/import/{job.pk}/").content.decode()
        assert "Nothing was imported" in page and 'name="file"' in page  # the form, to try again

    def test_a_hostile_file_ends_with_a_clear_message(self, author, quiz):
        page = importing.upload(author, quiz, BOMB, name="bomb.xml").content.decode()
        assert 'data-status="failed"' in page and "entities" in page
        assert stored(quiz) == [("kept", "Which?", False)]

    def test_a_rule_broken_late_in_the_file_leaves_nothing_half_imported(self, author, quiz):
        broken = EVERY_KIND + "\n::late:: [markdown]$\\frac\\{1\\}\\{$ {T}\n"  # the last question's formula
        page = importing.upload(author, quiz, broken).content.decode()
        assert 'data-status="failed"' in page and "does not parse" in page
        assert stored(quiz) == [("kept", "Which?", False)]

    def test_a_second_delivery_does_nothing(self, author, quiz):
        importing.upload(author, quiz, EVERY_KIND)
        job = ImportJob.objects.get()
        assert import_bank(job.pk) == "not queued"
        assert quiz.questions.count() == 12

    def test_a_job_whose_worker_was_lost_is_ended(self, author, quiz, settings):
        job = ImportJob.objects.create(quiz=quiz, language="en", interface_language="en", source="x",
                                       status=ImportStatus.RUNNING,
                                       started_at=timezone.now() - timedelta(seconds=settings.QUIZ_IMPORT_TIME_LIMIT_S + 61))  # fmt: skip
        page = author.get(f"/admin/quizzes/quiz/{quiz.pk}/import/{job.pk}/").content.decode()
        assert "worker importing the file was lost" in page
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and job.source == ""

    def test_another_quizs_job_is_not_found_under_this_quiz(self, author, quiz):
        other = Quiz.objects.create(slug="other", title_en="Other")
        job = ImportJob.objects.create(quiz=other, language="en", interface_language="en")
        assert author.get(f"/admin/quizzes/quiz/{quiz.pk}/import/{job.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_texts_render_outside_any_transaction(quiz):
    """While the file renders (seconds for a large one), no transaction is open: learners' writes go on."""
    in_transaction = []
    bank.import_in_steps(quiz, EVERY_KIND, "en", progress=lambda done, total: in_transaction.append(
        connection.in_atomic_block))  # fmt: skip
    assert in_transaction == [False] * 12 and quiz.questions.count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_file_uploaded_in_the_admin(worker, client, staff):
    quiz = Quiz.objects.create(slug="bank", title_en="Bank")
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    posted = client.post(
        f"/admin/quizzes/quiz/{quiz.pk}/import/",
        {"file": SimpleUploadedFile("b.gift", EVERY_KIND.encode()), "language": "en"},
    )
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 120
    while not job.ended and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.message
    assert "12 created" in client.get(posted.url).content.decode() and quiz.questions.count() == 12


@pytest.mark.django_db
def test_the_admin_lists_the_imports(author, quiz):
    importing.upload(author, quiz, EVERY_KIND)
    page = author.get("/admin/quizzes/importjob/").content.decode()
    job = ImportJob.objects.get()
    assert f"/admin/quizzes/quiz/{quiz.pk}/import/{job.pk}/" in page and "100%" in page
