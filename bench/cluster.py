"""The bench's `cluster` step: figures from the cluster rehearsal's own run (cluster/rehearsal.py), on the
shipped course. A whole worker node killed mid-run; every fault that could run a job twice; a rolling restart
under traffic; lesson pages per second through the balancer with two web nodes and with one; a web process's
memory once it has served every page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx

from cluster.learners import Traffic, fault_schedule, kill_the_node_running
from cluster.rehearsal import Cluster, places

LESSON = "/courses/ai-large-models/core-algorithms/"


def missing() -> str | None:
    server, _redis = places(os.environ.get("DATABASE_URL"), os.environ["REDIS_URL"])
    found = Cluster.requirements(server)
    return "; ".join(found) if found else None


def every_page(cluster: Cluster, node: str, limit: int = 400) -> int:
    """Follows the site's own links from the home page through one node, each page once; returns how many."""
    base = f"http://127.0.0.1:{cluster.web_ports[node]}"
    seen, queue = set(), ["/"]
    with httpx.Client(base_url=base, timeout=30) as client:
        while queue and len(seen) < limit:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            answer = client.get(path)
            if "text/html" in answer.headers.get("content-type", ""):
                for link in re.findall(r'href="(/[^"#?]*)"', answer.text):
                    if not link.startswith(("/static/", "/admin/", "/api/", "/accounts/logout", "/i18n/")):
                        queue.append(link)
    return len(seen)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(folder: Path, load) -> tuple[dict[str, float], dict]:
    """(figures, details). `load(target, path)` is the bench's load generator: pages per second at `target`'s
    port."""
    server, redis_url = places(os.environ.get("DATABASE_URL"), os.environ["REDIS_URL"])
    details: dict = {}
    with Cluster.started(folder, server, redis_url, course="courses/ai-large-models") as cluster:
        takeover = kill_the_node_running(cluster, cluster.token("learner1"))
        details["takeover"] = {key: value for key, value in takeover.items() if key != "job"}
        jobs = fault_schedule(cluster, cluster.token("learner2"))
        details["fault_schedule"] = {"jobs": jobs, "overlapping": cluster.runs.overlapping()}
        with Traffic(
            cluster, paths=("/courses/ai-large-models/", LESSON, "/api/courses/", "/ping")
        ) as traffic:
            cluster.restart_web_nodes_one_by_one()
        details["rolling_restart"] = {"requests": traffic.requests, "failures": traffic.failures[:20]}
        two = load(cluster, LESSON)
        cluster.nodes["web2"].stop()
        time.sleep(3)  # the balancer has marked it down
        one = load(cluster, LESSON)
        cluster.nodes["web2"].start()
        details["pages_per_s"] = {"two_nodes": two, "one_node": one}
        pages = every_page(cluster, "web1")
        sizes = [rss_mib(pid) for pid in cluster.nodes["web1"].children()]
        details["web_process"] = {"pages": pages, "rss_mib": sizes}
        figures = {
            "cluster_takeover_s": takeover["takeover_s"]
            if takeover["takeover_s"] is not None
            else float("inf"),
            "cluster_duplicate_runs": len({line.split(":")[0] for line in cluster.runs.overlapping()}),
            "cluster_stream_gaps": takeover["gaps"],
            "cluster_rolling_restart_failed_requests": len(traffic.failures),
            "cluster_pages_scaling": two / one,
            "web_process_rss_mib": max(sizes),
        }
    return figures, details
