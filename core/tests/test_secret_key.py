"""Every node signs with one SECRET_KEY: a node started with another one is named at start and in /healthz,
instead of silently signing out every learner it serves."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import redis_clients
from core.keys import MARK, key_problem

ROOT = Path(__file__).resolve().parents[2]
OTHER_KEY = "another-key-for-another-node-" + "x7Yq2" * 10


@pytest.fixture
def fresh_mark():
    redis_clients.client().delete(MARK)
    yield
    redis_clients.client().delete(MARK)


@pytest.mark.django_db
class SecretKeyTests:
    def test_it_accepts_nodes_with_the_same_key(self, fresh_mark):
        assert key_problem() is None  # the first node leaves its mark
        assert key_problem() is None

    def test_it_names_a_node_with_a_different_key_in_healthz(self, client, settings, fresh_mark):
        assert key_problem() is None
        settings.SECRET_KEY = OTHER_KEY
        answer = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")  # the operator's language
        assert answer.status_code == 503 and answer.json()["failing"] == ["secret_key"]
        assert "SECRET_KEY differs" in answer.json()["secret_key"]["error"]

    def test_it_follows_a_rotation_and_then_names_a_node_left_with_the_old_key(self, settings, fresh_mark):
        old = settings.SECRET_KEY
        assert key_problem() is None
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OTHER_KEY, [old]
        assert key_problem() is None  # the new key, the old one as a fallback: fine
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
        assert "SECRET_KEY differs" in key_problem()

    def test_a_web_node_with_a_different_key_stops_at_start_saying_why(self, settings, fresh_mark):
        assert key_problem() is None
        env = {**os.environ, "VERIFY_SERVICES": "1", "SECRET_KEY": OTHER_KEY, "REDIS_URL": settings.REDIS_URL}
        started = subprocess.run([sys.executable, "-c", "import config.asgi"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)  # fmt: skip
        assert started.returncode == 1
        assert started.stderr.strip().startswith("Configuration error: SECRET_KEY differs"), started.stderr
