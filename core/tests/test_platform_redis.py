"""Management commands typed beside `make run` reach make run's own Redis (its URL in var/redis.url while it
runs), and one that cannot reach Redis keeps what it saved and says what to set, instead of a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_redis_url(var_dir: Path, **env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings", **env)
    done = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.REDIS_URL)"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    return done.stdout.strip()


class PlatformRedisTests:
    def test_a_command_beside_make_run_reads_its_redis_url(self, tmp_path):
        (tmp_path / "redis.url").write_text(f"{os.getpid()} redis://127.0.0.1:47001/0\n")  # a live process
        assert settings_redis_url(tmp_path) == "redis://127.0.0.1:47001/0"

    def test_redis_url_set_by_hand_wins(self, tmp_path):
        (tmp_path / "redis.url").write_text(f"{os.getpid()} redis://127.0.0.1:47001/0\n")
        assert settings_redis_url(tmp_path, REDIS_URL="redis://10.0.0.5:6379/2") == "redis://10.0.0.5:6379/2"

    def test_a_make_run_that_has_gone_is_not_followed(self, tmp_path):
        gone = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        (tmp_path / "redis.url").write_text(f"{gone.stdout.strip()} redis://127.0.0.1:47001/0\n")
        assert settings_redis_url(tmp_path) == "redis://127.0.0.1:6379/0"

    def test_an_import_with_redis_unreachable_keeps_what_it_saved_and_says_what_to_set(
        self, transactional_db
    ):
        from conftest import database_url_for_other_processes
        from lessons.models import Course

        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_other_processes(),
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
        done = subprocess.run([sys.executable, "manage.py", "import_course", "lessons/tests/course"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=180)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        assert "Saved, but Redis at redis://127.0.0.1:1/0 did not answer" in done.stderr
        assert "set REDIS_URL" in done.stderr
        assert Course.objects.filter(slug="test-course").exists()
