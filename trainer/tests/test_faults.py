"""Faults every deployment meets, with real workers and the real Redis: a worker killed mid-job, a burst."""

import os
import signal
import time

import pytest

from core import redis as redis_
from trainer.models import Job
from trainer.streams import alive_key, stream_key

pytestmark = pytest.mark.worker


def wait_until(condition, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s")


class WorkerKilledTests:
    def test_a_job_whose_worker_is_killed_runs_again_from_a_fresh_attempt(self, client, student, worker):
        client.force_login(student)
        response = client.post("/api/jobs/", {"lab": "linear-regression", "params": {"steps": 20000, "report_every": 1}},
                               content_type="application/json")  # fmt: skip
        job_id = response.json()["id"]
        holder = wait_until(lambda: redis_.client().get(alive_key(job_id)), timeout=30)
        wait_until(lambda: redis_.client().xlen(stream_key(job_id, 1)) > 3, timeout=30)
        os.kill(int(holder.split("-")[0]), signal.SIGKILL)  # the process running the job, mid-run
        killed_at = time.monotonic()

        job = wait_until(lambda: (j := Job.objects.get(pk=job_id)).finished and j, timeout=90)
        assert time.monotonic() - killed_at < 60
        assert job.status == "succeeded" and job.attempt == 2, (job.status, job.attempt, job.error)
        restart = [
            fields
            for _id, fields in redis_.client().xrange(stream_key(job_id, 1))
            if fields["event"] == "restart"
        ]
        assert restart, "viewers of the lost attempt are sent on to the new one"
        steps = [p["step"] for p in job.history]
        assert steps == sorted(set(steps)) and steps[-1] == 19999, "the history has every step once"


class BurstTests:
    def test_fifty_jobs_from_twenty_five_learners_all_end_and_the_limits_hold(
        self, client, django_user_model, worker
    ):
        from config.celery import app

        # A class arriving at once, faster than the workers start jobs: the worker stops taking jobs meanwhile.
        assert app.control.cancel_consumer("cpu", reply=True, timeout=10)
        try:
            refused = 0
            for n in range(25):
                learner = django_user_model.objects.create_user(f"learner{n}", password="x passphrase 1")
                client.force_login(learner)
                for _ in range(3):
                    response = client.post("/api/jobs/", {"lab": "linear-regression", "params": {"steps": 21}},
                                           content_type="application/json")  # fmt: skip
                    refused += response.status_code == 429
        finally:
            assert app.control.add_consumer("cpu", reply=True, timeout=10)
        assert refused == 25, "the third job of each learner is refused while two are in flight"
        assert Job.objects.count() == 50
        wait_until(lambda: not Job.objects.active().exists(), timeout=180, interval=0.5)
        assert set(Job.objects.values_list("status", flat=True)) == {"succeeded"}
