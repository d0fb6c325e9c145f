"""`make run` serves as production does, over plain HTTP: DEBUG off, hashed static files cached for good, and a
secret key made once and kept in var/, so that a restart signs nobody out (the real launcher, twice)."""

import os
import re
import shutil
import stat
import time

import httpx
import pytest

from conftest import Launcher

pytestmark = pytest.mark.worker


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
        launcher = Launcher(tmp_path)
        try:
            key = tmp_path / "secret_key"
            assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and len(key.read_text().strip()) >= 50
            launcher.learner()
            browser = httpx.Client(base_url=launcher.base, headers={"Accept-Language": "en"}, timeout=30)
            log_in(browser)
            assert browser.get("/api/me/").json()["user"]["username"] == "ada"

            # The model's writer runs beside the worker, on a queue of its own (config.launch.writer_worker_command).
            deadline = time.monotonic() + 90
            while "talk" not in browser.get("/healthz").json()["workers"] and time.monotonic() < deadline:
                time.sleep(0.5)
            assert browser.get("/healthz").json()["workers"]["talk"]["count"] == 1
            if shutil.which("bwrap"):  # the exercise checker and the code trainer, each on its own queue
                while (
                    "code-runs" not in browser.get("/healthz").json()["workers"]
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.5)
                workers = browser.get("/healthz").json()["workers"]
                assert workers["sandbox"]["count"] == 1 and workers["code-runs"]["count"] == 1

            missing = browser.get("/no-such-page/")
            assert missing.status_code == 404 and "URLconf" not in missing.text  # no DEBUG page
            css = re.search(r'href="(/static/css/base\.[0-9a-f]{12}\.css)"', browser.get("/").text)[1]
            cached = browser.get(css, headers={"Accept-Encoding": "gzip"})
            assert cached.headers["content-encoding"] == "gzip"
            assert "immutable" in cached.headers["cache-control"]
        finally:
            assert launcher.stop() == 0
        assert "as in production" in launcher.log.read_text()
        # The first start renders every stored text again (config.launch.render_again_after_an_upgrade).
        assert "rendered texts changed" in launcher.log.read_text()

        made = key.read_text()
        launcher = Launcher(tmp_path)  # the same var/ folder, as the next `make run` finds it
        try:
            assert key.read_text() == made
            browser.base_url = launcher.base  # another port, the same host: the browser sends its cookies
            assert browser.get("/api/me/").json()["user"]["username"] == "ada"
        finally:
            launcher.stop()
        assert "rendered texts changed" not in launcher.log.read_text()  # nothing in the renderer changed


def test_the_launcher_reads_no_settings_before_it_has_chosen_its_redis_and_key():
    """Settings are read once per process: read when `make run` is imported, they kept Redis at 6379 and a
    development key for the launcher itself (its migrations, its course import, its key check), whatever it
    then started and chose. On a machine with only Python, nothing answers at 6379."""
    import subprocess
    import sys

    from conftest import ROOT

    code = "import sys, config.launch; print('config.settings' in sys.modules)"
    env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
