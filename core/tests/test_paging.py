"""The job and attempt lists page through everything a learner has, newest first, following `Link`."""

import pytest

from quizzes.models import Attempt, Quiz
from trainer.models import Job


def everything(client, url: str) -> tuple[list[int], int]:
    """Every id the list gives, following its `Link` header; and how many pages that took."""
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        ids += [row["id"] for row in response.json()]
        pages += 1
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    return ids, pages


@pytest.mark.django_db
class PagingTests:
    def test_the_attempt_list_pages_through_every_attempt(self, client, student, other_student):
        quiz = Quiz.objects.create(slug="many", title_en="Many")
        Attempt.objects.bulk_create([Attempt(quiz=quiz, user=student, number=n) for n in range(1, 206)])
        Attempt.objects.create(quiz=quiz, user=other_student)
        client.force_login(student)
        first = client.get("/api/attempts/")
        assert len(first.json()) == 200 and 'rel="next"' in first["Link"]
        ids, pages = everything(client, "/api/attempts/")
        mine = list(Attempt.objects.filter(user=student).order_by("-pk").values_list("pk", flat=True))
        assert ids == mine and pages == 2

    def test_the_job_list_pages_through_every_run(self, client, student):
        Job.objects.bulk_create([Job(owner=student, lab="linear-regression", params={}) for _ in range(101)])
        client.force_login(student)
        ids, pages = everything(client, "/api/jobs/?lab=linear-regression")
        assert len(set(ids)) == 101 and pages == 2 and ids == sorted(ids, reverse=True)

    def test_a_cursor_that_is_not_an_id_is_a_clear_400(self, client, student):
        client.force_login(student)
        response = client.get("/api/jobs/?before=abc", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "before" in response.content.decode()
