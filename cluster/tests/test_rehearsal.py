"""The production path rehearsed: two web nodes behind HAProxy, three worker nodes, one beat, on PostgreSQL and
Redis, with faults a school's operator meets (a lost machine, a paused one, a cut link, a rolling deploy)."""

from __future__ import annotations

import json
import shutil
import threading
import time

import httpx
import pytest
from django.conf import settings

from cluster.rehearsal import WEB_NODES, WORKERS, Cluster

pytestmark = pytest.mark.cluster

needs_the_job_lease = pytest.mark.skipif(
    not hasattr(settings, "JOB_LEASE_S"),
    reason="a lost node's job is taken over only with the job lease (branch jobs)",
)
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


class StreamAcrossNodesTests:
    def test_it_streams_what_the_job_stores_whichever_node_serves_each_part(self, cluster):
        token = cluster.token("learner1")
        job_id = submit(cluster, token, steps=3000, report_every=10, seed=2)
        reader = Reader(cluster, token, job_id)
        reader.read(node="web1", until=5)
        node = 0
        while not reader.read(node=WEB_NODES[node % 2], until=len(reader.events) + 5):
            node += 1
        stored = job(cluster, token, job_id)
        assert stored["status"] == "succeeded", stored
        assert reader.points(stored["attempt"]) == stored["history"]
        assert len(reader.ids()) == len(set(reader.ids()))
        assert node >= 1  # both nodes served part of it


class TakeoverTests:
    @needs_the_job_lease
    def test_a_killed_worker_nodes_job_goes_on_elsewhere_and_its_stream_has_no_gap_or_repeat(self, cluster):
        token = cluster.token("learner2")
        job_id = submit(cluster, token, **LONG_RUN)
        reader = Reader(cluster, token, job_id)
        lost = running_on(cluster, job_id)
        reader.read(until=3)
        killed_at = time.time()
        cluster.kill(lost)
        try:
            assert reader.read(timeout=180) or reader.read(timeout=180)
            stored = job(cluster, token, job_id)
            assert stored["status"] == "succeeded" and stored["attempt"] >= 2, stored
            assert reader.points(stored["attempt"]) == stored["history"]
            assert len(reader.ids()) == len(set(reader.ids()))
            first = min(start for (job_, attempt), (start, _end) in cluster.runs.spans.items()
                        if job_ == job_id and attempt == stored["attempt"])  # fmt: skip
            assert first - killed_at <= 30
        finally:
            cluster.nodes[lost].start()
            cluster.wait_until(lambda: lost in cluster.workers(), 180, f"{lost} is back")


class OneLiveRunTests:
    @needs_the_job_lease
    def test_no_job_ever_has_two_live_runs_over_the_fault_schedule(self, cluster):
        token = cluster.token("learner3")
        jobs = [submit(cluster, token, **LONG_RUN)]
        paused = running_on(cluster, jobs[0])
        cluster.pause(paused)  # it holds the job, silent, while the others go on
        time.sleep(float(settings.JOB_LEASE_S) * 2)
        other = next(name for name in WORKERS if name != paused)
        cluster.restart(other)  # a node (re)connects while another's job is unacknowledged
        cluster.resume(paused)  # it wakes up believing it still runs the job
        cut = next(name for name in WORKERS if name not in (paused, other))
        cluster.cut_redis(cut)
        time.sleep(3)
        cluster.mend_redis(cut)
        jobs.append(submit(cluster, token, **LONG_RUN))
        cluster.kill_pool_child(running_on(cluster, jobs[1]))
        for job_id in jobs:
            cluster.wait_until(lambda job_id=job_id: job(cluster, token, job_id)["status"] != "running"
                               and job(cluster, token, job_id)["status"] != "queued", 240, f"job {job_id} ends")  # fmt: skip
        time.sleep(1)
        assert cluster.runs.overlapping() == []
        cluster.wait_until(lambda: set(cluster.workers()) >= set(WORKERS), 180, "every worker node is back")


class RollingRestartTests:
    def test_no_request_fails_while_the_web_nodes_restart_one_by_one(self, cluster):
        failures, done, stop = [], [0], threading.Event()

        def traffic() -> None:
            with httpx.Client(base_url=cluster.url, timeout=10) as client:
                while not stop.is_set():
                    for path in ("/courses/test-course/", "/api/courses/", "/static/css/base.css"):
                        try:
                            answer = client.get(path)
                            if answer.status_code >= 400:
                                failures.append(f"{path}: {answer.status_code}")
                        except httpx.HTTPError as error:
                            failures.append(f"{path}: {error!r}")
                        done[0] += 1

        threads = [threading.Thread(target=traffic) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            cluster.restart_web_nodes_one_by_one()
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert done[0] > 50 and failures == []

    def test_a_staff_edit_through_one_node_is_fresh_on_every_node(self, cluster):
        from cluster.staff import edit_lesson_title

        for node in WEB_NODES:  # both nodes keep the page as it is now
            assert cluster.get("/courses/test-course/gradients/", node).status_code == 200
        title = f"Gradients, edited {time.time():.0f}"
        edit_lesson_title(cluster, "web1", "gradients", title)
        for node in WEB_NODES:
            assert title in cluster.get("/courses/test-course/gradients/", node).text, node

    def test_a_learners_stream_limit_holds_across_nodes(self, cluster):
        token = cluster.token("learner1")
        job_id = submit(cluster, token, **LONG_RUN)
        headers = {"Authorization": f"Token {token}"}
        limit = settings.EVENT_STREAMS_PER_USER
        clients = [httpx.Client(timeout=httpx.Timeout(10, read=60)) for _ in range(limit + 1)]
        opened = []
        try:
            for index, client in enumerate(clients):
                node = WEB_NODES[index % 2]
                request = client.build_request("GET", f"http://127.0.0.1:{cluster.web_ports[node]}"
                                               f"/api/jobs/{job_id}/events", headers=headers)  # fmt: skip
                opened.append(client.send(request, stream=True))
            statuses = [answer.status_code for answer in opened]
            assert statuses[:limit] == [200] * limit and statuses[limit] == 429, statuses
        finally:
            for answer in opened:
                answer.close()
            for client in clients:
                client.close()
            httpx.post(f"{cluster.url}/api/jobs/{job_id}/cancel/", headers=headers, timeout=10)

    def test_healthz_through_the_balancer_lists_every_worker_node(self, cluster):
        answer = cluster.get("/healthz")
        assert answer.status_code == 200, answer.text
        names = {name.split("@")[0] for name in answer.json()["workers"]["cpu"]["names"]}
        assert names >= set(WORKERS)


class StaticFilesTests:
    def test_a_file_only_the_new_release_has_is_served_while_two_releases_run(self, cluster):
        release = cluster.folder / "release-2"
        shutil.copytree(settings.STATIC_ROOT, release / "static", dirs_exist_ok=True)
        (release / "static" / "css" / "only-in-release-2.5e1f0c2a9b7d.css").write_text(
            "main { color: #222; }"
        )
        cluster.restart("web2", VAR_DIR=str(release))  # web2 upgraded, web1 still on the old release
        try:
            cluster.wait_until(lambda: cluster.web_answers("web2"), 120, "web2 answers on release 2")
            time.sleep(2.5)  # the balancer has seen it up
            answers = [
                cluster.get("/static/css/only-in-release-2.5e1f0c2a9b7d.css").status_code for _ in range(12)
            ]
            assert answers == [200] * 12
            assert cluster.get("/static/css/only-in-release-2.5e1f0c2a9b7d.css", "web1").status_code == 404
        finally:
            cluster.restart("web2")
            cluster.wait_until(lambda: cluster.web_answers("web2"), 120, "web2 answers again")
