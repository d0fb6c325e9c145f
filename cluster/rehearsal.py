"""The cluster rehearsal: the production path on one machine, started as an operator starts it.

    PostgreSQL (a fresh database)      Redis (a database of its own)
          │                               │  ▲ worker nodes reach it through a RedisLink each (a TCP proxy
          │                               │  │ the rehearsal can cut)
    ┌─────┴──────────┬──────────────┬─────┴──┴─────┬─────────────┐
   web1, web2        node1, node2, node3           beat
   (granian, --workers 2, as docker-compose.yml)   (celery, as docker-compose.yml, named -n nodeN@%h)
     ▲
   HAProxy (deploy/haproxy.cfg, the operators' file) ◀── the tests' requests

Every process is a `Node`: its own process group (a fault hits the whole node: granian's or Celery's parent
and children), its output written to one log with a timestamp and the node's name on every line. `Cluster`
starts them in order and offers the faults: kill a node or only its pool child, pause and resume it, cut
and mend its link to Redis, restart the web nodes one by one.

It needs PostgreSQL (SQLite cannot serve several machines) and HAProxy; `Cluster.requirements()` says what is
missing. Used by cluster/tests/ (`make cluster`, also part of `make test`) and by the bench's `cluster` step.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis
import yaml

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
WORKERS = ("node1", "node2", "node3")
WEB_NODES = ("web1", "web2")
PASSWORD = "correct horse 7"  # noqa: S105 (the rehearsal's own learners, in a database it drops)

# Windows short enough for CI's 2 cores (the jobs' lease, the sweeper): settings read them from the environment.
FAST_WINDOWS = {"JOB_LEASE_S": "6", "JOB_SWEEP_EVERY_S": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.3):
        return True
    return False


class Log:
    """One file for every node: `2026-12-07T06:40:01.123 node2 | <line>`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("a", buffering=1)
        self.lock = threading.Lock()

    def write(self, name: str, line: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        with self.lock:
            self.file.write(f"{stamp} {name:<8}| {line.rstrip()}\n")

    def tail(self, lines: int = 400) -> str:
        return "\n".join(self.path.read_text(errors="replace").splitlines()[-lines:])


class Node:
    """One process of the cluster (and its children) in a process group of its own."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Log) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        errors="replace", start_new_session=True)  # fmt: skip
        self.log.write(self.name, f"[rehearsal] started (pid {self.process.pid}): {' '.join(self.command)}")
        threading.Thread(target=self._copy_output, args=(self.process,), daemon=True).start()

    def _copy_output(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.log.write(self.name, line)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: signal.Signals) -> None:
        self.log.write(self.name, f"[rehearsal] {signum.name} to the whole node")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def children(self) -> list[int]:
        """The node's pool processes (a Celery worker's forked children, granian's workers)."""
        found = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in found.read_text().split()]
        return []

    def stop(self, grace: float = 15) -> None:
        """SIGTERM, as a deploy or `docker stop` sends it; SIGKILL after the grace period."""
        if not self.alive:
            return
        self.signal(signal.SIGCONT)  # a paused node cannot hear SIGTERM
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait()
        self.log.write(self.name, f"[rehearsal] exited with {self.process.returncode}")


class RedisLink:
    """A TCP proxy between one node and Redis: `cut()` drops its connections and refuses new ones (a network
    partition of that node alone), `mend()` lets it reach Redis again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        chooser = selectors.DefaultSelector()
        chooser.register(client, selectors.EVENT_READ, server)
        chooser.register(server, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _events in chooser.select():
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            chooser.close()
            client.close()
            server.close()

    def cut(self) -> None:
        self.open = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def mend(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


class LiveRuns:
    """Watches every job's attempt streams in Redis and records, per (job, attempt), when its run wrote its
    first and last event. Two attempts of one job whose spans overlap are two live runs at once. (A `restart`
    event is written by the new attempt into the old one's stream, so it is counted for the new one.)"""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.spans: dict[tuple[int, int], list[float]] = {}
        self.seen: dict[str, str] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopped.wait(0.2):
            with contextlib.suppress(redis.RedisError):
                for key in self.client.scan_iter("job:*:*", count=1000):
                    job, attempt = key.split(":")[1:3]
                    if not attempt.isdigit():
                        continue
                    for entry_id, fields in self.client.xrange(key, f"({self.seen.get(key, '0-0')}", "+"):
                        self.seen[key] = entry_id
                        run = int(attempt)
                        if fields.get("event") == "restart":
                            run = json.loads(fields["data"])["attempt"]
                        moment = int(entry_id.split("-")[0]) / 1000
                        span = self.spans.setdefault((int(job), run), [moment, moment])
                        span[0], span[1] = min(span[0], moment), max(span[1], moment)

    def overlapping(self) -> list[str]:
        """Every pair of attempts of one job that were live at the same time, described."""
        found = []
        for (job, attempt), (first, last) in sorted(self.spans.items()):
            for (other_job, other), (other_first, other_last) in sorted(self.spans.items()):
                if other_job == job and other > attempt and other_first < last and first < other_last:
                    found.append(f"job {job}: attempt {attempt} wrote until {last:.3f}, "
                                 f"attempt {other} from {other_first:.3f}")  # fmt: skip
        return found

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


OWNER_KEY = "cluster-rehearsal:owner"  # marks a Redis database as the rehearsal's own


class Cluster:
    """The whole rehearsal. `with Cluster.started(folder) as cluster:` gives a cluster that answers through
    the balancer, with every worker node announced; leaving the block stops every process and drops the
    database."""

    def __init__(
        self, folder: Path, server_url: str, redis_url: str, course: str = "lessons/tests/course"
    ) -> None:
        self.folder, self.course = folder, course
        folder.mkdir(parents=True, exist_ok=True)
        self.log = Log(folder / "cluster.log")
        self.database_name = f"rehearsal_{uuid.uuid4().hex[:12]}"
        self.server_url = server_url
        self.database_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{self.database_name}"))
        self.redis_url = redis_url
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        target = urlsplit(redis_url)
        self.links = {name: RedisLink((target.hostname, target.port or 6379)) for name in WORKERS}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web_ports = {name: free_port() for name in WEB_NODES}
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))},
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # granian and celery, as in the image
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXIES": "1",
            "DATABASE_URL": self.database_url,
            "DATABASE_POOL_SIZE": "4",
            "REDIS_URL": redis_url,
            "VERIFY_SERVICES": "1",
            "WORKER_CONCURRENCY": "1",
            "TORCH_THREADS": "1",
            "PYTHONUNBUFFERED": "1",
            **FAST_WINDOWS,
        }
        self.nodes: dict[str, Node] = {}
        self.runs: LiveRuns | None = None

    # --- What it needs ----------------------------------------------------------------------------------

    @staticmethod
    def requirements(server_url: str) -> list[str]:
        """What is missing for a rehearsal, in words; empty when it can run."""
        missing = []
        if not Path("/usr/sbin/haproxy").exists() and not _which("haproxy"):
            missing.append("HAProxy is not installed (apt-get install haproxy)")
        try:
            import psycopg

            psycopg.connect(server_url, connect_timeout=3).close()
        except Exception as error:
            missing.append(
                f"PostgreSQL does not answer at {server_url} ({str(error).strip().splitlines()[0]})"
            )
        return missing

    # --- Starting and stopping --------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def started(cls, folder: Path, server_url: str, redis_url: str, **options: str) -> Iterator[Cluster]:
        cluster = cls(folder, server_url, redis_url, **options)
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()

    def start(self) -> None:
        # A database holding only what an earlier rehearsal left (one killed before its clean-up) is its own;
        # any other key may be somebody's data, and the rehearsal will not touch it.
        if self.redis.dbsize() and not self.redis.exists(OWNER_KEY):
            raise RuntimeError(
                f"{self.redis_url} is not empty: the rehearsal needs a Redis database of its own"
            )
        self.redis.flushdb()
        self.redis.set(OWNER_KEY, self.database_name)
        self._sql(f'CREATE DATABASE "{self.database_name}"')
        self._prepare()
        self.runs = LiveRuns(self.redis)
        for name in WEB_NODES:
            self.nodes[name] = Node(name, self.web_command(name), self.env, self.log)
        for name in WORKERS:
            env = {**self.env, "REDIS_URL": self._through(self.links[name])}
            self.nodes[name] = Node(name, self.worker_command(name), env, self.log)
        self.nodes["beat"] = Node("beat", self.beat_command(), self.env, self.log)
        balancer = {"LISTEN": f"127.0.0.1:{self.port}",
                    **{name.upper(): f"127.0.0.1:{port}" for name, port in self.web_ports.items()}}  # fmt: skip
        self.nodes["haproxy"] = Node("haproxy", ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)],
                                     {**os.environ, **balancer}, self.log)  # fmt: skip
        for node in self.nodes.values():
            node.start()
        self.wait_until(
            lambda: all(self.web_answers(name) for name in WEB_NODES), 120, "the web nodes answer"
        )
        self.wait_until(lambda: set(self.workers()) >= set(WORKERS), 180, "every worker node is announced")
        self.wait_until(lambda: self.get("/ping").status_code == 200, 30, "the balancer answers")

    def stop(self) -> None:
        for node in reversed(self.nodes.values()):
            node.stop(grace=10)
        for link in self.links.values():
            link.close()
        if self.runs:
            self.runs.stop()
        with contextlib.suppress(redis.RedisError):
            self.redis.flushdb()  # the rehearsal's own database (OWNER_KEY)
        with contextlib.suppress(Exception):
            self._sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')

    # --- The commands, as docker-compose.yml writes them -----------------------------------------------

    def web_command(self, name: str) -> list[str]:
        command = list(COMPOSE["web"]["command"])
        command[command.index("--host") + 1] = "127.0.0.1"
        command[command.index("--port") + 1] = str(self.web_ports[name])
        # Behind the balancer: its X-Forwarded-For is believed by Django (TRUSTED_PROXIES=1), as the README says.
        return command

    @staticmethod
    def worker_command(name: str) -> list[str]:
        command = list(COMPOSE["worker-cpu"]["command"])
        command[command.index("-n") + 1] = f"{name}@%h"
        command[command.index("-c") + 1] = "1"  # three nodes of one process each: CI has two cores
        return command

    def beat_command(self) -> list[str]:
        command = list(COMPOSE["beat"]["command"])
        command[command.index("-s") + 1] = str(self.folder / "celerybeat-schedule")
        return command

    # --- Faults -------------------------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        """The whole node dies at once (SIGKILL to its process group): a lost machine."""
        self.nodes[name].signal(signal.SIGKILL)
        self.nodes[name].process.wait()

    def kill_pool_child(self, name: str) -> None:
        """Only the node's pool process dies (out of memory, a crash in native code); its parent lives on."""
        for pid in self.nodes[name].children():
            self.log.write(name, f"[rehearsal] SIGKILL to pool child {pid}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def pause(self, name: str) -> None:
        """The node stops dead but keeps its connections (a long GC pause, a VM migrated, SIGSTOP)."""
        self.nodes[name].signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.nodes[name].signal(signal.SIGCONT)

    def cut_redis(self, name: str) -> None:
        self.log.write(name, "[rehearsal] its link to Redis cut")
        self.links[name].cut()

    def mend_redis(self, name: str) -> None:
        self.log.write(name, "[rehearsal] its link to Redis mended")
        self.links[name].mend()

    def restart(self, name: str, **env: str) -> None:
        """Stops the node (SIGTERM) and starts it again, with `env` over the cluster's environment (another
        release's files, say); with none, as it first started."""
        node = self.nodes[name]
        node.stop()
        node.env = {**(self.env if name in WEB_NODES or name == "beat" else node.env), **env}
        node.start()

    def restart_web_nodes_one_by_one(self) -> None:
        """A rolling deploy: each web node stopped (SIGTERM), started again and taken back by the balancer
        before the next one goes."""
        for name in WEB_NODES:
            self.restart(name)
            self.wait_until(lambda name=name: self.web_answers(name), 120, f"{name} answers again")
            time.sleep(2.5)  # the balancer's check (every second, up after one success) has seen it

    # --- Looking -----------------------------------------------------------------------------------------

    def get(self, path: str, node: str | None = None, **kwargs) -> httpx.Response:
        base = f"http://127.0.0.1:{self.web_ports[node]}" if node else self.url
        return httpx.get(base + path, timeout=kwargs.pop("timeout", 10), **kwargs)

    def web_answers(self, name: str) -> bool:
        return self.nodes[name].alive and answers(self.web_ports[name]) and _ok(self, "/ping", name)

    def workers(self) -> list[str]:
        """The worker nodes announced in Redis (core.workers) by the process each runs now, by their -n name: a
        killed node's announcement outlives it by up to WORKER_TTL seconds, and is not its restart's."""
        found = []
        for key in self.redis.scan_iter("workers:*"):
            state = json.loads(self.redis.get(key) or "null")
            node = self.nodes.get(key.split(":", 1)[1].split("@")[0])
            if (
                isinstance(state, dict)
                and node is not None
                and node.alive
                and state.get("pid") == node.process.pid
            ):
                found.append(node.name)
        return sorted(found)

    def token(self, username: str) -> str:
        answer = httpx.post(
            f"{self.url}/api/token/", json={"username": username, "password": PASSWORD}, timeout=10
        )
        answer.raise_for_status()
        return answer.json()["token"]

    def wait_until(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError, redis.RedisError, OSError):
                if condition():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the cluster did not get there in {timeout:g} s: {what}")
            time.sleep(0.25)

    # --- Helpers --------------------------------------------------------------------------------------------

    def _through(self, link: RedisLink) -> str:
        parts = urlsplit(self.redis_url)
        netloc = parts.netloc.rsplit("@", 1)
        address = f"127.0.0.1:{link.port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{address}" if len(netloc) == 2 else address))

    def _sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(statement)

    def _prepare(self) -> None:
        """Migrations, the course (the tests' small one unless told), three learners and an author: one process (each start of Django
        with PyTorch costs seconds on a busy machine)."""
        script = (
            "import django; django.setup()\n"
            "from django.core.management import call_command\n"
            "from django.contrib.auth.models import User\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            f"call_command('import_course', {self.course!r}, verbosity=0)\n"
            f"for i in (1, 2, 3): User.objects.create_user(f'learner{{i}}', password={PASSWORD!r})\n"
            f"User.objects.create_superuser('author', password={PASSWORD!r})\n"
        )
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )
        for line in (done.stdout + done.stderr).splitlines():
            self.log.write("prepare", line)
        if done.returncode:
            raise RuntimeError(f"preparing the database failed:\n{done.stderr[-2000:]}")


def _ok(cluster: Cluster, path: str, node: str) -> bool:
    return cluster.get(path, node, timeout=2).status_code == 200


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def places(database_url: str | None, redis_url: str) -> tuple[str, str]:
    """Where a rehearsal runs: the PostgreSQL server of DATABASE_URL (or of CLUSTER_DATABASE_URL, or the
    machine's own at 5432), and the Redis database after REDIS_URL's (or CLUSTER_REDIS_URL)."""
    server = os.environ.get("CLUSTER_DATABASE_URL")
    if not server:
        server = database_url if database_url and database_url.startswith("postgres") else None
        server = server or "postgres://postgres@127.0.0.1:5432/postgres"
        server = urlunsplit(urlsplit(server)._replace(path="/postgres"))
    redis_target = os.environ.get("CLUSTER_REDIS_URL")
    if not redis_target:
        parts = urlsplit(redis_url)
        number = int(parts.path.strip("/") or 0)
        redis_target = urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))
    return server, redis_target
