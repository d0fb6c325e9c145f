"""Faults every deployment meets, with real workers and the real Redis: a worker killed mid-job, a burst."""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import redis
from rest_framework.authtoken.models import Token

from conftest import Launcher
from core import redis_clients
from trainer.models import Job
from trainer.streams import lease_key, stream_key

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
    def test_a_job_whose_worker_is_killed_runs_again_from_a_fresh_attempt(
        self, client, student, worker, beat
    ):
        client.force_login(student)
        response = client.post("/api/jobs/", {"lab": "linear-regression", "params": {"steps": 20000, "report_every": 1}},
                               content_type="application/json")  # fmt: skip
        job_id = response.json()["id"]
        holder = wait_until(lambda: redis_clients.client().get(lease_key(job_id)), timeout=30)
        wait_until(lambda: redis_clients.client().xlen(stream_key(job_id, 1)) > 3, timeout=30)
        os.kill(int(holder.split("-")[0]), signal.SIGKILL)  # the process running the job, mid-run
        killed_at = time.monotonic()

        # Its lease lapses (JOB_LEASE_S), the sweeper queues it again (every JOB_SWEEP_EVERY_S), the worker's new
        # pool process continues it: the continued run's first event comes well within 60 s.
        wait_until(lambda: redis_clients.client().xlen(stream_key(job_id, 2)) > 0, timeout=60, interval=0.1)
        assert time.monotonic() - killed_at < 60
        job = wait_until(lambda: (j := Job.objects.get(pk=job_id)).finished and j, timeout=120)
        assert job.status == "succeeded" and job.attempt == 2, (job.status, job.attempt, job.error)
        restart = [
            fields
            for _id, fields in redis_clients.client().xrange(stream_key(job_id, 1))
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


class PrivateRedis:
    """A Redis of this test's own, persisting to an append-only file as production does, so that it can be
    restarted (SHUTDOWN, then started again on the same port and files) without disturbing the suite's."""

    def __init__(self, folder) -> None:
        from config.launch import free_port, redis_server_binary

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.command = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "yes", "--dir", str(folder), "--logfile", str(folder / "redis.log")]  # fmt: skip
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        wait_until(lambda: self._answers(), timeout=10, interval=0.05)

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        """What a service manager's stop does: SIGTERM; Redis saves and exits."""
        self.process.terminate()
        self.process.wait(timeout=10)


class EventSource:
    """Reads a job's events over HTTP the way a browser's EventSource does: when the connection drops it
    reconnects after the server's `retry` delay, sending the last event id it saw."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = urllib.parse.urlsplit(url), token
        self.events: list[tuple[str, str, str]] = []  # (id, event, data)
        self.connections = 0
        self.last_id = ""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self.ended:
            self.connections += 1
            with contextlib.suppress(OSError, http.client.HTTPException):
                self._read()
            time.sleep(1)

    @property
    def ended(self) -> bool:
        return any(event == "end" for _id, event, _data in self.events)

    def _read(self) -> None:
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
        headers = {"Authorization": f"Token {self.token}", "Accept": "text/event-stream"}
        if self.last_id:
            headers["Last-Event-ID"] = self.last_id
        connection.request("GET", self.url.path, headers=headers)
        response = connection.getresponse()
        assert response.status == 200, response.status
        fields: dict[str, str] = {}
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if "event" in fields:
                self.last_id = fields.get("id", self.last_id)
                self.events.append((fields.get("id", ""), fields["event"], fields.get("data", "")))
                if fields["event"] == "end":
                    return
            fields = {}


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


STEPS = 20000  # about 3 s of training, reported at every step


class RedisRestartTests:
    def test_a_job_streaming_through_a_redis_restart_ends_well_with_every_step_once(
        self, transactional_db, private_redis, student
    ):
        from conftest import Worker, database_url_for_other_processes, free_port

        env = {**os.environ, "REDIS_URL": private_redis.url, "DATABASE_URL": database_url_for_other_processes(),
               "VERIFY_SERVICES": "0"}  # fmt: skip
        port = free_port()
        web = subprocess.Popen([sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
                                "--log-level", "warning", "--timeout-graceful-shutdown", "1"], env=env)  # fmt: skip
        worker = Worker(redis_url=private_redis.url)
        try:
            token = Token.objects.create(user=student).key
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: _get(f"{base}/ping"), timeout=30)
            job_id = _post_json(f"{base}/api/jobs/", token,
                                {"lab": "linear-regression", "params": {"steps": STEPS, "report_every": 1}})["id"]  # fmt: skip
            viewer = EventSource(f"{base}/api/jobs/{job_id}/events", token)
            streamed = redis.Redis.from_url(private_redis.url)
            wait_until(lambda: streamed.xlen(stream_key(job_id, 1)) > 3, timeout=60, interval=0.02)

            written_before = streamed.xlen(stream_key(job_id, 1))
            private_redis.stop()
            late = EventSource(f"{base}/api/jobs/{job_id}/events", token)  # a page opened while Redis is down
            time.sleep(5)  # a restart that loads a big data set takes a while
            private_redis.start()

            job = wait_until(lambda: (j := Job.objects.get(pk=job_id)).finished and j, timeout=90)
            viewer.thread.join(timeout=30)
            late.thread.join(timeout=30)
        finally:
            worker.stop()
            web.terminate()
            web.wait(timeout=10)
        assert job.status == "succeeded" and job.attempt == 1, (job.status, job.attempt, job.error)
        assert [p["step"] for p in job.history] == list(range(STEPS)), "the history has every step once"
        assert streamed.xlen(stream_key(job_id, 1)) > written_before + 1, "the run went on streaming after it"
        assert viewer.ended, viewer.events[-3:]
        seen = [
            p["step"]
            for _i, event, data in viewer.events
            if event == "progress"
            for p in json.loads(data)["points"]
        ]
        assert seen == list(range(STEPS)), "the viewer saw every step once, in order"


def _get(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200
    return False


def _get_json(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _post_json(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def launcher(tmp_path) -> Iterator[Launcher]:
    started = Launcher(tmp_path)
    yield started
    if started.process.poll() is None:
        started.stop()


class LauncherTests:
    def test_make_run_survives_its_redis_restarted_twice_mid_job_and_loses_no_queued_job(self, launcher):
        token = launcher.learner()
        running = _post_json(f"{launcher.base}/api/jobs/", token, {"lab": "cnn", "params": {"epochs": 8}})[
            "id"
        ]
        # With one worker slot, this one waits in Redis's queue through both restarts.
        queued = _post_json(f"{launcher.base}/api/jobs/", token, {"lab": "linear-regression", "params": {}})[
            "id"
        ]
        wait_until(lambda: launcher.redis.xlen(stream_key(running, 1)) > 2, timeout=120, interval=0.1)

        launcher.restart_redis(signal.SIGTERM)
        time.sleep(1)
        assert _get_json(f"{launcher.base}/api/jobs/{running}/", token)["status"] == "running"
        launcher.restart_redis(signal.SIGKILL)  # no time to write anything more to its file
        assert _get_json(f"{launcher.base}/api/jobs/{queued}/", token)["status"] == "queued"

        finished = lambda job: _get_json(f"{launcher.base}/api/jobs/{job}/", token)  # noqa: E731
        for job in (running, queued):
            try:
                result = wait_until(lambda j=job: finished(j)["status"] not in ("queued", "running") and finished(j),
                                    timeout=600, interval=0.5)  # fmt: skip
            except AssertionError:
                raise AssertionError(
                    f"job {job} never ended: {finished(job)}\n{launcher.log.read_text()[-6000:]}"
                ) from None
            assert (result["status"], result["attempt"]) == ("succeeded", 1), result
        wait_until(launcher.healthy, timeout=60, interval=0.5)
        log = launcher.log.read_text()
        assert log.count("Redis exited") == 2, log[-3000:]
        assert "worker exited" not in log and "web server exited" not in log, "Redis went; nothing else did"
        assert "'hostname'" not in log, "kombu's crash while restoring unacknowledged messages"

    def test_make_run_starts_a_child_that_died_again_and_keeps_serving(self, launcher):
        worker = launcher.child("worker -Q cpu")
        os.kill(worker, signal.SIGKILL)
        os.kill(launcher.child("granian"), signal.SIGKILL)
        wait_until(lambda: "web server exited" in launcher.log.read_text(), timeout=10)
        wait_until(launcher.healthy, timeout=120, interval=0.5)
        assert launcher.child("worker -Q cpu") != worker
        assert launcher.stop() == 0
        assert "Stopping" in launcher.log.read_text()
