"""The sandbox's figures (the step "sandbox" of bench/run.py).

`sandbox_check_ms`: a learner's submission of the trivial exercise's solution, from the POST to the graded
result read by polling its attempt (through the web server, Redis, the `sandbox` worker and bubblewrap), minus
the same hidden tests run as plain Python (the same harness, `python -c`, no sandbox, judged the same way).

`sandbox_attacks_contained`: the attack suite (exercises/attacks.py), each attack through the real check path
with the tests' limits; contained when the attack's own condition holds and the bench's process, a process of
its own and a file beside it are unharmed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SLUG = "linear-gradient-step"


def _call(url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def submit_to_graded_s(base: str, token: str, source: str) -> float:
    started = time.perf_counter()
    attempt = _call(f"{base}/api/exercises/{SLUG}/attempts/", token, {"source": source})
    while not attempt["done"]:
        time.sleep(0.005)
        attempt = _call(f"{base}/api/exercises/attempts/{attempt['id']}/", token)
    elapsed = time.perf_counter() - started
    assert attempt["passed"], attempt
    return elapsed


def plain_python_s(source: str) -> float:
    """The same hidden tests, the same harness and judge, as plain Python with no sandbox."""
    from exercises.checks import encode, judge
    from exercises.content import exercises
    from exercises.grading import HARNESS, _parse

    exercise = exercises()[SLUG]
    cases, references = exercise.checks
    request = {"source": source, "functions": exercise.functions,
               "cases": [{"function": c.function, "args": [encode(a) for a in c.args]} for c in cases]}  # fmt: skip
    site = str(Path(__import__("numpy").__file__).resolve().parent.parent)
    code = HARNESS.replace('sys.path.insert(0, "/sandbox/site")', f"sys.path.insert(0, {site!r})")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], input=json.dumps(request).encode(),
                         capture_output=True, check=True, env={})  # fmt: skip
    verdict = judge(cases, references, _parse(out.stdout) or {})
    elapsed = time.perf_counter() - started
    assert verdict.passed, verdict
    return elapsed


def check_ms(base: str, token: str, runs: int = 15) -> dict:
    from exercises.content import exercises

    source = exercises()[SLUG].solution
    submit_to_graded_s(base, token, source)  # the worker's first check imports what it needs
    sandboxed = [submit_to_graded_s(base, token, source) for _ in range(runs)]
    plain = [plain_python_s(source) for _ in range(runs)]
    return {
        "submit_to_graded_ms": [round(s * 1000, 1) for s in sandboxed],
        "plain_python_ms": [round(s * 1000, 1) for s in plain],
        "difference_ms": round(1000 * (statistics.median(sandboxed) - statistics.median(plain)), 1),
    }


def attacks_contained() -> dict:
    from django.conf import settings

    from exercises import sandbox
    from exercises.attacks import ATTACKS, SOLUTION, run_attack
    from exercises.content import exercises
    from exercises.grading import check

    folder = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
    secret = folder / "secret_key"
    secret.write_text("s3cr3t-" + os.urandom(8).hex())
    database = folder / "db.sqlite3"
    database.write_bytes(b"SQLite format 3\x00" + os.urandom(64))
    canary = "canary-" + os.urandom(8).hex()
    os.environ["SANDBOX_TEST_CANARY"] = canary
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    values = {"secret_file": str(secret), "settings_file": str(Path(settings.BASE_DIR, "config", "settings.py")),
              "database_file": str(database), "worker_pid": str(os.getpid()), "host_file": str(folder / "owned"),
              "canary": canary}  # fmt: skip
    canaries = [secret.read_text(), canary, settings.SECRET_KEY, "SQLite format 3", "SECRET_KEY ="]
    limits = sandbox.Limits(cpu_s=2, wall_s=4)
    outcomes = {}
    try:
        for attack in ATTACKS:
            result = run_attack(attack, values, limits=limits)
            unharmed = (
                sleeper.poll() is None
                and not (folder / "owned").exists()
                and database.read_bytes().startswith(b"SQLite format 3")
                and check(exercises()[SLUG], "import numpy as np\n" + SOLUTION).verdict.passed
            )
            outcomes[attack.name] = bool(attack.contained(result, canaries) and unharmed)
    finally:
        sleeper.kill()
        sleeper.wait()
    return {"tried": len(outcomes), "contained": sum(outcomes.values()), "each": outcomes}
