"""What the lab wall flags about one learner's run, read from the points the run has reported so far.

Plain Python, no Django: the wall's event stream calls it after every batch of points, so a flag appears in the
batch that shows it (the points carry their step; the flag says at which step it was raised).

- diverged: the run ended as `diverged` (its loss became NaN or infinite), or a reported loss is not finite, or
  it has grown past DIVERGED_FACTOR times both its first value and the lowest seen so far: gradient descent
  that has left the valley grows geometrically, so this is crossed within a step or two of the turn, before
  the loss overflows.
- stuck: still running, and the lowest loss has not improved by STUCK_GAIN over the last STUCK_WINDOW points;
  or, in a lab that classifies two classes, its accuracy is within AT_CHANCE of a coin's after that window.
- not started, finished, passed / not yet: from the job's status and the experiment's submissions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

DIVERGED_FACTOR = 10.0
STUCK_WINDOW = 10  # reported points
STUCK_GAIN = 0.01  # a 1 % lower loss within the window counts as progress
AT_CHANCE = 0.05
# Labs whose runs classify two balanced classes: a run at 50 % accuracy has learned nothing.
CHANCE = {"activations": 0.5, "logistic-regression": 0.5}
ACCURACY_KEYS = ("val_accuracy", "accuracy", "acc_relu", "acc_tanh", "acc_sigmoid")

DIVERGED, STUCK, NOT_STARTED, FINISHED, PASSED, NOT_YET = (
    "diverged",
    "stuck",
    "not_started",
    "finished",
    "passed",
    "not_yet",
)
FINISHED_STATUSES = ("succeeded", "stopped")


def loss_key(points: list[dict[str, Any]]) -> str | None:
    """The series the wall draws: `loss`, or the first `loss_*` a lab that trains several models reports."""
    for point in points:
        if "loss" in point:
            return "loss"
        for key in point:
            if key.startswith("loss_"):
                return key
    return None


@dataclass
class RunWatch:
    """The flags of one run, updated point by point (the wall keeps one per member while it is open)."""

    lab: str
    status: str = "queued"
    key: str | None = None
    first: float | None = None
    lowest: float = math.inf
    since_better: int = 0  # points since the lowest loss last fell by STUCK_GAIN
    step: int | None = None
    loss: float | None = None
    diverged_at: int | None = None
    stuck: bool = False
    accuracy: float | None = None
    seen: int = 0
    points: list[tuple[int, float | None]] = field(default_factory=list)

    def add(self, points: list[dict[str, Any]]) -> list[tuple[int, float | None]]:
        """Takes a batch of reported points; returns the (step, loss) pairs new to the wall (None for a value
        that is not finite: a chart must never receive NaN)."""
        self.key = self.key or loss_key(points)
        new = []
        for point in points:
            step = point.get("step")
            if not isinstance(step, int) or (self.step is not None and step <= self.step):
                continue  # a point already shown (a run continued from a checkpoint sends a few again)
            self.step, self.seen = step, self.seen + 1
            for key in ACCURACY_KEYS:
                if isinstance(point.get(key), (int, float)):
                    self.accuracy = float(point[key])
                    break
            if not self.key or self.key not in point:
                continue
            value = point[self.key]
            # JSON carries no NaN: a loss that is not a finite number means the run has left the valley.
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                self.loss = None
                new.append((step, None))
                self._diverge(step)
                continue
            value = float(value)
            self.loss = value
            new.append((step, value))
            if self.first is None:
                self.first = value
            if value > DIVERGED_FACTOR * max(self.first, self.lowest if self.lowest < math.inf else 0):
                self._diverge(step)
            if value < self.lowest * (1 - STUCK_GAIN) or self.lowest == math.inf:
                self.lowest, self.since_better = value, 0
            else:
                self.lowest = min(self.lowest, value)
                self.since_better += 1
        self.points.extend(new)
        return new

    def _diverge(self, step: int) -> None:
        if self.diverged_at is None:
            self.diverged_at = step

    def flags(self, *, passed: bool | None = None) -> list[str]:
        """The flags to show now, most urgent first."""
        found = []
        if self.status == "diverged" or self.diverged_at is not None:
            found.append(DIVERGED)
        elif self.status == "running" and self.seen >= STUCK_WINDOW:
            chance = CHANCE.get(self.lab)
            at_chance = (
                chance is not None and self.accuracy is not None and abs(self.accuracy - chance) <= AT_CHANCE
            )
            if self.since_better >= STUCK_WINDOW or at_chance:
                found.append(STUCK)
        if self.status in FINISHED_STATUSES:
            found.append(FINISHED)
        if passed is not None:
            found.append(PASSED if passed else NOT_YET)
        return found
