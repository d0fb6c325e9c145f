"""PgBouncer's transaction pooling: prepared statements and server-side cursors off, from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = "from django.conf import settings as s; import json; d = s.DATABASES['default']; " \
       "print(json.dumps([d['OPTIONS'].get('prepare_threshold', 'unset'), d.get('DISABLE_SERVER_SIDE_CURSORS', False)]))"  # fmt: skip


def database_settings(**env: str) -> list:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
                   "DATABASE_URL": "postgres://platform@db.example:6432/platform", **env}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout)


class PgBouncerTests:
    def test_psycopg_prepares_as_usual_unless_told(self):
        assert database_settings() == ["unset", False]

    def test_none_turns_prepared_statements_and_server_side_cursors_off(self):
        assert database_settings(DATABASE_PREPARE_THRESHOLD="none") == [None, True]

    def test_a_number_is_psycopgs_threshold(self):
        assert database_settings(DATABASE_PREPARE_THRESHOLD="20") == [20, False]
