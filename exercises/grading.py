"""Checking a learner's source: refuse what cannot be code, run it in the sandbox, judge what comes back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from core.errors import UserError

from . import sandbox
from .checks import Verdict, encode, judge
from .content import Exercise

MAX_SOURCE_CHARS = 20_000  # a solution here is 5-20 lines; a megabyte is not an answer
HARNESS = (Path(__file__).parent / "harness.py").read_text(encoding="utf-8")


def refuse_unrunnable(source: str) -> None:
    """What is refused before it reaches a sandbox, with a message that says why (not an error of the code)."""
    if "\x00" in source:
        raise UserError(_("The code contains a NUL character: remove it and check again."), field="source")
    if len(source) > MAX_SOURCE_CHARS:
        raise UserError(
            _("The code is longer than %(limit)s characters: an answer here fits in far fewer."),
            field="source",
            params={"limit": f"{MAX_SOURCE_CHARS:,}"},
        )
    if any(0xD800 <= ord(c) <= 0xDFFF for c in source):
        raise UserError(_("The code contains a lone surrogate character: remove it."), field="source")


@dataclass
class Result:
    verdict: Verdict
    status: str  # the sandbox's: ok, timeout, cpu, output, killed
    wall_ms: float


def check(exercise: Exercise, source: str, limits: sandbox.Limits | None = None) -> Result:
    """Run the exercise's hidden cases on `source` in a sandbox and judge them (here, outside it)."""
    refuse_unrunnable(source)
    cases, references = exercise.checks
    request = {
        "source": source,
        "functions": exercise.functions,
        "cases": [
            {"function": c.function, "args": [encode(a) for a in c.args], "timed": c.within_s is not None}
            for c in cases
        ],
    }
    outcome = sandbox.run_python(HARNESS, stdin=json.dumps(request).encode(), limits=limits)
    if outcome.status != "ok":
        return Result(Verdict(False, [], error=stopped(outcome.status)), outcome.status, outcome.wall_ms)
    answer = _parse(outcome.stdout)
    if answer is None:
        return Result(Verdict(False, [], error=stopped("unreported")), "unreported", outcome.wall_ms)
    return Result(judge(cases, references, answer), "ok", outcome.wall_ms)


def _parse(stdout: bytes) -> dict | None:
    """The harness's one JSON line (the last line written), or None; capped and untrusted."""
    lines = stdout.strip().splitlines()
    if not lines:
        return None
    try:
        answer = json.loads(lines[-1])
    except (ValueError, RecursionError):
        return None
    return answer if isinstance(answer, dict) else None


def stopped(status: str) -> str:
    """Why the sandbox ended a check without a verdict, in the language active now (an attempt stores the status
    and is read in its reader's language)."""
    return {
        "unreported": _(
            "Your code ended the checks before they could report (it exited or broke their output)."
        ),
        "timeout": _("Your code was stopped: it ran longer than the time allowed (it may never return)."),
        "cpu": _("Your code was stopped: it used more CPU time than allowed (an endless loop?)."),
        "output": _("Your code was stopped: it printed more than the output allowed."),
        "killed": _(
            "Your code was stopped by the sandbox (it used more memory than allowed, or a forbidden call)."
        ),
    }.get(status, _("Your code was stopped by the sandbox."))
