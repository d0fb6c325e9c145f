"""The production path rehearsed: two web nodes behind HAProxy, three worker nodes, one beat, on PostgreSQL and
Redis, with faults a school's operator meets (a lost machine, a paused one, a cut link, a rolling deploy)."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest
from django.conf import settings

from cluster.learners import LONG_RUN, Reader, Traffic, fault_schedule, job, kill_the_node_running, submit
from cluster.rehearsal import WEB_NODES, WORKERS

pytestmark = pytest.mark.cluster


class StreamAcrossNodesTests:
    def test_it_streams_what_the_job_stores_whichever_node_serves_each_part(self, cluster):
        token = cluster.token("learner1")
        # Long enough to be live while it is read (3,000 steps ended in 0.6 s, before the first read, and an
        # ended job is sent whole in a few events).
        job_id = submit(cluster, token, steps=20000, report_every=10, seed=2)
        reader = Reader(cluster, token, job_id)
        node, ended = 0, reader.read(node=WEB_NODES[0], until=5)
        while not ended:  # each part of the stream through the other node, as a browser's reconnects might go
            node += 1
            ended = reader.read(node=WEB_NODES[node % 2], until=len(reader.events) + 5)
        stored = job(cluster, token, job_id)
        assert stored["status"] == "succeeded", stored
        assert reader.points(stored["attempt"]) == stored["history"]
        assert len(reader.ids()) == len(set(reader.ids()))
        assert node >= 1  # both nodes served part of it


class TakeoverTests:
    def test_a_killed_worker_nodes_job_goes_on_elsewhere_and_its_stream_has_no_gap_or_repeat(self, cluster):
        found = kill_the_node_running(cluster, cluster.token("learner2"))
        assert found["ended"] and found["job"]["status"] == "succeeded" and found["job"]["attempt"] >= 2, (
            found
        )
        assert found["gaps"] == 0
        assert found["takeover_s"] is not None and found["takeover_s"] <= 30, found["takeover_s"]


class OneLiveRunTests:
    def test_no_job_ever_has_two_live_runs_over_the_fault_schedule(self, cluster):
        jobs = fault_schedule(cluster, cluster.token("learner3"))
        assert cluster.runs.overlapping() == [], jobs


class RollingRestartTests:
    def test_no_request_fails_while_the_web_nodes_restart_one_by_one(self, cluster):
        with Traffic(cluster) as traffic:
            cluster.restart_web_nodes_one_by_one()
        assert traffic.requests > 50 and traffic.failures == []

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
        for name in WORKERS:  # the job stays queued, so that its streams stay open
            cluster.pause(name)
        job_id = submit(cluster, token, **LONG_RUN)
        headers = {"Authorization": f"Token {token}"}
        limit = settings.EVENT_STREAMS_PER_USER
        clients = [httpx.Client(timeout=httpx.Timeout(10, read=60)) for _ in range(limit + 1)]
        opened = []
        try:
            for index, client in enumerate(clients):
                node = WEB_NODES[index % 2]
                url = f"http://127.0.0.1:{cluster.web_ports[node]}/api/jobs/{job_id}/events"
                opened.append(client.send(client.build_request("GET", url, headers=headers), stream=True))
            statuses = [answer.status_code for answer in opened]
            assert statuses[:limit] == [200] * limit and statuses[limit] == 429, statuses
        finally:
            for answer in opened:
                answer.close()
            for client in clients:
                client.close()
            httpx.post(f"{cluster.url}/api/jobs/{job_id}/cancel/", headers=headers, timeout=10)
            for name in WORKERS:
                cluster.resume(name)
            cluster.wait_until(
                lambda: set(cluster.workers()) >= set(WORKERS), 120, "every worker node is back"
            )

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
