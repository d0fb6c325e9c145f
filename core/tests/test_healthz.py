import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from core import redis_clients


def use_redis(settings, url: str) -> Iterator[None]:
    settings.REDIS_URL = url
    redis_clients.client.cache_clear()
    redis_clients.checking_client.cache_clear()
    yield
    redis_clients.client.cache_clear()
    redis_clients.checking_client.cache_clear()


@pytest.fixture
def redis_down(settings):
    """Point the platform at a Redis port where nothing listens (a real refused connection)."""
    yield from use_redis(settings, "redis://127.0.0.1:1/0")


@pytest.fixture
def redis_frozen(settings, tmp_path):
    """A Redis of the test's own, stopped with SIGSTOP: it accepts connections and answers nothing."""
    from trainer.tests.test_faults import PrivateRedis

    frozen = PrivateRedis(tmp_path)
    os.kill(frozen.process.pid, signal.SIGSTOP)
    try:
        yield from use_redis(settings, frozen.url)
    finally:
        os.kill(frozen.process.pid, signal.SIGCONT)
        frozen.stop()


@pytest.fixture
def redis_dropping(settings):
    """A server that answers the first command as Redis would (PING: PONG) and then drops the connection:
    Redis going away in the middle of the check."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"+PONG\r\n")
                connection.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield from use_redis(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    finally:
        listener.close()


@pytest.mark.django_db
class HealthzTests:
    def test_it_reports_the_database_redis_and_workers_per_queue(self, client):
        response = client.get("/healthz")
        body = response.json()
        assert response.status_code == 200
        assert body["status"] == "ok" and body["database"]["ok"] and body["redis"]["ok"]
        assert set(body["workers"]) >= {"cpu", "gpu"}

    def test_it_answers_503_naming_redis_when_redis_is_down(self, client, redis_down):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["redis"] and not response.json()["redis"]["ok"]

    def test_it_answers_503_at_once_while_redis_is_frozen(self, client, redis_frozen):
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < redis_clients.CHECK_TIMEOUT_S + 3
        assert response.status_code == 503 and response.json()["failing"] == ["redis"]

    def test_it_answers_503_not_500_when_redis_drops_mid_check(self, client, redis_dropping):
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["failing"] == ["redis"]

    def test_it_answers_503_naming_the_database_when_it_is_down(self, client, database_down):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["database"]

    def test_it_counts_a_worker_that_announces_itself(self, client):
        from core.workers import announce

        announce("cpu@test-host", ["cpu"])
        body = client.get("/healthz").json()
        assert "cpu@test-host" in body["workers"]["cpu"]["names"]
        assert body["workers"]["gpu"]["count"] == 0


@pytest.mark.django_db
class LivenessTests:
    """The balancer's health check (deploy/haproxy.cfg) asks /ping: a Redis or database blip must not take
    every web node out of the pool at once."""

    def test_it_answers_with_the_database_and_redis_both_down(self, client, redis_down, database_down):
        assert client.get("/healthz").status_code == 503
        answer = client.get("/ping")
        assert answer.status_code == 200 and answer.content == b"ok"

    def test_the_balancer_checks_it(self):
        from pathlib import Path

        shipped = (Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg").read_text()
        assert (
            "http-check send meth GET uri /ping " in shipped and "/healthz" not in shipped.split("backend")[1]
        )
