"""The live lab wall: flags read from a run's points, one event stream for the whole class (real ASGI server,
real Redis, events written as a worker writes them), only the teacher's own class and its members."""

import http.client
import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from classes.flags import DIVERGED_FACTOR, STUCK_WINDOW, RunWatch
from classes.models import Class, Membership
from core import redis_clients
from trainer.models import Job
from trainer.streams import Writer, stream_key
from trainer.tests.sse import read_until, stream


class FlagTests:
    def test_it_flags_a_divergence_at_the_step_whose_loss_shows_it(self):
        watch = RunWatch("linear-regression", status="running")
        watch.add([{"step": 0, "loss": 0.1}, {"step": 1, "loss": 0.5}])
        assert watch.flags() == []
        watch.add([{"step": 2, "loss": 0.1 * DIVERGED_FACTOR * 1.5}, {"step": 3, "loss": 1e6}])
        assert watch.flags() == ["diverged"] and watch.diverged_at == 2

    def test_it_flags_a_loss_that_is_not_a_number_as_diverged_and_never_charts_it(self):
        watch = RunWatch("linear-regression", status="running")
        new = watch.add([{"step": 0, "loss": 0.1}, {"step": 20, "loss": None}])
        assert new == [(0, 0.1), (20, None)] and watch.diverged_at == 20

    def test_it_flags_a_run_that_stops_improving_but_not_one_that_still_learns(self):
        learning = RunWatch("linear-regression", status="running")
        learning.add([{"step": n, "loss": 0.9**n} for n in range(3 * STUCK_WINDOW)])
        assert "stuck" not in learning.flags()
        stuck = RunWatch("linear-regression", status="running")
        stuck.add([{"step": n, "loss": 1.0 if n < 3 else 0.5} for n in range(3 + STUCK_WINDOW + 1)])
        assert stuck.flags() == ["stuck"]
        stuck.status = "succeeded"  # an ended run is finished, not stuck
        assert stuck.flags() == ["finished"]

    def test_it_flags_a_two_class_run_at_chance_as_stuck(self):
        watch = RunWatch("logistic-regression", status="running")
        watch.add([{"step": n, "loss": 1.0 / (n + 1), "val_accuracy": 0.51} for n in range(STUCK_WINDOW)])
        assert watch.flags() == ["stuck"]

    def test_it_says_passed_or_not_yet_for_a_guided_experiment(self):
        watch = RunWatch("linear-regression", status="succeeded")
        assert watch.flags(passed=True) == ["finished", "passed"]
        assert watch.flags(passed=False) == ["finished", "not_yet"]

    def test_it_shows_each_step_once_when_a_run_continues_from_a_checkpoint(self):
        watch = RunWatch("linear-regression", status="running")
        watch.add([{"step": 0, "loss": 1.0}, {"step": 20, "loss": 0.5}])
        assert watch.add([{"step": 20, "loss": 0.5}, {"step": 40, "loss": 0.3}]) == [(40, 0.3)]


def running_job(owner, points: list[dict]) -> tuple[Job, Writer]:
    """A run in progress: its row, and its stream with the points a worker has reported so far."""
    job = Job.objects.create(owner=owner, lab="linear-regression", params={"learning_rate": 3.0},
                             status="running", attempt=1)  # fmt: skip
    redis_clients.client().delete(stream_key(job.pk, 1))
    writer = Writer(job.pk, 1)
    writer.event("status", {"status": "running", "device": "cpu", "attempt": 1})
    if points:
        writer.event("progress", {"points": points, "progress": 0.1})
    return job, writer


def wall_path(klass: Class) -> str:
    return f"/api/classes/{klass.pk}/wall/linear-regression/events"


@pytest.fixture
def teacher_session(client, teacher) -> str:
    client.force_login(teacher)
    return client.cookies["sessionid"].value


class WallStreamTests:
    def test_it_follows_every_member_in_one_stream_and_flags_a_divergence_as_it_happens(
        self, asgi_server, teacher_session, klass, student, django_user_model, other_class, other_student
    ):
        idle = django_user_model.objects.create_user("idle-learner", password="x")
        Membership.objects.create(klass=klass, learner=idle)
        job, writer = running_job(student, [{"step": 0, "loss": 0.1}, {"step": 1, "loss": 0.3}])
        running_job(other_student, [{"step": 0, "loss": 0.2}])  # another class's: never on this wall
        events = stream(asgi_server.url, wall_path(klass), teacher_session, timeout=20)
        first = next(events)
        assert first.event == "wall"
        rows = {row["name"]: row for row in first.data["members"]}
        assert set(rows) == {"student", "idle-learner"}
        assert rows["idle-learner"]["flags"] == ["not_started"]
        assert rows["student"]["points"] == [[0, 0.1], [1, 0.3]] and rows["student"]["status"] == "running"
        assert rows["student"]["changed"].endswith(" 3.0")  # the learning rate, in the default language
        assert rows["student"]["run_url"] == reverse("class_run", args=[klass.pk, job.pk])

        sent = time.time()
        writer.event("progress", {"points": [{"step": 2, "loss": 5.0}, {"step": 3, "loss": 80.0}]})
        seen = read_until(events, lambda e: e.event == "member" and "diverged" in e.data["flags"])
        update = seen[-1].data
        assert update["diverged_at"] == 2 and update["points"] == [[2, 5.0], [3, 80.0]]
        assert time.time() - sent < 2.0  # the bench's bound on a point's lag to the wall

        writer.end({"status": "diverged"})
        ended = read_until(events, lambda e: e.event == "member" and e.data["status"] == "diverged")
        assert ended[-1].data["flags"] == ["diverged"]

    def test_another_teachers_class_has_no_stream(self, asgi_server, teacher_session, klass, other_class):
        parts = urlsplit(asgi_server.url)
        for path in (wall_path(other_class), wall_path(klass).replace("linear-regression", "no-such-lab")):
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            connection.request("GET", path, headers={"Cookie": f"sessionid={teacher_session}"})
            assert connection.getresponse().status == 404
            connection.close()

    def test_a_reconnect_on_another_node_shows_the_same_wall(
        self, asgi_server, teacher_session, klass, student
    ):
        """Nothing is kept in the web process: a second connection (as a second node would serve it) builds
        the same rows from the database and Redis."""
        running_job(student, [{"step": n, "loss": 1.0 / (n + 1)} for n in range(5)])
        first = next(stream(asgi_server.url, wall_path(klass), teacher_session, timeout=20)).data
        again = next(stream(asgi_server.url, wall_path(klass), teacher_session, timeout=20)).data
        assert first == again and len(first["members"][0]["points"]) == 5

    def test_the_teacher_sees_the_queue(self, asgi_server, teacher_session, klass, student, other_student):
        Job.objects.create(
            owner=other_student, lab="cnn", params={}, status="queued"
        )  # another class's, first
        Job.objects.create(owner=student, lab="linear-regression", params={}, status="queued")
        wall = next(stream(asgi_server.url, wall_path(klass), teacher_session, timeout=20)).data
        assert wall["queue"] == {"waiting": 2, "class_waiting": 1}
        assert wall["members"][0]["queue_position"] == 2 and wall["members"][0]["status"] == "queued"

    def test_an_ended_run_shows_from_its_history(self, asgi_server, teacher_session, klass, student):
        Job.objects.create(owner=student, lab="linear-regression", params={}, status="succeeded", attempt=1,
                           history=[{"step": 0, "loss": 1.0}, {"step": 20, "loss": 0.01}])  # fmt: skip
        row = next(stream(asgi_server.url, wall_path(klass), teacher_session, timeout=20)).data["members"][0]
        assert row["points"] == [[0, 1.0], [20, 0.01]] and row["flags"] == ["finished"]
        assert row["changed"] == ""


@pytest.mark.django_db
class WallAccessTests:
    def test_another_teachers_class_is_not_found(self, client, teacher, klass, other_class):
        client.force_login(teacher)
        assert (
            client.get(reverse("class_wall", args=[other_class.pk, "linear-regression"])).status_code == 404
        )
        assert client.get(reverse("class_wall", args=[klass.pk, "no-such-lab"])).status_code == 404
        assert client.get(reverse("class_wall", args=[klass.pk, "linear-regression"])).status_code == 200

    def test_a_learner_cannot_open_the_wall(self, client, student, klass):
        client.force_login(student)
        assert client.get(reverse("class_wall", args=[klass.pk, "linear-regression"])).status_code == 404


@pytest.mark.django_db
class ReadOnlyRunTests:
    def test_the_teacher_reads_a_members_run_through_the_api_but_cannot_cancel_it(
        self, client, teacher, student, klass, other_student, other_class
    ):
        mine = Job.objects.create(owner=student, lab="linear-regression", params={}, status="running")
        theirs = Job.objects.create(owner=other_student, lab="linear-regression", params={}, status="running")
        client.force_login(teacher)
        assert client.get(f"/api/jobs/{mine.pk}/").status_code == 200
        assert client.get(f"/api/jobs/{theirs.pk}/").status_code == 404
        assert client.post(f"/api/jobs/{mine.pk}/cancel/").status_code == 404
        page = client.get(
            reverse("class_run", args=[klass.pk, mine.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert f'data-readonly-job="{mine.pk}"' in page and "only they can change or stop it" in page
        Membership.objects.filter(klass=klass, learner=student).delete()  # the learner leaves the class
        assert client.get(f"/api/jobs/{mine.pk}/").status_code == 404


@pytest.mark.django_db
class NoteTests:
    def test_a_note_to_the_class_shows_on_its_learners_lab_page_as_text(
        self, client, teacher, student, klass, other_student, other_class
    ):
        client.force_login(teacher)
        response = client.post(
            reverse("class_note", args=[klass.pk, "linear-regression"]), {"text": "Try <b>0.5</b> & compare"}
        )
        assert response.status_code == 302
        client.force_login(student)
        notes = client.get(reverse("class_notes", args=["linear-regression"])).json()["notes"]
        assert notes == [
            {**notes[0], "text": "Try <b>0.5</b> & compare", "to_you": False, "class": klass.name}
        ]
        assert client.get(reverse("class_notes", args=["cnn"])).json()["notes"] == []  # another lab's page
        client.force_login(other_student)
        assert client.get(reverse("class_notes", args=["linear-regression"])).json()["notes"] == []

    def test_a_note_to_one_learner_is_theirs_alone(self, client, teacher, student, klass, django_user_model):
        classmate = django_user_model.objects.create_user("classmate", password="x")
        Membership.objects.create(klass=klass, learner=classmate)
        client.force_login(teacher)
        url = reverse("class_note", args=[klass.pk, "linear-regression"])
        client.post(url, {"text": "Look at your step size", "learner": str(student.pk)})
        client.force_login(student)
        assert client.get(reverse("class_notes", args=["linear-regression"])).json()["notes"][0]["to_you"]
        client.force_login(classmate)
        assert client.get(reverse("class_notes", args=["linear-regression"])).json()["notes"] == []

    def test_it_refuses_a_long_note_an_empty_one_and_a_stranger(
        self, client, teacher, klass, other_student, other_class
    ):
        client.force_login(teacher)
        url = reverse("class_note", args=[klass.pk, "linear-regression"])
        page = client.post(url, {"text": "x" * 281}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400 and "at most 280 characters" in page.content.decode()
        assert client.post(url, {"text": "  "}).status_code == 400
        assert client.post(url, {"text": "hi", "learner": str(other_student.pk)}).status_code == 400
        assert client.post(reverse("class_note", args=[other_class.pk, "linear-regression"]),
                           {"text": "hi"}).status_code == 404  # fmt: skip
