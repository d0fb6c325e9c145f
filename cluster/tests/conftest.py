"""The rehearsal's cluster, started once for every test of the `cluster` marker, and its log printed under
any test of it that fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from cluster.rehearsal import Cluster, places


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    running = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Cluster):
        report.sections.append(("the cluster's log (last 400 lines)", running.log.tail()))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """The whole production path on this machine. Skipped where PostgreSQL or HAProxy is missing, except in
    CI (REQUIRE_CLUSTER=1), where their absence fails the run."""
    server, redis_url = places(os.environ.get("DATABASE_URL"), settings.REDIS_URL)
    missing = Cluster.requirements(server)
    if missing:
        reason = "the cluster rehearsal needs " + "; ".join(missing)
        if os.environ.get("REQUIRE_CLUSTER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = Path(tmp_path_factory.mktemp("cluster"))
    with Cluster.started(folder, server, redis_url) as running:
        yield running
