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
      {of: rise, series: val_loss}                 how far its last value ended above its smallest (≥ 0):
                                                   one run shows a curve that fell and rose again
      {of: steps_to, series: loss, below: 1.0e-4}  the first step at which the series is at or below a value
    tolerance: {absolute: 0.5} or {relative: 0.05}  (value and comparison; both may be given: the larger wins)
    judge:    how the learner's prediction is judged against the same measured value (the run's value, the
              comparison of two runs, or a challenge run's quantity), so the feedback says whether what they
              predicted happened:
              for a choice prediction, one condition per choice, in the choices' order:
                {min: x}, {max: y}, {min: x, max: y} (bounds included), or {missing: true} (the run does not
                show the quantity, e.g. it did not diverge); a choice no run can show is {never: true}
              for a number prediction: {absolute: x} and/or {relative: x}, how close counts as right
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

QUANTITIES = ("diverged_at_step", "metric", "final", "min", "rise", "steps_to")
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
    if quantity["of"] in ("final", "min", "rise", "steps_to") and not isinstance(quantity.get("series"), str):
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


def validate_judge(judge: Any, kind: str, choices: int) -> None:
    """Raises CheckError naming what is wrong with a check's `judge` for a prediction of `kind`."""
    if kind == "choice":
        if not isinstance(judge, list) or len(judge) != choices:
            raise CheckError(f"check 'judge' must list one condition per choice ({choices})")
        for condition in judge:
            if not isinstance(condition, dict) or not condition:
                raise CheckError(
                    "each 'judge' condition must be {min/max: x}, {missing: true} or {never: true}"
                )
            if set(condition) in ({"missing"}, {"never"}):
                if next(iter(condition.values())) is not True:
                    raise CheckError("'missing' and 'never' conditions take the value true")
            elif not set(condition) <= {"min", "max"} or not all(map(_number, condition.values())):
                raise CheckError(
                    "each 'judge' condition must be {min/max: x}, {missing: true} or {never: true}"
                )
        return
    if not isinstance(judge, dict) or not judge or not set(judge) <= {"absolute", "relative"}:
        raise CheckError("a number prediction's 'judge' must be {absolute: x} and/or {relative: x}")
    if not all(_number(v) and v >= 0 for v in judge.values()):
        raise CheckError("the judge's tolerances must be numbers ≥ 0")


def measured(check: dict[str, Any], values: list[float | None]) -> float | None:
    """The one value a check measures: the run's quantity, or the comparison of the two runs'."""
    if any(v is None for v in values):
        return None
    if check["kind"] != "comparison":
        return values[0]
    if check["combine"] == "difference":
        return values[1] - values[0]
    return values[1] / values[0] if values[0] else None


def holds(condition: dict[str, Any], value: float | None) -> bool:
    """Whether a choice's condition describes the measured value."""
    if "never" in condition:
        return False
    if "missing" in condition:
        return value is None
    return value is not None and condition.get("min", -math.inf) <= value <= condition.get("max", math.inf)


def judged(check: dict[str, Any], prediction: Any, value: float | None) -> bool | None:
    """Whether the prediction (a choice's index or a number) happened, by the check's `judge`; None when the
    check has no judge or the runs do not show a value to compare a number with."""
    judge = check.get("judge")
    if judge is None:
        return None
    if isinstance(judge, list):
        return holds(judge[prediction], value)
    if value is None:
        return None
    allowed = max(judge.get("absolute", 0), judge.get("relative", 0) * abs(value))
    return abs(prediction - value) <= allowed + 1e-12


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
    if of == "rise":
        return float(series[-1][1] - min(v for _, v in series))
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
    expected = measured(check, values)
    if expected is None:
        return Outcome(False, values, None, None)
    tolerance = check["tolerance"]
    allowed = max(tolerance.get("absolute", 0), tolerance.get("relative", 0) * abs(expected))
    passed = answer is not None and abs(answer - expected) <= allowed + 1e-12
    return Outcome(passed, values, expected, allowed)
