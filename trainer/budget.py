"""A run's duration, estimated before it is queued, so that a run that cannot finish inside its lab's time
limit is refused up front instead of being stopped at the limit.

The cost of a step is measured on the workers — by every worker at its warm-up (labs.measure), then by every
run that succeeds — and kept in Redis, where every web process reads it:

    labs:timing   hash lab slug -> {"setup_s", "step_s", "source"}; step_s is a step's seconds at the defaults;
                  "<lab slug>+<exercise slug>" -> the same for runs with a learner's function (exercises/):
                  their steps ask a sandbox and cost several times the lab's own, which they never move

Costs are kept as on a machine at rest: each measurement is divided by its worker's pace when it was taken
(core.workers.Pace: 2.0 when other work took half the processor), and an estimate multiplies them by the pace
the workers announce now, so that an estimate made while the machine is busy is a busy machine's. A run's
own measurement moves the stored cost a third of the way towards it, so the estimate follows the workers'
real speed (more threads, another processor) without jumping on one odd run.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils.translation import gettext as _

from core import redis_clients, workers

from .catalog.lab import Lab, Timing, specs

log = logging.getLogger(__name__)

KEY = "labs:timing"
SHARE = 0.8  # of the time limit that a run may be estimated to take: estimates are rough, limits are hard
LEARN = 1 / 3  # how far one finished run moves the stored cost towards its own
BUSY = 1.5  # from this pace on, the estimate says that the workers are busy


def store(timings: dict[str, Timing], source: str = "warm-up", slowdown: float = 1.0) -> None:
    """Records a worker's measurements (its warm-up's), taken at pace `slowdown`, as at rest."""
    mapping = {
        slug: json.dumps({"setup_s": t.setup_s / slowdown, "step_s": t.step_s / slowdown, "source": source})
        for slug, t in timings.items()
    }
    redis_clients.client().hset(KEY, mapping=mapping)


def timing(slug: str) -> Timing | None:
    """The latest measurement of a lab, or None before any worker has measured it (or when Redis is down:
    the estimate is a help, not a gate that may close the platform)."""
    try:
        raw = redis_clients.client().hget(KEY, slug)
    except Exception:  # redis down: the submission itself reports that
        log.warning("no timing for %s: Redis unavailable", slug)
        return None
    if not raw:
        return None
    stored = json.loads(raw)
    return Timing(setup_s=stored["setup_s"], step_s=stored["step_s"])


def cost_key(lab: Lab, exercise: str | None = None) -> str:
    """Where a lab's step cost is kept: runs with a learner's function (`exercise`) have their own."""
    return f"{lab.slug}+{exercise}" if exercise else lab.slug


def learn(
    lab: Lab, config: Any, seconds: float, steps_done: int, slowdown: float = 1.0, exercise: str | None = None
) -> None:
    """Moves the stored cost of a step towards the one a finished run has just shown at pace `slowdown`. The
    first run with a learner's function (`exercise`) sets its cost: the lab's own is only where it starts."""
    key = cost_key(lab, exercise)
    own = timing(key)
    current = own or timing(lab.slug)
    if current is None or steps_done < 1 or seconds <= 0:
        return
    observed = max(0.0, seconds / slowdown - current.setup_s) / (steps_done * lab.cost.work(config))
    step_s = current.step_s + LEARN * (observed - current.step_s) if own else observed
    try:
        store({key: Timing(current.setup_s, step_s)}, source="runs")
    except Exception:  # the run has ended and is recorded; a lost update of the estimate is no failure
        log.warning("could not store the timing of %s", key, exc_info=True)


def estimate(
    lab: Lab, config: Any, slowdown: float | None = None, exercise: str | None = None
) -> dict[str, Any]:
    """The estimate the form shows: seconds (None when nothing is measured yet), the limit, whether it fits,
    the most steps that fit with the other settings as they are, and, when it does not fit, the advice in
    words (what to lower, and to what); at `slowdown`, by default the pace the workers announce now. With a
    learner's function (`exercise`), from what such runs have cost once one has finished (until then, the
    lab's own cost: an estimate too low is stopped at the limit, never refused wrongly)."""
    at_rest = timing(cost_key(lab, exercise)) or timing(lab.slug)
    budget = lab.time_limit_s * SHARE
    if at_rest is None:
        return {"seconds": None, "limit_s": lab.time_limit_s, "fits": True, "field": lab.steps_field,
                "largest": None, "advice": "", "summary": "", "slowdown": 1.0}  # fmt: skip
    slowdown = workers.slowdown("code-runs" if exercise else "cpu") if slowdown is None else slowdown
    measured = Timing(at_rest.setup_s * slowdown, at_rest.step_s * slowdown)
    seconds = lab.estimate_s(config, measured)
    largest = lab.largest_steps(config, measured, budget)
    fits = seconds <= budget
    found = {
        "seconds": round(seconds, 1),
        "limit_s": lab.time_limit_s,
        "fits": fits,
        "field": lab.steps_field,
        "largest": largest,
        "advice": "" if fits else advice(lab, config, measured, seconds, largest, budget),
        "slowdown": slowdown,
    }
    return {**found, "summary": summary(found)}


def summary(found: dict[str, Any]) -> str:
    """The line the form shows under its settings, in the learner's words and language: the estimate, or why
    it does not fit and what would, and whether the workers are busy. Durations are written here only
    (duration()), never again in a script."""
    if found["fits"]:
        said = _("Estimated time: about %(time)s (this lab's limit: %(limit)s).") % {
            "time": duration(found["seconds"]),
            "limit": duration(found["limit_s"]),
        }
    else:
        said = found["advice"]
    if found["slowdown"] >= BUSY:
        said += " " + _("The workers are busy: runs take about %(times).1f× as long as at rest now.") % {
            "times": found["slowdown"]
        }
    return said


def duration(seconds: float) -> str:
    """A duration as a learner reads it: "40 s", "6 min 40 s", "25 min", "2 h 10 min"."""
    seconds = max(1, round(seconds))
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    if seconds < 600 and seconds % 60:
        return _("%(m)d min %(s)d s") % {"m": seconds // 60, "s": seconds % 60}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


def largest_sizes(lab: Lab, config: Any, timing_: Timing, budget_s: float) -> dict[str, int | float]:
    """Per size setting (a model's width, depth, batch...), the largest value that fits in `budget_s` with the
    steps and the other settings as they are; a setting that cannot fit even at its smallest is left out."""
    cost, steps = lab.cost, getattr(config, lab.steps_field)
    if not cost.sizes or cost.fixed >= 1 or steps < 1:
        return {}
    declared = specs(type(config))
    work_max = (budget_s - timing_.setup_s) / (steps * timing_.step_s)
    product_max = (work_max - cost.fixed) / (1 - cost.fixed)
    found: dict[str, int | float] = {}
    for name in dict.fromkeys(cost.sizes):
        spec, default = declared[name]
        power = cost.sizes.count(name)
        others = cost.work_product(config, without=name)
        if product_max <= 0 or others <= 0:
            continue
        value = default * (product_max / others) ** (1 / power)
        value = int(value) if spec.kind == "int" else round(value, 4)
        if spec.minimum is not None and value < spec.minimum:
            continue
        if value < getattr(config, name):
            found[name] = value
    return found


def advice(lab: Lab, config: Any, timing_: Timing, seconds: float, largest: int, budget_s: float) -> str:
    """Why a run would not fit, and what would: the most steps, or a smaller model, in the learner's words."""
    declared = specs(type(config))
    options = []
    if largest >= 1:
        options.append(
            _("at most %(n)d for “%(field)s”")
            % {"n": largest, "field": _(declared[lab.steps_field][0].label)}
        )
    for name, value in largest_sizes(lab, config, timing_, budget_s).items():
        options.append(
            _("“%(field)s” at most %(value)s") % {"field": _(declared[name][0].label), "value": value}
        )
    said = _("About %(estimate)s: longer than this lab's limit of %(limit)s.") % {
        "estimate": duration(seconds), "limit": duration(lab.time_limit_s)}  # fmt: skip
    if not options:
        return said + " " + _("Choose smaller sizes or fewer steps.")
    return (
        said
        + " "
        + _("With the other settings as they are, one of: %(options)s.") % {"options": _("; ").join(options)}
    )


def refusal(lab: Lab, config: Any, exercise: str | None = None) -> str | None:
    """Why a run with these settings (with a learner's function: `exercise`) would not finish inside its
    lab's limit, and what would; None when it fits (or nothing is measured yet)."""
    found = estimate(lab, config, exercise=exercise)
    return None if found["fits"] else found["summary"]
