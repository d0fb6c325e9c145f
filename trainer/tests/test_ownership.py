"""A job is owned by exactly one run, and its end is written once (the runner in this process, the real Redis
and database; trainer/tests/test_takeover.py does the same with real worker processes and real faults)."""

import io
import json

import pytest
import torch
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import override

from core import redis_clients
from trainer import runner, services
from trainer.forms import defaults
from trainer.labs import LABS, gpt
from trainer.models import Job, JobWeights
from trainer.streams import Lease, LostLease, Writer, checkpoint_key, lease_key, raw_client, stream_key

from .test_gpt import TINY


def events(job_id: int, attempt: int) -> list[tuple[str, str, dict]]:
    return [(entry_id, f["event"], json.loads(f["data"]))
            for entry_id, f in redis_clients.client().xrange(stream_key(job_id, attempt))]  # fmt: skip


def progress_points(entries) -> list[dict]:
    return [p for _id, kind, data in entries if kind == "progress" for p in data["points"]]


@pytest.fixture
def running_job(student) -> Job:
    job = Job.objects.create(owner=student, lab="linear-regression", params={}, status="running", attempt=1)
    redis_clients.client().delete(lease_key(job.pk), f"job:{job.pk}:ended", stream_key(job.pk, 1))
    return job


@pytest.mark.django_db
class LeaseTests:
    def test_a_run_whose_lease_was_taken_over_cannot_add_an_event(self, running_job):
        paused = Lease(running_job.pk)
        assert paused.acquire()
        writer = Writer(running_job.pk, 1, paused)
        writer.emit({"points": [{"step": 0, "loss": 1.0}]})
        redis_clients.client().delete(lease_key(running_job.pk))  # it lapsed while the machine was paused...
        newer = Lease(running_job.pk)
        assert newer.acquire() and not paused.acquire()  # ...and another run took the job
        with pytest.raises(LostLease):
            writer.emit({"points": [{"step": 1, "loss": 0.5}]})
        assert not paused.renew()
        assert [p["step"] for p in progress_points(events(running_job.pk, 1))] == [0]
        newer.release()

    def test_a_queued_job_whose_lease_holder_died_before_starting_is_asked_again_not_dropped(self, student):
        """A pool child killed between taking the lease and marking the job running: the message delivered
        again must not be dropped as a duplicate (no message would be left), but tried again later."""
        job = Job.objects.create(owner=student, lab="linear-regression", params={"steps": 3}, status="queued")
        dead = Lease(job.pk)
        assert dead.acquire()
        with pytest.raises(runner.NotStarted):
            runner.run(job.pk)
        assert Job.objects.get(pk=job.pk).status == "queued"
        redis_clients.client().delete(lease_key(job.pk))  # its lease lapses
        assert runner.run(job.pk) == "succeeded"

    def test_the_row_is_written_only_by_the_attempt_that_holds_it(self, running_job):
        stale = Job.objects.get(pk=running_job.pk)
        Job.objects.filter(pk=running_job.pk).update(attempt=2)  # another run started attempt 2
        assert runner.owned(stale).update(status="succeeded") == 0
        assert Job.objects.get(pk=running_job.pk).status == "running"

    def test_a_write_retried_after_a_timeout_adds_its_point_once(self, running_job):
        writer = Writer(running_job.pk, 1)
        writer._next_id = lambda: "1000-0"  # the id a retried write carries again
        writer.event("progress", {"points": [{"step": 0}]})
        writer.event("progress", {"points": [{"step": 0}]})
        assert len(events(running_job.pk, 1)) == 1


@pytest.mark.django_db
class EndTests:
    def test_nothing_is_added_after_the_end_and_a_second_end_is_refused(self, running_job):
        lease = Lease(running_job.pk)
        assert lease.acquire()
        writer = Writer(running_job.pk, 1, lease)
        writer.emit({"points": [{"step": 0, "loss": 1.0}]})
        assert writer.end({"status": "succeeded"})
        assert not Writer(running_job.pk, 1).end({"status": "failed"}), "a second end is refused"
        with pytest.raises(LostLease):
            writer.emit({"points": [{"step": 1, "loss": 0.5}]})
        kinds = [kind for _id, kind, _data in events(running_job.pk, 1)]
        assert kinds == ["progress", "end"]
        lease.release()


def run_until(job: Job, stop_at: int, fault) -> str:
    """Runs the job in this process; when its run reports step `stop_at`, `fault(writer)` happens to it."""
    original = Writer.emit

    def emit(writer, batch):
        if batch["points"] and batch["points"][-1]["step"] >= stop_at and writer.attempt == 1:
            fault(writer)
        original(writer, batch)

    Writer.emit = emit
    try:
        return runner.run(job.pk)
    finally:
        Writer.emit = original


@pytest.mark.django_db(transaction=True)
class ResumeTests:
    def test_a_gpt_run_taken_over_continues_from_its_checkpoint_with_no_gap_or_repeat(
        self, student, settings
    ):
        settings.JOB_CHECKPOINT_EVERY_S = 0
        params = {**defaults(LABS["gpt"]), **TINY, "steps": 60, "sample_every": 20}
        # On a queue no worker reads: this test runs the job itself, twice.
        job = Job.objects.create(owner=student, lab="gpt", params=params, language="en", queue="nobody")

        def taken(writer):  # its lease lapsed and another run holds it
            redis_clients.client().set(lease_key(job.pk), "another-run")

        assert run_until(job, 30, taken) == "lost"
        shown_before = progress_points(events(job.pk, 1))
        assert raw_client().exists(checkpoint_key(job.pk))
        redis_clients.client().delete(
            lease_key(job.pk)
        )  # the other run went too: the sweeper queues the job again
        assert services.sweep_lost_jobs() == [job.pk]

        assert runner.run(job.pk) == "succeeded"
        job.refresh_from_db()
        steps = [p["step"] for p in job.history]
        assert (job.attempt, steps) == (2, list(range(60)))
        restart = next(data for _i, kind, data in events(job.pk, 1) if kind == "restart")
        assert restart["resumed_from"] is not None and restart["resumed_from"] <= shown_before[-1]["step"]
        with override("en"):
            assert restart["message"].startswith("Resumed on another worker")
        # A viewer of attempt 1 goes on after `after`; one who opens the page now reads attempt 2 whole.
        second = events(job.pk, 2)
        after = [p for entry_id, kind, data in second if kind == "progress" and entry_id > restart["after"]
                 for p in data["points"]]  # fmt: skip
        assert shown_before + after == job.history, "the stream went on with no gap and no repeat"
        assert progress_points(second) == job.history
        assert not raw_client().exists(checkpoint_key(job.pk)), "the checkpoint is deleted at the end"


@pytest.mark.django_db(transaction=True)
class TimeLimitTests:
    def test_a_gpt_run_at_its_time_limit_ends_stopped_with_its_samples_and_a_model_to_talk_to(self, student):
        params = {**defaults(LABS["gpt"]), **TINY, "steps": 400, "sample_every": 20}
        job = Job.objects.create(owner=student, lab="gpt", params=params, language="en")

        def limit(writer):  # Celery raises this inside the running code when the soft limit passes
            raise SoftTimeLimitExceeded()

        assert run_until(job, 50, limit) == "stopped"
        job.refresh_from_db()
        assert job.history and job.metrics["stopped_at_step"] == job.history[-1]["step"] < 399
        assert job.visuals["samples"], "the samples written so far are kept"
        with override("en"):
            assert job.error_message.startswith("Stopped at this lab's time limit")
        state = torch.load(io.BytesIO(JobWeights.objects.get(job=job).data), weights_only=True)
        model = gpt.build_model(gpt.Config(**params), state)
        assert model is not None
        end = [data for _i, kind, data in events(job.pk, 1) if kind == "end"]
        assert len(end) == 1 and end[0]["status"] == "stopped"


class BrokerSettingsTests:
    def test_the_broker_never_delivers_a_running_job_again_before_its_hard_limit(self, settings):
        """A message delivered twice finds its job held and does nothing, but only the sweeper should move a
        lost job: the broker's own redelivery waits longer than any job may run."""
        longest = max(lab.time_limit_s for lab in LABS.values()) + 30  # the hard limit (services.job_enqueue)
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
        assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
        assert settings.JOB_LEASE_S + settings.JOB_SWEEP_EVERY_S < 30, "a lost job moves on well within 30 s"
