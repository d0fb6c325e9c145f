"""Production defaults: nothing trusted or shown that a setting did not ask for."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from .test_configuration import start

ROOT = Path(__file__).resolve().parents[2]
STRONG = secrets.token_urlsafe(50)


def production(program: str, **env: str) -> str:
    """Runs `program` after django.setup() under DEBUG=0 settings; its output."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "HTTPS")}
    environment = {**inherited, "DEBUG": "0", "SECRET_KEY": STRONG, "ALLOWED_HOSTS": "example.com",
                   "VERIFY_SERVICES": "0", "DJANGO_SETTINGS_MODULE": "config.settings", **env}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + program], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class ProductionDefaultsTests:
    def test_a_weak_secret_key_is_refused_when_debug_is_off(self):
        for weak in ("secret", "x" * 60, "django-insecure-" + "a1b2c3d4e5" * 5):
            result = start(DEBUG="0", SECRET_KEY=weak)
            assert result.returncode == 1 and "SECRET_KEY is too weak" in result.stderr, weak
        assert start(DEBUG="0", SECRET_KEY=STRONG, VERIFY_SERVICES="0").returncode == 0

    def test_the_forwarded_protocol_is_believed_only_behind_a_declared_proxy(self):
        program = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
        assert production(program) == "None"
        assert production(program, TRUSTED_PROXIES="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
        program = ("from django.test import Client\n"
                   "print(Client().get('/', HTTP_HOST='example.com', HTTP_X_FORWARDED_PROTO='https').status_code)")  # fmt: skip
        assert production(program) == "301"  # a forged header does not make plain HTTP look secure

    def test_healthz_answers_over_plain_http_while_pages_redirect(self):
        program = ("from django.test import Client\nc = Client()\n"
                   "print(c.get('/healthz', HTTP_HOST='example.com').status_code, "
                   "c.get('/ping', HTTP_HOST='example.com').status_code, c.get('/', HTTP_HOST='example.com').status_code)")  # fmt: skip
        healthz, ping, page = production(program).split()
        assert healthz in ("200", "503") and ping == "200" and page == "301"

    def test_make_run_refuses_debug_on_a_network_address_unless_told_twice(self, monkeypatch):
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEBUG_ON_NETWORK")}

        def run(**more: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "config.launch", "run"], cwd=ROOT, capture_output=True,
                                  text=True, timeout=60, env={**env, "HOST": "192.0.2.10", **more})  # fmt: skip

        result = run(DEBUG="1")
        assert result.returncode == 1 and "DEBUG_ON_NETWORK=1" in result.stderr
        # Without DEBUG it serves as production: it goes on, to find that 192.0.2.10 is not this machine's.
        result = run()
        assert result.returncode == 1 and "not an address of this machine" in result.stderr
        from config.launch import refuse_public_debug

        monkeypatch.setenv("DEBUG", "1")
        for host in ("127.0.0.1", "localhost", "::1", "[::1]"):
            refuse_public_debug(host)  # on this machine: fine
        monkeypatch.setenv("DEBUG_ON_NETWORK", "1")
        refuse_public_debug("192.0.2.10")  # told twice
