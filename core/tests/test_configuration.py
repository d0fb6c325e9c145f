"""Bad configuration stops start-up with one line naming the variable, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> subprocess.CompletedProcess:
    """Imports the ASGI application (what the web server does at start) in a fresh process."""
    environment = {**os.environ, "VERIFY_SERVICES": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", "import config.asgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


class ConfigurationTests:
    def test_debug_off_without_a_secret_key_stops_with_one_line(self):
        result = start(DEBUG="0", SECRET_KEY="")
        assert result.returncode == 1
        assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is off."

    @pytest.mark.parametrize(
        "url", ["postgres://nobody@127.0.0.1:1/none", "sqlite:////nonexistent/folder/db.sqlite3"]
    )
    def test_an_unreachable_database_stops_with_one_line(self, url):
        result = start(DATABASE_URL=url)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Configuration error: DATABASE_URL: cannot connect to")

    def test_an_unreachable_redis_stops_with_one_line(self):
        result = start(REDIS_URL="redis://127.0.0.1:1/0")
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1
        assert lines[0].startswith("Configuration error: REDIS_URL: cannot connect to redis://127.0.0.1:1/0")

    def test_a_password_in_a_url_is_never_printed(self):
        result = start(DATABASE_URL="postgres://user:s3cret@127.0.0.1:1/none")
        assert "s3cret" not in result.stderr and "***" in result.stderr

    def test_a_malformed_yes_no_value_is_named(self):
        result = start(DEBUG="maybe")
        assert result.returncode == 1 and "DEBUG='maybe'" in result.stderr.strip().splitlines()[-1]
