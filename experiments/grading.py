"""How an experiment's check reads a learner's runs and grades them. Every expected value comes from the
learner's own run; only a challenge's goal is a fixed bar (the run itself must clear it).

A check, as authored in the front matter:

    kind: value        answer a number read off one run; graded against that run's own value
    kind: comparison   answer a number that compares two runs: `combine` is difference (second − first)
                       or ratio (second ÷ first) of the quantity in each run
    kind: challenge    no answer: the run's quantity must be `at_least` or `at_most` a bar
    quantity: one of
      {of: diverged_at_step}                       the step at which the run diverged
      {of: metric, name: w}                        a final metric ("relu.accuracy" reads a nested one)
      {of: final, series: val_loss}                the last reported value of a series
      {of: min, series: val_loss}                  its smallest reported value
      {of: steps_to, series: loss, below: 1.0e-4}  the first step at which the series is at or below a value
    tolerance: {absolute: 0.5} or {relative: 0.05}  (value and comparison; both may be given: the larger wins)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

QUANTITIES = ("diverged_at_step", "metric", "final", "min", "steps_to")
KINDS = ("value", "comparison", "challenge")


class CheckError(ValueError):
    """A check that is not well formed (found when the course is imported)."""


def validate(check: dict[str, Any], runs: int) -> None:
    """Raises CheckError naming what is wrong with an authored check."""
    kind = check.get("kind")
    if kind not in KINDS:
        raise CheckError(f"check 'kind' must be one of {', '.join(KINDS)}")
    quantity = check.get("quantity")
    if not isinstance(quantity, dict) or quantity.get("of") not in QUANTITIES:
        raise CheckError(f"check 'quantity' must be a mapping with 'of' one of {', '.join(QUANTITIES)}")
    if quantity["of"] in ("final", "min", "steps_to") and not isinstance(quantity.get("series"), str):
        raise CheckError(f"quantity '{quantity['of']}' needs a 'series'")
    if quantity["of"] == "metric" and not isinstance(quantity.get("name"), str):
        raise CheckError("quantity 'metric' needs a 'name'")
    if quantity["of"] == "steps_to" and not _number(quantity.get("below")):
        raise CheckError("quantity 'steps_to' needs a number 'below'")
    wanted = 2 if kind == "comparison" else 1
    if runs != wanted:
        raise CheckError(f"a {kind} check needs {wanted} run(s) in 'runs', not {runs}")
    if kind == "comparison" and check.get("combine") not in ("difference", "ratio"):
        raise CheckError("a comparison check needs 'combine': difference or ratio")
    if kind == "challenge":
        bars = [k for k in ("at_least", "at_most") if k in check]
        if len(bars) != 1 or not _number(check[bars[0]]):
            raise CheckError("a challenge check needs one number 'at_least' or 'at_most'")
    else:
        tolerance = check.get("tolerance")
        if not isinstance(tolerance, dict) or not tolerance or not set(tolerance) <= {"absolute", "relative"}:
            raise CheckError("check 'tolerance' must be {absolute: x} and/or {relative: x}")
        if not all(_number(v) and v >= 0 for v in tolerance.values()):
            raise CheckError("tolerances must be numbers ≥ 0")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def quantity(spec: dict[str, Any], job: Any) -> float | None:
    """The quantity read off one finished job, or None when the run does not have it (it did not diverge,
    never reached the value, or has no such metric)."""
    of = spec["of"]
    if of == "diverged_at_step":
        return job.diverged_at
    if of == "metric":
        value: Any = job.metrics
        for part in spec["name"].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return float(value) if _number(value) else None
    series = [(p["step"], p[spec["series"]]) for p in job.history if _number(p.get(spec["series"]))]
    if not series:
        return None
    if of == "final":
        return float(series[-1][1])
    if of == "min":
        return float(min(v for _, v in series))
    return next((float(step) for step, v in series if v <= spec["below"]), None)  # steps_to


@dataclass
class Outcome:
    passed: bool
    values: list[float | None]  # the quantity in each run
    expected: float | None  # what the answer should be (value, comparison); None when it cannot be known
    allowed: float | None  # how far the answer may be from it
    bar: float | None = None  # a challenge's


def grade(check: dict[str, Any], jobs: list[Any], answer: float | None) -> Outcome:
    values = [quantity(check["quantity"], job) for job in jobs]
    kind = check["kind"]
    if kind == "challenge":
        value = values[0]
        bar = check.get("at_least", check.get("at_most"))
        passed = value is not None and (value >= bar if "at_least" in check else value <= bar)
        return Outcome(passed, values, None, None, bar)
    if any(v is None for v in values):
        return Outcome(False, values, None, None)
    if kind == "value":
        expected = values[0]
    elif check["combine"] == "difference":
        expected = values[1] - values[0]
    else:
        expected = values[1] / values[0] if values[0] else None
    if expected is None:
        return Outcome(False, values, None, None)
    tolerance = check["tolerance"]
    allowed = max(tolerance.get("absolute", 0), tolerance.get("relative", 0) * abs(expected))
    passed = answer is not None and abs(answer - expected) <= allowed + 1e-12
    return Outcome(passed, values, expected, allowed)
