"""Hidden tests: what an exercise's `checks.py` declares, and how a sandbox's answer is judged against it.

An exercise's checks.py (in the course folder, under version control, written by the course's authors) is
trusted code: it runs on the worker, never in the sandbox and never in the browser. It defines `cases()`,
a list of `Case`: a property (a key whose words, in each language, are in the exercise's front matter: "large
logits give NaN"), the function to call, its inputs, and `reference`, the author's implementation. Only the
inputs enter the sandbox; the expected values are computed here and compared here, so neither the tests'
source nor their expected values can reach the learner (nbgrader#917), and code that forges its answer has
only forged its own answer.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Case:
    property: str  # the key of the property this case checks; its words are in the exercise's front matter
    function: str
    args: tuple[Any, ...]
    rtol: float = 1e-5
    atol: float = 1e-7
    expect_finite: bool = field(
        default=False
    )  # a stability case: any NaN or inf fails it, whatever the reference
    # A speed case: the least CPU time of the harness's calls must be at most this many seconds; its values
    # are not compared (a large input's answer would pass the sandbox's output cap; other cases check them).
    within_s: float | None = None


def encode(arg: Any) -> Any:
    """An input as the sandbox reads it: arrays as {"array": nested lists, "dtype": ...}, numbers as they are."""
    import numpy as np  # here, not at the top: a web process reads the exercises (Case) and has no NumPy to spare

    if isinstance(arg, np.ndarray):
        return {"array": arg.tolist(), "dtype": "int64" if arg.dtype.kind in "iu" else "float64"}
    if isinstance(arg, np.generic):
        return arg.item()
    return arg


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"exercise_checks_{path.parent.name.replace('-', '_')}", path
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Verdict:
    passed: bool
    failed: list[str]  # property keys, first failure first
    error: str = ""  # the learner's own exception or syntax error, as their code raised it
    printed: str = ""


def _as_tuple(value: Any) -> tuple[np.ndarray, ...]:
    import numpy as np

    if isinstance(value, tuple):
        return tuple(np.asarray(v, dtype=float) for v in value)
    return (np.asarray(value, dtype=float),)


def judge(
    cases: Sequence[Case], references: dict[str, Callable[..., Any]], answer: dict[str, Any]
) -> Verdict:
    """Compare the sandbox's answer (already parsed JSON, untrusted) case by case with the references."""
    printed = str(answer.get("printed", ""))[:5000]
    if answer.get("error"):
        return Verdict(False, [], error=str(answer["error"])[:500], printed=printed)
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(cases):
        return Verdict(False, [], error="the checks did not finish", printed=printed)
    failed: list[str] = []
    first_error = ""
    for case, result in zip(cases, results, strict=True):
        ok = isinstance(result, dict) and result.get("ok") is True
        if not ok:
            first_error = (
                first_error or str(result.get("error", ""))[:500] if isinstance(result, dict) else ""
            )
        elif case.within_s is not None:
            seconds = result.get("seconds")
            ok = isinstance(seconds, float) and seconds <= case.within_s
        elif not _matches(case, references[case.function](*case.args), result.get("values")):
            ok = False
        if not ok and case.property not in failed:
            failed.append(case.property)
    return Verdict(not failed, failed, error=first_error, printed=printed)


def _matches(case: Case, reference: Any, values: Any) -> bool:
    import numpy as np

    expected = _as_tuple(reference)
    if not isinstance(values, list) or len(values) != len(expected):
        return False
    for want, got in zip(expected, values, strict=True):
        if not isinstance(got, dict) or not isinstance(got.get("values"), list):
            return False
        shape = got.get("shape")
        flat = got["values"]
        if not isinstance(shape, list) or (tuple(shape) != want.shape and want.size != 1):
            return False
        if len(flat) != want.size or not all(isinstance(x, int | float) for x in flat):
            return False
        array = np.asarray(flat, dtype=float)
        if case.expect_finite and not all(math.isfinite(x) for x in flat):
            return False
        if not np.allclose(array, want.ravel(), rtol=case.rtol, atol=case.atol, equal_nan=True):
            return False
    return True
