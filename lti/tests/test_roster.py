"""The roster read on its own: after a teacher's launch (a task, once the launch is committed) and by the beat
for the courses not read for LTI_ROSTER_SYNC_EVERY_S; never at a learner's launch. A failed read changes
nothing and is shown to the course's teachers; a read takes nobody out of the class."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.celery import schedule
from lti.models import Course
from lti.tasks import sync_stale_rosters

from .conftest import launch
from .platform import INSTRUCTOR, LEARNER
from .test_flow import eager

MEMBERS = [
    {"user_id": "teacher-1", "roles": [INSTRUCTOR]},
    {"user_id": "learner-1", "roles": [LEARNER], "given_name": "Ada"},
    {"user_id": "learner-2", "roles": [LEARNER], "given_name": "Grace"},
]


def learners(course: Course) -> list[str]:
    return sorted(course.klass.learners.values_list("lti_users__sub", flat=True))


def roster_queued(callbacks) -> bool:
    return any("roster" in callback.__qualname__ for callback in callbacks)


@pytest.mark.django_db
class AutomaticRosterTests:
    def test_a_teachers_launch_reads_the_roster_unless_it_was_read_lately(
        self, client, lms, registered, django_capture_on_commit_callbacks
    ):
        lms.members = MEMBERS
        with eager(), django_capture_on_commit_callbacks(execute=True) as queued:
            answer = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        assert answer.status_code == 302 and roster_queued(queued)
        assert lms.roster_reads == ["course-101"]
        course = Course.objects.get()
        assert learners(course) == ["learner-1", "learner-2"]
        assert course.roster_synced_at is not None and course.roster_error == {}
        client.logout()
        with eager(), django_capture_on_commit_callbacks(execute=True) as queued:
            launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        assert not roster_queued(queued) and lms.roster_reads == ["course-101"]
        with (
            override_settings(LTI_ROSTER_SYNC_EVERY_S=0),
            eager(),
            django_capture_on_commit_callbacks(execute=True),
        ):
            launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        assert lms.roster_reads == ["course-101", "course-101"]

    def test_a_learners_launch_reads_nothing(
        self, client, lms, registered, django_capture_on_commit_callbacks
    ):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])  # its read is never committed here
        client.logout()
        lms.members = MEMBERS
        with eager(), django_capture_on_commit_callbacks(execute=True) as queued:
            answer = launch(client, lms, sub="learner-1", roles=[LEARNER])
        assert answer.status_code == 302 and not roster_queued(queued)
        assert lms.roster_reads == [] and learners(Course.objects.get()) == ["learner-1"]

    @override_settings(LTI_ROSTER_SYNC_EVERY_S=3600)
    def test_the_beat_reads_the_rosters_not_read_lately_only(self, client, lms, registered):
        for course_id in ("course-101", "course-202", "course-303"):
            lms.course_id = course_id
            launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        stale, fresh, never = Course.objects.order_by("pk")
        now = timezone.now()
        Course.objects.filter(pk=stale.pk).update(roster_tried_at=now - timedelta(hours=2))
        Course.objects.filter(pk=fresh.pk).update(roster_tried_at=now - timedelta(minutes=10))
        lms.members = MEMBERS
        with eager():
            assert sync_stale_rosters.apply().get() == 2
        assert sorted(lms.roster_reads) == ["course-101", "course-303"]
        assert learners(stale) == learners(never) == ["learner-1", "learner-2"] and learners(fresh) == []
        with eager():
            assert sync_stale_rosters.apply().get() == 0
        entry = schedule()["lti-sync-rosters"]
        assert entry["task"] == sync_stale_rosters.name and entry["options"]["queue"] == "maintenance"
        assert entry["schedule"] <= 3600

    def test_an_lms_error_changes_nothing_and_is_shown_to_the_teacher(
        self, client, lms, registered, django_capture_on_commit_callbacks
    ):
        launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        client.logout()
        launch(client, lms, sub="learner-1", roles=[LEARNER])
        client.logout()
        lms.members, lms.fail_roster = MEMBERS[:1] + MEMBERS[2:], True
        with eager(), django_capture_on_commit_callbacks(execute=True):
            answer = launch(client, lms, sub="teacher-1", roles=[INSTRUCTOR])
        assert answer.status_code == 302 and lms.roster_reads == ["course-101"]
        course = Course.objects.get()
        assert learners(course) == ["learner-1"] and course.roster_synced_at is None
        assert course.roster_error["code"] == "lti_roster_refused" and course.roster_tried_at is not None
        page = client.get(reverse("lti_scores", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "The last read of the roster failed" in page and "roster service down" in page
        page = client.get(reverse("lti_scores", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "最近一次读取名单失败" in page.content.decode() and "LMS 未返回名单" in page.content.decode()
        # The teacher's button reads it again; learner-1, whom the LMS no longer lists, stays.
        lms.fail_roster = False
        answer = client.post(reverse("lti_roster", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert "1 no longer listed by the LMS, kept in the class" in answer.content.decode()
        assert "The last read of the roster failed" not in answer.content.decode()
        assert learners(course) == ["learner-1", "learner-2"]
