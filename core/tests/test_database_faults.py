"""A database fault never outlives itself: after the SQLite file was read-only for a second, or the disk was
full, the first request is served again and no connection that failed is handed out again.

The web server is a real uvicorn process on a SQLite file of its own (and a Redis of its own, so that its
jobs reach no worker); the faults are real: the file made read-only (chattr +i when the tests run as root,
who ignores file modes; chmod elsewhere), and a full disk as the server process's file-size limit set to 0
(every write to a file fails, as on a full disk; Python ignores the SIGXFSZ that comes with it).
"""

import concurrent.futures
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker  # real processes of their own; run with the worker tests and in make faults


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> tuple[Path, str]:
    """A migrated SQLite database with a learner and their API token, made once for the module."""
    folder = tmp_path_factory.mktemp("database")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "VERIFY_SERVICES": "0"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = ("from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token; "
              "print(Token.objects.create(user=User.objects.create_user('ada', password='x passphrase 1')).key)")  # fmt: skip
    output = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    return folder / "db.sqlite3", output.split()[-1]


class Server:
    def __init__(self, database: Path, token: str, redis_url: str) -> None:
        from conftest import free_port

        self.database, self.token = database, token
        self.url = f"http://127.0.0.1:{(port := free_port())}"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url, "VERIFY_SERVICES": "0",
               "JOBS_PER_LEARNER": "1000", "JOB_SUBMIT_RATE": "1000/minute"}  # fmt: skip
        self.log = database.parent / "server.log"
        self.process = subprocess.Popen([sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
                                         "--log-level", "warning", "--timeout-graceful-shutdown", "1"], cwd=ROOT,
                                        env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 60
        while self.write() != 201:
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.2)

    def write(self) -> int | None:
        """The status of one request that writes a row: a learner submits a (tiny) job."""
        body = json.dumps({"lab": "linear-regression", "params": {"steps": 1}}).encode()
        request = urllib.request.Request(f"{self.url}/api/jobs/", data=body, method="POST", headers={
            "Authorization": f"Token {self.token}", "Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def health(self) -> tuple[int, list[str]]:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=30) as response:
                return response.status, json.loads(response.read())["failing"]
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())["failing"]

    def writes_during_fault(self) -> list[int | None]:
        """Several at once, so that several connections are opened while the fault lasts."""
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            return list(pool.map(lambda _: self.write(), range(12)))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(migrated, tmp_path) -> Iterator[Server]:
    from trainer.tests.test_faults import PrivateRedis

    database, token = migrated
    shutil.copy(database, tmp_path / database.name)
    redis_server = PrivateRedis(tmp_path)
    started = Server(tmp_path / database.name, token, redis_server.url)
    yield started
    started.stop()
    redis_server.stop()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@contextlib.contextmanager
def full_disk(pid: int) -> Iterator[None]:
    limits = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, limits[1]))
    try:
        yield
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, limits)


class DatabaseFaultTests:
    def test_after_the_file_was_read_only_the_first_request_is_served(self, server):
        with read_only(server.database):
            during = server.writes_during_fault()
            time.sleep(1)
        # A connection opened before may still write (to the write-ahead log); every other write is a clear 503.
        assert 503 in during and set(during) <= {201, 503}, during
        after = [server.write() for _ in range(12)]
        assert after == [201] * 12, "no connection opened read-only is handed out again"

    def test_after_the_disk_was_full_the_first_request_is_served(self, server):
        with full_disk(server.process.pid):
            during = server.writes_during_fault()
            time.sleep(1)
        assert set(during) == {503}, "a clear 503 while the disk is full, never a 500"
        after = [server.write() for _ in range(12)]
        assert after == [201] * 12, "no connection that failed is handed out again"

    def test_healthz_names_the_database_while_it_cannot_write(self, server):
        """A full disk still answers reads: /healthz tries a write, so it does not say ok meanwhile."""
        with full_disk(server.process.pid):
            during = server.health()
        assert during == (503, ["database"])
        assert server.health() == (200, [])
