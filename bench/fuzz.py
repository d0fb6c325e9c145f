"""`make fuzz`: schemathesis against the platform's own OpenAPI schema, on a fresh database with the shipped
course: every operation, generated inputs (valid and not), the checks set in bench/schemathesis.toml (no 5xx,
responses as documented, invalid input refused, no access without credentials).

Like `make bench` it starts what it needs; it is too slow for every CI run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from . import run as harness

ROOT = harness.ROOT


def main() -> int:
    harness.VAR = ROOT / "var" / "fuzz"
    env = harness.environment()
    env["VAR_DIR"] = os.environ["VAR_DIR"] = str(harness.VAR)
    harness.say("preparing a fresh database with the shipped course…")
    harness.prepare()
    _user, _cookie, token = harness.learner()
    port = harness.free_port()
    server = harness.uvicorn(port, env)
    try:
        harness.wait_for(f"http://127.0.0.1:{port}/ping")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(ROOT / "bench" / "schemathesis.toml"),
             "run", f"http://127.0.0.1:{port}/api/schema/", "--url", f"http://127.0.0.1:{port}",
             "--max-examples", os.environ.get("FUZZ_EXAMPLES", "50"), "--exclude-path-regex", "/events$",
             "--report", "junit", "--report-dir", str(harness.VAR)],
            cwd=ROOT, env={**env, "FUZZ_TOKEN": token},
        )  # fmt: skip
        harness.say(
            f"schemathesis finished in {time.monotonic() - started:.0f} s with exit code {result.returncode}"
        )
        return result.returncode
    finally:
        harness.stop(server)


if __name__ == "__main__":
    sys.exit(main())
