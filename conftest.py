"""Shared test fixtures: people with stated roles, a small course, the real Redis, a real ASGI server, a real
Celery worker process, and a headless Chromium.

The suite runs against whatever DATABASE_URL and REDIS_URL say: PostgreSQL and Redis in CI, SQLite and a
private Redis (started by `python -m config.launch test`) on a laptop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parent
FIXTURE_COURSE = ROOT / "lessons" / "tests" / "course"


@pytest.fixture(scope="session", autouse=True)
def clean_redis() -> None:
    """The tests' Redis database starts empty (REDIS_URL names a database that only the tests use)."""
    from core import redis_clients

    redis_clients.client().flushdb()


@pytest.fixture(autouse=True)
def _translations_off_outside_requests() -> Iterator[None]:
    """Code a test calls directly speaks as a management command does (translations off: English). Without
    this it would speak whichever language an earlier test's request left active, since LocaleMiddleware
    activates one per request and never deactivates it; a request still speaks its own language."""
    from django.utils import translation

    with translation.override(None):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    yield
    from django.core.cache import caches

    for name in settings.CACHES:
        caches[name].clear()


@pytest.fixture
def database_down() -> Iterator[Callable[[], None]]:
    """Points the connection at a database that cannot be opened; yields a function that puts it back
    (the fixture's end does it too)."""
    from django.db import connection

    saved = copy.deepcopy(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/folder/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
        connection.settings_dict.get("OPTIONS", {}).pop(
            "pool", None
        )  # a pool would hand out live connections

    def back() -> None:
        connection.close()
        connection.settings_dict.update(copy.deepcopy(saved))

    yield back
    back()


# --- People ---------------------------------------------------------------------------------------------


@pytest.fixture
def student(django_user_model):
    """A student: the person the platform is for."""
    return django_user_model.objects.create_user("student", password="correct horse 1")


@pytest.fixture
def other_student(django_user_model):
    """Another student, whose things the first must never see."""
    return django_user_model.objects.create_user("other", password="correct horse 2")


@pytest.fixture
def staff(django_user_model):
    """A staff author, who writes content in the admin."""
    return django_user_model.objects.create_user(
        "author", password="correct horse 3", is_staff=True, is_superuser=True
    )


@pytest.fixture
def course(db):
    """The small fixture course in lessons/tests/course (two lessons, three concepts, a quiz, an FAQ)."""
    from lessons.content import import_course

    imported, _report = import_course(FIXTURE_COURSE)
    return imported


@pytest.fixture
def worker_at_rest():
    """A CPU worker announced at rest (pace 1.0) beside any real one. An estimate takes the least loaded
    worker's pace (core.workers.slowdown), so the figures a test pins do not move with the load of the
    machine that runs the tests."""
    import json

    from core import redis_clients
    from core.workers import KEY

    client = redis_clients.client()
    key = KEY.format("cpu@at-rest")
    client.set(key, json.dumps({"queues": ["cpu"], "pid": 0, "slowdown": 1.0}), ex=600)
    yield
    client.delete(key)


@pytest.fixture
def shipped_course(transactional_db):
    """The course that ships (courses/ai-large-models), imported into the test database a live server reads."""
    from lessons.content import import_course

    imported, _report = import_course(ROOT / "courses" / "ai-large-models")
    return imported


# --- Servers --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AsgiServer:
    """uvicorn serving the project's ASGI application in a thread of the test process, so it sees the test
    database (use with `transactional_db`, so what a test writes is committed and visible to it)."""

    def __init__(self) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            "config.asgi:application",
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,  # as `make run` and the image serve it (settings.TRUSTED_PROXIES)
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> AsgiServer:
        os.environ["VERIFY_SERVICES"] = "0"
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    server = AsgiServer().start()
    yield server
    server.stop()


# What `make test` sets for the suite, as `make run` would; a teacher's `make run` starts with none of it.
SET_BY_THE_TEST_RUN = ("DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DEBUG_ON_NETWORK")


class Launcher:
    """`make run` (python -m config.launch run) as a teacher types it: nothing set but a folder of its own
    (VAR_DIR: its own SQLite database, Redis, static files and secret key) and one worker process. Started, it
    has answered /healthz with a live worker."""

    def __init__(self, folder: Path) -> None:
        unset = (*SET_BY_THE_TEST_RUN, "REDIS_URL", "DATABASE_URL")
        self.env = {key: value for key, value in os.environ.items() if key not in unset}
        self.env.update(VAR_DIR=str(folder), PORT=str(free_port()), CREATE_ADMIN="no", WORKER_CONCURRENCY="1",
                        TORCH_THREADS="1", PYTHONUNBUFFERED="1")  # fmt: skip
        self.base = f"http://127.0.0.1:{self.env['PORT']}"
        self.log = folder / "launch.log"
        self.process = subprocess.Popen([sys.executable, "-m", "config.launch", "run"], cwd=ROOT, env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=self.log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        # Migrations, the whole course, collectstatic: minutes on a busy machine.
        deadline = time.monotonic() + 600
        while not self.healthy():
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.5)
        self.redis = redis.Redis.from_url(re.findall(r"Redis started at (\S+)", self.log.read_text())[-1])

    def healthy(self) -> bool:
        """/healthz answers 200 and names a live worker on the cpu queue."""
        assert self.process.poll() is None, self.log.read_text()[-3000:]
        try:
            answer = httpx.get(f"{self.base}/healthz", timeout=2)
            return answer.status_code == 200 and answer.json()["workers"]["cpu"]["count"] > 0
        except (httpx.HTTPError, ValueError):
            return False

    def learner(self) -> str:
        """ada, made in the launcher's database; her API token."""
        script = ("from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token; "
                  "print(Token.objects.create(user=User.objects.create_user('ada', password='x passphrase 1')).key)")  # fmt: skip
        output = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=self.env,
                                check=True, capture_output=True, text=True).stdout  # fmt: skip
        return output.split()[-1]

    def child(self, command: str) -> int:
        """The pid of the launcher's child whose command line contains `command`."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        for pid in children.split():
            try:
                if command in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "):
                    return int(pid)
            except OSError:
                continue
        raise AssertionError(f"no child running {command!r}")

    def restart_redis(self, how: signal.Signals) -> None:
        """Redis goes down (SIGTERM: a service restart; SIGKILL: a crash); the launcher brings it back."""
        pid = self.redis.info()["process_id"]
        os.kill(pid, how)
        deadline = time.monotonic() + 30
        while self._redis_pid() in (None, pid):
            assert time.monotonic() < deadline, "Redis did not come back within 30 s"
            time.sleep(0.1)

    def _redis_pid(self) -> int | None:
        try:
            return self.redis.info()["process_id"]
        except redis.exceptions.RedisError:
            return None

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def database_url_for_other_processes() -> str:
    """The test database, as a URL another process (the Celery worker) can open."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::(?P<kind>[-?])(?P<default>[^}]*))?\}")


def compose_environment(service: str, dot_env: dict[str, str]) -> dict[str, str]:
    """A docker-compose.yml service's environment as compose gives it, with `dot_env` as the operator's .env."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    def value(match: re.Match) -> str:
        if match["name"] in dot_env:
            return dot_env[match["name"]]
        if match["kind"] == "?":
            raise AssertionError(f"compose refuses to start without {match['name']}: {match['default']}")
        return match["default"] or ""

    return {
        name: COMPOSE_VARIABLE.sub(value, str(text))
        for name, text in services[service]["environment"].items()
    }


@contextlib.contextmanager
def compose_web(log: Path, dot_env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Compose's web service, started with its own command and environment (`dot_env` as its .env), on the test
    database and Redis and a free port; yields its base URL once /ping answers. Its output goes to `log`."""
    import yaml

    port = free_port()
    arguments = list(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"])
    arguments[arguments.index("--host") + 1] = "127.0.0.1"
    arguments[arguments.index("--port") + 1] = str(port)
    arguments[arguments.index("--workers") + 1] = str(workers)
    env = {**os.environ, **compose_environment("web", dot_env), "DATABASE_URL": database_url_for_other_processes(),
           "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1", "VERIFY_SERVICES": "1"}  # fmt: skip
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # the image's uvicorn is on PATH
    server = subprocess.Popen(arguments, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(
                    f"{url}/ping", timeout=5
                ).status_code:  # any answer (the Host may not be allowed)
                    break
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


class Worker:
    """A real Celery worker process consuming the `cpu`, `gpu`, `sandbox` and `code-runs` queues over the
    real Redis."""

    def __init__(self, concurrency: int = 1, redis_url: str | None = None) -> None:
        # A worker on a Redis of its own (a fault test) writes a log of its own too.
        port = f"-{redis_url.rsplit(':', 1)[-1].split('/')[0]}" if redis_url else ""
        self.log = Path(settings.VAR_DIR) / f"test-worker-{os.getpid()}{port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_other_processes(),
            "REDIS_URL": redis_url or settings.REDIS_URL,
            "WORKER_CONCURRENCY": str(concurrency),
            "TORCH_THREADS": "1",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "cpu,gpu,maintenance,sandbox,code-runs",
                "-c",
                str(concurrency),
                "-n",
                f"test-{os.getpid()}@%h",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.redis_url = redis_url
        self.wait_ready()

    def wait_ready(self, timeout: float = 180) -> None:  # a busy machine warms the labs up slowly
        import redis

        from core.workers import live_workers

        client = redis.Redis.from_url(self.redis_url, decode_responses=True) if self.redis_url else None
        deadline = time.monotonic() + timeout
        while not any(name.startswith(f"test-{os.getpid()}@") for name in live_workers(client)["cpu"]):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Beat:
    """The real Celery beat (one at a time: it takes the lock), on the tests' Redis: it sends the lost-job
    sweeper every JOB_SWEEP_EVERY_S to the `maintenance` queue, which the test worker consumes."""

    def __init__(self, folder: Path) -> None:
        self.log = folder / "beat.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_other_processes(),
            "REDIS_URL": settings.REDIS_URL,
        }
        self.process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                                         "-s", str(folder / "beat-schedule")], cwd=ROOT, env=env,
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip

    def stop(self) -> None:
        from core import redis_clients

        self.process.kill()
        self.process.wait()
        redis_clients.client().delete("beat:lock")  # the next test's beat need not wait for it to lapse


@pytest.fixture
def beat(tmp_path) -> Iterator[Beat]:
    started = Beat(tmp_path)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def _session_worker(django_db_setup, django_db_blocker) -> Iterator[Worker]:
    """One worker process for the whole run (it starts in seconds, not instantly); it reads the test
    database, which each test using it commits to and empties again."""
    with django_db_blocker.unblock():
        started = Worker()
    yield started
    started.stop()


@pytest.fixture
def worker(transactional_db, _session_worker) -> Worker:
    if _session_worker.process.poll() is not None:
        raise RuntimeError(f"the Celery worker died:\n{_session_worker.log.read_text()[-3000:]}")
    return _session_worker


# --- Browser --------------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package, driven by Playwright. Skipped where it is not installed,
    except in CI (REQUIRE_BROWSER=1), where its absence fails the run."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required here but {CHROMIUM} does not exist")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM would then refuse the
    # test's own (synchronous) database calls. The ASGI server under test runs in its own thread, unaffected.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, asgi_server):
    """A fresh browser tab (its own cookies) pointed at the test server; `page.base` is the server's URL."""
    context = browser.new_context(
        base_url=asgi_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    tab.base = asgi_server.url
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.js_errors = errors
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# `make screenshots` (UPDATE_SCREENSHOTS=1) refreshes the README's pictures; other runs keep theirs in var/.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else ROOT / "var" / "screenshots"
)


def log_in(page, username: str, password: str, admin: bool = False) -> None:
    """Logs in through the real form, the site's or the admin's, in any language, and waits until it has."""
    from playwright.sync_api import expect

    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/login/"))
    if not admin:
        expect(page.locator("body")).to_have_attribute("data-user", "member")


def screenshot(tab, name: str, element=None) -> None:
    """Saves a screenshot (docs/screenshots/<name>.png for the README): the viewport, or one element."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if element is None:
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        return
    # The sticky site header would be drawn across an element taller than the window. (Through the DOM: the
    # page's Content-Security-Policy refuses an injected <style>.)
    unstick = "on => { const bar = document.querySelector('.site-header'); bar.style.position = on ? '' : 'static'; }"
    tab.evaluate(unstick, False)
    element.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    tab.evaluate(unstick, True)


def call(app, path: str, **headers: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """One GET through an ASGI application, as uvicorn would make it."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": headers.pop("query", "").encode(),
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
        "headers": [(name.replace("_", "-").encode(), value.encode())
                    for name, value in {"host": "127.0.0.1", "accept_language": "en", **headers}.items()],
    }  # fmt: skip
    sent: list[dict] = []

    async def run() -> None:
        given = asyncio.Event()

        async def receive() -> dict:
            if given.is_set():
                await asyncio.Event().wait()  # the client stays until the response is complete
            given.set()
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)

    # In a thread of its own, as under uvicorn: this thread may hold another event loop (the browser tests').
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, run()).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def in_front_of_django(front_class):
    """`front_class` around the project's Django ASGI application, with `.reached`: the paths that got through
    to Django."""
    from config.asgi import django_application

    reached: list[str] = []

    async def django(scope, receive, send) -> None:
        reached.append(scope["path"])
        await django_application(scope, receive, send)

    front = front_class(django)
    front.reached = reached
    return front
