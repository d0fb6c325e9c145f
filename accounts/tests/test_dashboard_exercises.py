"""The dashboard counts the code exercises passed of all, lists each one tried with its state, and invites a
first one."""

import pytest
from django.urls import reverse

from exercises.models import Attempt


@pytest.mark.django_db
class DashboardExercisesTests:
    def test_it_shows_the_exercises_passed_and_tried(self, client, student):
        client.force_login(student)
        Attempt.objects.create(owner=student, exercise="linear-gradient-step", source="x", status="passed")
        Attempt.objects.create(owner=student, exercise="causal-attention", source="y", status="failed")
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "1 of 7 exercises passed" in page
        assert (
            'href="/exercises/linear-gradient-step/"' in page
            and 'href="/exercises/causal-attention/"' in page
        )

    def test_before_any_try_it_invites_one(self, client, student):
        client.force_login(student)
        page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "已通过 0 / 7 个练习" in page and "写下你的第一个。" in page
