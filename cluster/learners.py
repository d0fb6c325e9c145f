"""Learners of the rehearsal's cluster, as the platform's API and event stream meet them: submit a run, follow
its stream through the balancer or one web node (reconnecting with Last-Event-ID as EventSource does), read what
the job stored. Used by cluster/tests and the bench's `cluster` step."""

from __future__ import annotations

import json
import threading
import time

import httpx

from .rehearsal import FAST_WINDOWS, WORKERS, Cluster

# About 15 s of training on a busy core: long enough to stop a node in the middle.
LONG_RUN = {"steps": 5000, "report_every": 10, "points": 1000, "seed": 1}


class Reader:
    """A learner's browser reading a job's event stream: it follows the stream to its end, reconnecting (with
    Last-Event-ID) through the node it is told, as EventSource does when a connection drops."""

    def __init__(self, cluster: Cluster, token: str, job_id: int) -> None:
        self.cluster, self.job_id = cluster, job_id
        self.headers = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
        self.events: list[tuple[str | None, str, dict]] = []  # (id, event, data)

    @property
    def last_id(self) -> str | None:
        return next((event_id for event_id, _kind, _data in reversed(self.events) if event_id), None)

    def read(self, node: str | None = None, until: int | None = None, timeout: float = 120) -> bool:
        """Reads through `node` (the balancer when None) until the `end` event (True) or `until` events in all
        (False); a dropped connection ends the read (False)."""
        base = f"http://127.0.0.1:{self.cluster.web_ports[node]}" if node else self.cluster.url
        headers = {**self.headers, **({"Last-Event-ID": self.last_id} if self.last_id else {})}
        event_id, kind, data = None, "message", ""
        try:
            with httpx.stream("GET", f"{base}/api/jobs/{self.job_id}/events", headers=headers,
                              timeout=httpx.Timeout(10, read=timeout)) as answer:  # fmt: skip
                assert answer.status_code == 200, answer.read()
                for line in answer.iter_lines():
                    if line.startswith("id: "):
                        event_id = line[4:]
                    elif line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        data = line[6:]
                    elif line == "" and data:
                        self.events.append((event_id, kind, json.loads(data)))
                        if kind == "end":
                            return True
                        if until is not None and len(self.events) >= until:
                            return False
                        event_id, kind, data = None, "message", ""
        except httpx.TransportError:
            return False
        return False

    def points(self, attempt: int | None = None) -> list[dict]:
        found = []
        for event_id, kind, data in self.events:
            if kind == "progress" and (attempt is None or event_id.startswith(f"{attempt}-")):
                found.extend(data["points"])
            elif kind == "snapshot":
                found = list(data["points"])
        return found

    def ids(self) -> list[str]:
        return [event_id for event_id, _kind, _data in self.events if event_id]


def submit(cluster: Cluster, token: str, **params) -> int:
    answer = httpx.post(f"{cluster.url}/api/jobs/", json={"lab": "linear-regression", "params": params},
                        headers={"Authorization": f"Token {token}"}, timeout=10)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def job(cluster: Cluster, token: str, job_id: int) -> dict:
    answer = cluster.get(f"/api/jobs/{job_id}/?history=1", headers={"Authorization": f"Token {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def running_on(cluster: Cluster, job_id: int, timeout: float = 60) -> str:
    """The worker node whose run of the job holds its lease (the lease's token names the process)."""
    found: list[str] = []

    def holder() -> bool:
        token = cluster.redis.get(f"job:{job_id}:lease")
        if not token:
            return False
        pid = int(token.split("-")[0])
        found[:] = [name for name in WORKERS if pid in cluster.nodes[name].children()]
        return bool(found)

    cluster.wait_until(holder, timeout, f"job {job_id} runs on a worker node")
    return found[0]


class Traffic:
    """Readers loading pages through the balancer in a few threads until stopped; counts every request and
    keeps every failure (an error status or a dropped connection), described."""

    PATHS = ("/courses/test-course/", "/courses/test-course/gradients/", "/api/courses/", "/ping")

    def __init__(self, cluster: Cluster, threads: int = 3, paths: tuple[str, ...] = PATHS) -> None:
        """`paths`: pages of the course the cluster was started with (the tests' by default)."""
        self.cluster, self.paths, self.requests, self.failures = cluster, paths, 0, []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._load, daemon=True) for _ in range(threads)]

    def _load(self) -> None:
        with httpx.Client(base_url=self.cluster.url, timeout=10) as client:
            while not self.stopped.is_set():
                for path in self.paths:
                    try:
                        answer = client.get(path)
                        if answer.status_code >= 400:
                            self.failures.append(f"{path}: {answer.status_code}")
                    except httpx.HTTPError as error:
                        self.failures.append(f"{path}: {error!r}")
                    self.requests += 1

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join()


def duplicates_and_gaps(reader: Reader, stored: dict) -> int:
    """Events missing from or repeated in what the learner's stream showed of the run that ended the job,
    against the history the job stored; and every event id seen twice."""
    shown = [point["step"] for point in reader.points(stored["attempt"])]
    kept = [point["step"] for point in stored["history"]]
    repeated = len(shown) - len(set(shown)) + len(reader.ids()) - len(set(reader.ids()))
    return repeated + len(set(kept) ^ set(shown))


def kill_the_node_running(cluster: Cluster, token: str) -> dict:
    """A whole worker node killed in the middle of a learner's run, the learner's stream followed to the end
    through the balancer. Returns the job as stored, the seconds from the kill to the continued run's first
    event (`takeover_s`), the stream's gaps and repeats, and the node; the node is started again."""
    job_id = submit(cluster, token, **LONG_RUN)
    reader = Reader(cluster, token, job_id)
    lost = running_on(cluster, job_id)
    reader.read(until=3)
    killed_at = time.time()
    cluster.kill(lost)
    try:
        ended = any(reader.read(timeout=180) for _ in range(3))  # a dropped connection is read again
        stored = job(cluster, token, job_id)
        firsts = [first for (found, attempt), (first, _last) in cluster.runs.spans.items()
                  if found == job_id and attempt == stored["attempt"]]  # fmt: skip
        return {"job": stored, "ended": ended, "node": lost, "gaps": duplicates_and_gaps(reader, stored),
                "takeover_s": (min(firsts) - killed_at) if firsts and stored["attempt"] > 1 else None}  # fmt: skip
    finally:
        cluster.nodes[lost].start()
        cluster.wait_until(lambda: lost in cluster.workers(), 180, f"{lost} is back")


def fault_schedule(cluster: Cluster, token: str) -> list[int]:
    """Two learners' runs through every fault that could run a job twice: the node holding a job paused past
    its lease while another node restarts (and so reconnects), then resumed, believing it still runs the job;
    a third node's Redis link cut and mended; a pool child killed in the middle of a run. Returns the jobs,
    once each has ended (`cluster.runs` has watched every attempt)."""
    jobs = [submit(cluster, token, **LONG_RUN)]
    paused = running_on(cluster, jobs[0])
    cluster.pause(paused)
    time.sleep(float(FAST_WINDOWS["JOB_LEASE_S"]) * 2)
    other = next(name for name in WORKERS if name != paused)
    cluster.restart(other)
    cluster.resume(paused)
    cut = next(name for name in WORKERS if name not in (paused, other))
    cluster.cut_redis(cut)
    time.sleep(3)
    cluster.mend_redis(cut)
    jobs.append(submit(cluster, token, **LONG_RUN))
    cluster.kill_pool_child(running_on(cluster, jobs[1]))
    for job_id in jobs:
        cluster.wait_until(lambda job_id=job_id: job(cluster, token, job_id)["status"] not in ("queued", "running"),
                           240, f"job {job_id} ends")  # fmt: skip
    time.sleep(1)  # the watcher's last look
    cluster.wait_until(lambda: set(cluster.workers()) >= set(WORKERS), 180, "every worker node is back")
    return jobs
