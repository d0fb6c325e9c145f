"""`make run` serves as production does, over plain HTTP: DEBUG off, hashed static files cached for good, and a
secret key made once and kept in var/, so that a restart signs nobody out (the real launcher, twice)."""

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
# What `make test` sets for the suite, as `make run` would; a teacher's `make run` starts with none of it.
SET_BY_THE_TEST_RUN = ("DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DEBUG_ON_NETWORK")


class MakeRun:
    """`python -m config.launch run` with a var/ folder of its own (its own database, Redis and static files)
    and nothing else set, as a teacher types `make run`."""

    def __init__(self, folder: Path) -> None:
        unset = (*SET_BY_THE_TEST_RUN, "REDIS_URL", "DATABASE_URL")
        self.env = {key: value for key, value in os.environ.items() if key not in unset}
        self.env.update(VAR_DIR=str(folder), PORT=str(free_port()), CREATE_ADMIN="no", WORKER_CONCURRENCY="1",
                        TORCH_THREADS="1", PYTHONUNBUFFERED="1")  # fmt: skip
        self.base = f"http://127.0.0.1:{self.env['PORT']}"
        self.log = folder / "launch.log"
        self.process = subprocess.Popen([sys.executable, "-m", "config.launch", "run"], cwd=ROOT, env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=self.log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        deadline = (
            time.monotonic() + 600
        )  # migrations, the whole course, collectstatic: minutes on a busy machine
        while not self.answers():
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.5)

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/ping", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def learner(self) -> None:
        """ada, made in the launcher's database."""
        script = "from django.contrib.auth.models import User; User.objects.create_user('ada', password='x passphrase 1')"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=self.env, check=True
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def log_in(browser: httpx.Client) -> None:
    form = browser.get("/accounts/login/")
    assert form.status_code == 200
    assert "secure" not in form.headers["set-cookie"].lower(), "a Secure cookie never comes back over HTTP"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    done = browser.post("/accounts/login/", data={"username": "ada", "password": "x passphrase 1",
                                                  "csrfmiddlewaretoken": token})  # fmt: skip
    assert done.status_code == 302, done.text[:500]
    assert "sessionid=" in done.headers["set-cookie"] and "secure" not in done.headers["set-cookie"].lower()


class MakeRunTests:
    def test_it_serves_as_production_over_plain_http_and_a_restart_signs_nobody_out(self, tmp_path):
        launcher = MakeRun(tmp_path)
        try:
            key = tmp_path / "secret_key"
            assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and len(key.read_text().strip()) >= 50
            launcher.learner()
            browser = httpx.Client(base_url=launcher.base, headers={"Accept-Language": "en"}, timeout=30)
            log_in(browser)
            assert browser.get("/api/me/").json()["user"]["username"] == "ada"

            missing = browser.get("/no-such-page/")
            assert missing.status_code == 404 and "URLconf" not in missing.text  # no DEBUG page
            css = re.search(r'href="(/static/css/base\.[0-9a-f]{12}\.css)"', browser.get("/").text)[1]
            cached = browser.get(css, headers={"Accept-Encoding": "gzip"})
            assert cached.headers["content-encoding"] == "gzip"
            assert "immutable" in cached.headers["cache-control"]
        finally:
            assert launcher.stop() == 0
        assert "as in production" in launcher.log.read_text()

        made = key.read_text()
        launcher = MakeRun(tmp_path)  # the same var/ folder, as the next `make run` finds it
        try:
            assert key.read_text() == made
            browser.base_url = launcher.base  # another port, the same host: the browser sends its cookies
            assert browser.get("/api/me/").json()["user"]["username"] == "ada"
        finally:
            launcher.stop()
