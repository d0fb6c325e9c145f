"""A run's duration, estimated before it is queued, so that a run that cannot finish inside its lab's time
limit is refused up front instead of being stopped at the limit.

The cost of a step is measured on the workers — by every worker at its warm-up (labs.measure), then by every
run that succeeds — and kept in Redis, where every web process reads it:

    labs:timing   hash lab slug -> {"setup_s", "step_s", "source"}; step_s is a step's seconds at the defaults

A run's own measurement moves the stored cost a third of the way towards it, so the estimate follows the
workers' real speed (a loaded machine, more threads) without jumping on one odd run.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils.translation import gettext as _

from core import redis as redis_

from .catalog.lab import Lab, Timing

log = logging.getLogger(__name__)

KEY = "labs:timing"
SHARE = 0.8  # of the time limit that a run may be estimated to take: estimates are rough, limits are hard
LEARN = 1 / 3  # how far one finished run moves the stored cost towards its own


def store(timings: dict[str, Timing], source: str = "warm-up") -> None:
    """Records a worker's measurements (its warm-up's)."""
    mapping = {
        slug: json.dumps({"setup_s": t.setup_s, "step_s": t.step_s, "source": source})
        for slug, t in timings.items()
    }
    redis_.client().hset(KEY, mapping=mapping)


def timing(slug: str) -> Timing | None:
    """The latest measurement of a lab, or None before any worker has measured it (or when Redis is down:
    the estimate is a help, not a gate that may close the platform)."""
    try:
        raw = redis_.client().hget(KEY, slug)
    except Exception:  # redis down: the submission itself reports that
        log.warning("no timing for %s: Redis unavailable", slug)
        return None
    if not raw:
        return None
    stored = json.loads(raw)
    return Timing(setup_s=stored["setup_s"], step_s=stored["step_s"])


def learn(lab: Lab, config: Any, seconds: float, steps_done: int) -> None:
    """Moves the stored cost of a step towards the one a finished run has just shown."""
    current = timing(lab.slug)
    if current is None or steps_done < 1 or seconds <= 0:
        return
    observed = max(0.0, seconds - current.setup_s) / (steps_done * lab.cost.work(config))
    step_s = current.step_s + LEARN * (observed - current.step_s)
    try:
        store({lab.slug: Timing(current.setup_s, step_s)}, source="runs")
    except Exception:  # the run has ended and is recorded; a lost update of the estimate is no failure
        log.warning("could not store the timing of %s", lab.slug, exc_info=True)


def estimate(lab: Lab, config: Any) -> dict[str, Any]:
    """The estimate the form shows: seconds (None when nothing is measured yet), the limit, whether it fits,
    and the most steps that fit with the other settings as they are."""
    measured = timing(lab.slug)
    budget = lab.time_limit_s * SHARE
    if measured is None:
        return {
            "seconds": None,
            "limit_s": lab.time_limit_s,
            "fits": True,
            "field": lab.steps_field,
            "largest": None,
        }
    seconds = lab.estimate_s(config, measured)
    return {
        "seconds": round(seconds, 1),
        "limit_s": lab.time_limit_s,
        "fits": seconds <= budget,
        "field": lab.steps_field,
        "largest": lab.largest_steps(config, measured, budget),
    }


def refusal(lab: Lab, config: Any) -> str | None:
    """Why a run with these settings would not finish inside its lab's limit, naming the most steps (or
    epochs) that would; None when it fits."""
    found = estimate(lab, config)
    if found["fits"]:
        return None
    if found["largest"] < 1:
        return _(
            "Even one step would take too long with these settings (about %(estimate)d s; this lab's limit is"
            " %(limit)d s). Choose smaller sizes."
        ) % {"estimate": found["seconds"], "limit": lab.time_limit_s}
    return _(
        "This run would take about %(estimate)d s, longer than this lab's limit of %(limit)d s. With the other"
        " settings as they are, at most %(largest)d fit."
    ) % {"estimate": found["seconds"], "limit": lab.time_limit_s, "largest": found["largest"]}
