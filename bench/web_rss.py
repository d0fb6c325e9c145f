"""A web process's memory after it has served every page once (issue 23's `web_process_rss_mib`).

    .venv/bin/python -m bench.web_rss [TREE]

Starts, for the source tree TREE (this one by default; another checkout measures the code before a change
with the same script): a private Redis, a fresh SQLite database in a temporary folder with the shipped
course, and one uvicorn process as production starts it (DEBUG off). Then reads every page a visitor can
reach by following links from the home page, in both languages, signed out and signed in as a student, and
prints one line of JSON: pages read, the process's resident memory (VmRSS) in MiB, and whether PyTorch's
library is mapped into it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.run import free_port, rss_kb, stop, wait_for
from config.launch import redis_server_binary

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = re.compile(r"^/(static|media|admin|api|accounts/logout)|\.(csv|pt|json|txt|xml)$|/weights")
LINK = re.compile(r'href="(/[^"#?]*)')
MOST_PAGES = 600

SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
user = get_user_model().objects.create_user("rss", password="rss passphrase 1")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def crawl(url: str, headers: dict[str, str]) -> int:
    """Reads every page reachable from the home page once; returns how many answered 200."""
    seen, queue, served = {"/"}, ["/"], 0
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        try:
            with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=30) as r:
                body = r.read().decode("utf-8", "replace") if "html" in r.headers["Content-Type"] else ""
                served += 1
        except urllib.error.HTTPError:
            continue
        for link in LINK.findall(body):
            if link not in seen and not SKIPPED.search(link):
                seen.add(link)
                queue.append(link)
    return served


def main() -> None:
    tree = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    python = str(ROOT / ".venv" / "bin" / "python")
    folder = Path(tempfile.mkdtemp(prefix="web-rss-"))
    redis_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "VAR_DIR": str(folder),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    redis = subprocess.Popen(
        [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    server = None
    try:
        time.sleep(0.5)
        for command in (
            ["migrate", "--no-input", "-v0"],
            ["collectstatic", "--no-input", "-v0"],
            ["import_course", "courses/ai-large-models", "-v0"],
        ):
            subprocess.run([python, "manage.py", *command], cwd=tree, env=env, check=True)
        cookie = subprocess.run(
            [python, "manage.py", "shell", "-c", SESSION], cwd=tree, env=env, check=True, capture_output=True,
            text=True,
        ).stdout.split()[-1]  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [python, "-m", "uvicorn", "config.asgi:application", "--port", str(port), "--no-access-log",
             "--log-level", "warning"],
            cwd=tree, env=env,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/ping", timeout=300)  # a loaded machine starts a process that imports torch slowly
        started_kb = rss_kb(server.pid)
        pages = 0
        for language in ("zh-hans", "en"):
            for signed_in in (False, True):
                headers = {"Accept-Language": language, "Cookie": f"django_language={language}"}
                if signed_in:
                    headers["Cookie"] += f"; sessionid={cookie}"
                pages += crawl(url, headers)
        maps = Path(f"/proc/{server.pid}/maps").read_text()
        print(
            json.dumps(
                {
                    "tree": str(tree),
                    "pages": pages,
                    "rss_at_start_mib": round(started_kb / 1024, 1),
                    "web_process_rss_mib": round(rss_kb(server.pid) / 1024, 1),
                    "torch_loaded": "libtorch" in maps,
                }
            )
        )
    finally:
        stop(*(p for p in (server, redis) if p is not None))


if __name__ == "__main__":
    main()
