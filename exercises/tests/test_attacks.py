"""The attack suite, each attack through the real path (a check of the linear-regression exercise in a sandbox).

Every test asserts two things: the attack got nothing and ended with a message the learner can read, and the
worker is unharmed — its secret and database files unchanged, a process of its own still alive, nothing
written where the attack aimed, and a correct answer still passing in a fresh sandbox right after.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from exercises import sandbox
from exercises.attacks import ATTACKS, SOLUTION, Attack, run_attack
from exercises.content import exercises
from exercises.grading import check

# Small limits keep the loops and sleeps short; the production limits differ only in size.
LIMITS = sandbox.Limits(cpu_s=2, wall_s=4)

pytestmark = pytest.mark.skipif(
    not sandbox.available() and os.environ.get("REQUIRE_SANDBOX") != "1",
    reason=f"no sandbox here: {sandbox.probe()}",
)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory):
    """What the attacks aim at: a secret file, a settings file, a database file, a process of the worker's,
    a canary in the worker's environment, and a path outside the sandbox that must stay unwritten."""
    folder = tmp_path_factory.mktemp("worker")
    secret = folder / "secret_key"
    secret.write_text("s3cr3t-" + os.urandom(8).hex())
    secret.chmod(0o600)
    database = folder / "db.sqlite3"
    database.write_bytes(b"SQLite format 3\x00" + os.urandom(64))
    canary = "canary-" + os.urandom(8).hex()
    os.environ["SANDBOX_TEST_CANARY"] = canary
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    values = {
        "secret_file": str(secret),
        "settings_file": str(Path(settings.BASE_DIR, "config", "settings.py")),
        "database_file": str(database),
        "worker_pid": str(os.getpid()),
        "host_file": str(folder / "owned"),
        "canary": canary,
    }
    yield values | {"sleeper": sleeper}
    sleeper.kill()
    sleeper.wait()
    os.environ.pop("SANDBOX_TEST_CANARY", None)


def canaries(worker: dict) -> list[str]:
    return [
        Path(worker["secret_file"]).read_text(),
        worker["canary"],
        settings.SECRET_KEY,
        "SQLite format 3",
        "SECRET_KEY =",  # a line of the settings file
    ]


def assert_unharmed(worker: dict) -> None:
    assert worker["sleeper"].poll() is None, "a process of the worker was killed"
    assert not Path(worker["host_file"]).exists(), "the attack wrote outside its sandbox"
    assert Path(worker["database_file"]).read_bytes().startswith(b"SQLite format 3")
    exercise = exercises()["linear-gradient-step"]
    assert check(exercise, "import numpy as np\n" + SOLUTION).verdict.passed, "the sandbox no longer works"


class AttackTests:
    @pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
    def test_it_contains(self, attack: Attack, worker: dict) -> None:
        result = run_attack(attack, {k: v for k, v in worker.items() if isinstance(v, str)}, limits=LIMITS)
        assert attack.contained(result, canaries(worker)), (result.status, result.verdict)
        assert result.verdict.error or result.verdict.printed or result.verdict.failed, (
            "no message for the learner"
        )
        assert result.wall_ms < LIMITS.wall_s * 1000 + 2000
        assert_unharmed(worker)


class SandboxTests:
    def test_it_runs_a_correct_answer_quickly(self) -> None:
        result = check(exercises()["linear-gradient-step"], "import numpy as np\n" + SOLUTION)
        assert result.verdict.passed
        assert result.wall_ms < 3000

    def test_it_names_the_failed_property_in_words_without_expected_values(self) -> None:
        exercise = exercises()["stable-softmax-cross-entropy"]
        result = check(exercise, exercise.starter)
        assert result.verdict.failed == ["large_logits", "negative_logits"]
        assert exercise.property_words("large_logits", "en") == "Large logits give NaN or inf"
        assert "Case(" not in result.verdict.error + result.verdict.printed
