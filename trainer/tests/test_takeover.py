"""Many machines on one: real worker processes as nodes (each its own process group, so a whole node can be
killed, paused or stopped), one beat, the real Redis and database, with short windows (a 4 s lease, a sweep
every second). A job is owned by one run at a time, a lost node's job goes on elsewhere, its end is kept."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import ROOT, database_url_for_other_processes
from core import redis_clients
from core.workers import live_workers
from trainer import services
from trainer.forms import defaults
from trainer.labs import LABS
from trainer.models import Job
from trainer.streams import checkpoint_key, lease_key, raw_client, stream_key

from .sse import read_until, stream
from .test_faults import wait_until
from .test_gpt import TINY
from .test_ownership import events

pytestmark = pytest.mark.worker

WINDOWS = {"JOB_LEASE_S": "4", "JOB_SWEEP_EVERY_S": "1", "JOB_CHECKPOINT_EVERY_S": "1"}
QUEUE = f"t{os.getpid()}"[:10]  # these nodes' own training queue: the suite's shared worker never reads it


class Node:
    """A worker node (or the beat), started as an operator starts one, in a process group of its own."""

    def __init__(self, name: str, folder: Path, *, beat: bool = False) -> None:
        self.name, self.log = name, folder / f"{name}.log"
        env = {**os.environ, **WINDOWS, "DATABASE_URL": database_url_for_other_processes(),
               "REDIS_URL": settings.REDIS_URL, "WORKER_WARM_UP": "0", "TORCH_THREADS": "1"}  # fmt: skip
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        command = (
            [*celery, "beat", "--loglevel", "INFO", "-s", str(folder / f"{name}-schedule")]
            if beat
            else [*celery, "worker", "-Q", f"{QUEUE},maintenance", "-c", "1", "-n", f"{name}@%h", "--loglevel",
                  "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        )  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def ready(self) -> bool:
        return any(name.startswith(f"{self.name}@") for name in live_workers().get("maintenance", []))

    def signal(self, sig: int) -> None:
        os.killpg(self.process.pid, sig)

    def holds(self, job_id: int) -> bool:
        holder = redis_clients.client().get(lease_key(job_id))
        return (
            bool(holder)
            and holder.split("-")[0].isdigit()
            and _group(int(holder.split("-")[0])) == self.process.pid
        )

    def text(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.nodes = [Node(f"node{n}-{os.getpid()}", folder) for n in (1, 2)]
        self.beat = Node(f"beat-{os.getpid()}", folder, beat=True)
        wait_until(lambda: all(node.ready() for node in self.nodes), timeout=240, interval=0.5)

    def holder(self, job_id: int) -> Node:
        return wait_until(lambda: next((n for n in self.nodes if n.holds(job_id)), None), timeout=120)

    def stop(self) -> None:
        for node in [*self.nodes, self.beat]:
            node.kill()
        redis_clients.client().delete("beat:lock")  # a beat killed here must not keep the next test's waiting


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    started = Cluster(tmp_path)
    yield started
    started.stop()


def submit(owner, lab: str, **params) -> Job:
    job = Job.objects.create(owner=owner, lab=lab, params={**defaults(LABS[lab]), **params}, queue=QUEUE,
                             language="en")  # fmt: skip
    services.job_enqueue(job=job)
    return job


def ended(job: Job, timeout: float = 400) -> Job:
    return wait_until(lambda: (j := Job.objects.get(pk=job.pk)).finished and j, timeout=timeout, interval=0.5)


class PausedNodeTests:
    def test_a_paused_node_whose_lease_lapsed_cannot_write_after_it_resumes(self, cluster, student):
        # Long enough to be paused mid-run on a quiet machine (3,000 steps took 1.7 s on an idle one).
        job = submit(student, "linear-regression", steps=20000, report_every=1)
        wait_until(lambda: redis_clients.client().xlen(stream_key(job.pk, 1)) > 3, timeout=120)
        paused = cluster.holder(job.pk)
        paused.signal(signal.SIGSTOP)
        wait_until(lambda: Job.objects.filter(pk=job.pk, attempt=2, status="running").exists(), timeout=90)
        time.sleep(1)
        paused.signal(signal.SIGCONT)

        job = ended(job)
        assert (job.status, job.attempt) == ("succeeded", 2), (job.status, job.attempt, job.error_message)
        wait_until(lambda: "lost its lease" in paused.text(), timeout=60)
        kinds = [kind for _id, kind, _data in events(job.pk, 1)]
        assert "restart" in kinds and kinds[-1] == "restart", (
            "nothing from the paused run after it lost the job"
        )
        assert [p["step"] for p in job.history] == list(range(20000)), "the newer attempt's result stands"
        second = [kind for _id, kind, _data in events(job.pk, 2)]
        assert second.count("end") == 1 and second[-1] == "end"


class KilledNodeTests:
    def test_a_node_killed_mid_run_is_continued_by_another_with_no_gap_or_repeat(
        self, cluster, student, client, asgi_server
    ):
        client.force_login(student)
        steps = 400
        job = submit(student, "gpt", **{**TINY, "steps": steps, "sample_every": 100})
        seen = []
        viewer = threading.Thread(target=lambda: seen.extend(read_until(
            stream(asgi_server.url, f"/api/jobs/{job.pk}/events", client.cookies["sessionid"].value, timeout=400),
            lambda e: e.event == "end")), daemon=True)  # fmt: skip
        viewer.start()
        wait_until(lambda: raw_client().exists(checkpoint_key(job.pk)), timeout=240, interval=0.1)
        cluster.holder(job.pk).signal(signal.SIGKILL)
        killed_at = time.monotonic()
        wait_until(lambda: redis_clients.client().xlen(stream_key(job.pk, 2)) > 0, timeout=60, interval=0.1)
        takeover_s = time.monotonic() - killed_at
        print(f"cluster_takeover_s={takeover_s:.1f} (lease {WINDOWS['JOB_LEASE_S']} s)")
        assert takeover_s <= 30

        job = ended(job)
        viewer.join(timeout=60)
        assert (job.status, job.attempt) == ("succeeded", 2), (job.status, job.attempt, job.error_message)
        assert [p["step"] for p in job.history] == list(range(steps)), "every step once"
        shown = [p for e in seen if e.event == "progress" for p in e.data["points"]]
        assert shown == job.history, "the learner's stream had no gap and no repeat, and is what was kept"
        restart = next(e.data for e in seen if e.event == "restart")
        assert restart["resumed_from"] is not None, "it went on from its checkpoint"
        assert restart["message"].startswith("Resumed on another worker")


class GracefulShutdownTests:
    def test_sigterm_hands_the_running_job_back_at_once(self, cluster, student):
        job = submit(student, "gpt", **{**TINY, "steps": 400, "sample_every": 100})
        wait_until(lambda: raw_client().exists(checkpoint_key(job.pk)), timeout=240, interval=0.1)
        stopping = cluster.holder(job.pk)
        stopping.process.terminate()  # SIGTERM to the node's main process, as `docker stop` sends it
        asked = time.monotonic()
        stopping.process.wait(timeout=30)
        assert time.monotonic() - asked < 30, "the worker stopped without waiting for the run to end"
        wait_until(lambda: Job.objects.filter(pk=job.pk, attempt=2).exists(), timeout=60)

        job = ended(job)
        assert (job.status, job.attempt) == ("succeeded", 2), (job.status, job.attempt, job.error_message)
        assert [p["step"] for p in job.history] == list(range(400))
        first = events(job.pk, 1)
        assert any(kind == "status" and data["status"] == "queued" for _i, kind, data in first)
        assert next(data for _i, kind, data in first if kind == "restart")["resumed_from"] is not None


class BeatTests:
    def test_a_second_beat_waits_and_only_the_lock_holder_schedules(self, cluster, client):
        first = cluster.beat
        wait_until(lambda: "This beat" in first.text(), timeout=120)
        second = Node(f"beat2-{os.getpid()}", cluster.folder, beat=True)
        try:
            wait_until(lambda: "Another beat holds the lock" in second.text(), timeout=120)
            time.sleep(3)
            assert "Sending due task" not in second.text() and "Sending due task" in first.text()
            assert client.get("/healthz").json()["beat"]["last_tick_s_ago"] < 10

            # The first pauses past its lock's life: the second takes over, and the first, woken, steps down.
            first.signal(signal.SIGSTOP)
            redis_clients.client().delete("beat:lock")  # as if its 30 s had passed
            wait_until(lambda: "This beat" in second.text(), timeout=30)
            first.signal(signal.SIGCONT)
            wait_until(lambda: first.process.poll() is not None, timeout=30)
            assert "lost its lock" in first.text()
        finally:
            second.kill()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL makes a blocked write wait, not fail")
class DatabaseUnwritableTests:
    def test_a_run_that_ends_while_the_database_cannot_write_keeps_its_result(self, cluster, student):
        job = submit(student, "linear-regression", steps=1000, report_every=1)
        wait_until(lambda: redis_clients.client().xlen(stream_key(job.pk, 1)) > 0, timeout=120, interval=0.05)
        holder = cluster.holder(job.pk)
        lock = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=30)
        lock.execute("BEGIN EXCLUSIVE")  # no other connection can write until it ends
        try:
            wait_until(lambda: "cannot be recorded yet" in holder.text(), timeout=180, interval=0.5)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        job = ended(job, timeout=120)
        assert (job.status, job.attempt) == ("succeeded", 1), (job.status, job.attempt, job.error_message)
        assert [p["step"] for p in job.history] == list(range(1000))
        assert [kind for _i, kind, _d in events(job.pk, 1)].count("end") == 1
