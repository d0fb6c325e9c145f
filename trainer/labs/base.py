"""What a training function is made of: the reporter it talks to, the outcome it returns, the optimizer and
device it trains with, and the timing of a lab at its defaults.

Plain Python and PyTorch, no Django: a Celery task wraps a lab, and tests call the training function
directly on a tiny config. What a lab declares (its hyperparameters, charts and limits) is in
trainer/catalog, which the web reads without importing PyTorch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from ..catalog.lab import Lab, Timing, gettext_noop
from .errors import Diverged, LabError


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float, weight_decay: float = 0.0):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    momentum = 0.9 if name == "momentum" else 0.0
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


# dL/dlogits of a batch, from its logits and targets: how a learner's own loss function (a code exercise,
# exercises/training.py) trains a lab whose loss it replaces.
LossGradient = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def backward(
    loss: torch.Tensor, logits: torch.Tensor, targets: torch.Tensor, gradient: LossGradient | None
) -> None:
    """loss.backward(); or, given a learner's `gradient`, the back-propagation of theirs from the logits (the
    lab's own `loss` is still what the run reports: their function cannot make its curve look good)."""
    if gradient is None:
        loss.backward()
    else:
        logits.backward(gradient(logits.detach(), targets).to(logits.dtype))


def resolve_device(choice: str) -> torch.device:
    """The device a job trains on. Called inside the worker's task, never before the worker forks."""
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "cuda":
        raise LabError(gettext_noop("This worker has no CUDA GPU. Choose “Automatic” or “CPU”."))
    return torch.device("cpu")


@dataclass
class Outcome:
    """What a training function returns: final metrics (shown and stored), the model (its weights are
    offered for download) and the final visuals (same keys as the frames it reported)."""

    metrics: dict[str, Any]
    model: torch.nn.Module | None = None
    visuals: dict[str, Any] = field(default_factory=dict)


Frame = dict[str, Any]
Emit = Callable[[dict[str, Any]], None]


class Reporter:
    """Collects a training loop's points and hands them on in batches, at most every `interval` seconds.

    The loop calls it as often as it likes: `report(step, loss=loss, w=w, frame=draw_boundary)`.
    Scalars may be tensors; they are copied (detached) when reported and turned into Python numbers
    only when a batch is emitted, in one transfer, so a GPU loop is not synchronised at every step.
    `frame` is a callable that builds the expensive visuals (a decision boundary, filters); it is
    called only when a batch is about to go out. `emit` may raise Cancelled to stop the loop.

    `total_steps` (for progress and the time left) may be set by the loop once it knows the count better,
    e.g. mini-batches per epoch, or the step at which early stopping ended the run.

    A point with a value that is NaN or infinite raises Diverged (after the finite points before it have
    gone out): this is the one place every lab's numbers pass, so no lab checks for itself, and no chart
    ever receives a value that is not a number. On the CPU the check is made at once; a GPU loop's values
    are checked when their batch is emitted (at most `interval` seconds later), to avoid a sync per step.
    """

    def __init__(
        self,
        total_steps: int,
        emit: Emit,
        *,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total_steps = total_steps
        self.emit = emit
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last_emit = -math.inf
        self.pending: list[tuple[int, dict[str, Any]]] = []
        self.last_step = 0
        self.first: tuple[int, float] | None = None  # the first step reported, and when: the pace's start
        self.finite: dict[str, tuple[int, float]] = {}  # series -> (step, value) of its last finite value
        # Checkpoints, for a lab that can continue on another worker (trainer/runner.py sets `saved` and `save`).
        self.saved: dict[str, Any] | None = None
        self.save: Callable[[int, dict[str, Any]], None] | None = None
        self.checkpoint_every = 10.0
        self.offered: tuple[int, Callable[[], dict[str, Any]]] | None = None
        self.last_save = clock()

    def __call__(self, step: int, *, frame: Callable[[], Frame] | None = None, **scalars: Any) -> None:
        copied = {k: _copy(v) for k, v in scalars.items()}
        self.pending.append((step, copied))
        self.last_step = step
        if self.first is None:
            self.first = (step, self.clock())
        if not all(_finite(v) for v in copied.values()):
            self.flush()  # raises Diverged
        elif self.clock() - self.last_emit >= self.interval:
            self.flush(frame() if frame else None)

    def resume(self) -> dict[str, Any] | None:
        """The state the last checkpoint saved (the loop goes on after its "step"), or None: start at step 0."""
        if self.saved is not None:
            self.last_step = self.saved["step"]
        return self.saved

    def checkpoint(self, step: int, state: Callable[[], dict[str, Any]]) -> None:
        """Offers the loop's state after `step`: a callable, called only when a checkpoint is saved (at most
        every `checkpoint_every` seconds, once the points up to `step` have gone out). The last state offered is
        also what a run stopped at its time limit keeps (its "model")."""
        self.offered = (step, state)
        if self.save is not None and self.clock() - self.last_save >= self.checkpoint_every:
            self.flush()
            self.save(step, {**state(), "step": step})
            self.last_save = self.clock()

    def flush(self, frame: Frame | None = None) -> None:
        """Send what is pending now (a training function calls it at its end, with its last frame)."""
        if not self.pending and frame is None:
            return
        points = _to_python(self.pending)
        self.pending = []
        bad = next((i for i, point in enumerate(points) if not all(map(_finite, point.values()))), None)
        for point in points[:bad]:
            for key, value in point.items():
                if key != "step" and isinstance(value, float):
                    self.finite[key] = (point["step"], value)
        if bad is not None:
            diverged = self._diverged(points[bad])
            points, frame = points[:bad], None  # the frame was drawn from a model that is no longer finite
            self.last_step = diverged.step
        if points or frame is not None:
            self._emit([{k: _round(v) for k, v in point.items()} for point in points], frame)
        if bad is not None:
            raise diverged

    def _diverged(self, point: dict[str, Any]) -> Diverged:
        series = next(k for k, v in point.items() if not _finite(v))
        # The loss that diverged, or else the run's main loss ("loss" before "loss_relu" before "val_loss").
        losses = sorted((k for k in self.finite if "loss" in k), key=lambda k: (k != "loss", "val" in k, k))
        name = series if "loss" in series else next(iter(losses), None)
        step, value = self.finite.get(name, (None, None)) if name else (None, None)
        return Diverged(point["step"], series, None if value is None else _round(value), step)

    def _emit(self, points: list[dict[str, Any]], frame: Frame | None) -> None:
        now = self.clock()
        done = min(1.0, (self.last_step + 1) / self.total_steps) if self.total_steps else 1.0
        # Time left at the pace of the steps taken so far: from the first step reported, so that neither the
        # set-up before it (data, model) nor the steps a resumed run did not take itself (a checkpoint's) count.
        if self.first is not None and self.last_step > self.first[0]:
            per_step = (now - self.first[1]) / (self.last_step - self.first[0])
            eta = per_step * max(0, self.total_steps - 1 - self.last_step)
        else:
            elapsed = now - self.started
            eta = elapsed * (1 - done) / done if done > 0 else None
        batch: dict[str, Any] = {
            "points": points,
            "step": self.last_step,
            "total": self.total_steps,
            "progress": round(done, 4),
            "eta_s": None if eta is None else round(eta, 1),
        }
        if frame is not None:
            batch["frame"] = frame
        self.last_emit = now
        self.emit(batch)


def _copy(value: Any) -> Any:
    """A reported value, kept as it is now: on the CPU a number at once (there is no device to wait for);
    on a GPU a copy of the tensor, turned into a number only when its batch is emitted."""
    if not isinstance(value, torch.Tensor):
        return value
    if value.device.type == "cpu":
        return value.reshape(-1)[0].item() if value.numel() > 1 else value.item()
    return value.detach().clone()


def _finite(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _to_python(pending: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Points as plain numbers (not yet rounded), every tensor brought to the CPU in a single transfer."""
    tensors = [
        v.reshape(-1)[:1].float()
        for _, values in pending
        for v in values.values()
        if isinstance(v, torch.Tensor)
    ]
    numbers = iter(torch.cat(tensors).cpu().tolist()) if tensors else iter(())
    points = []
    for step, values in pending:
        point: dict[str, Any] = {"step": step}
        for key, value in values.items():
            point[key] = next(numbers) if isinstance(value, torch.Tensor) else value
        points.append(point)
    return points


def _round(value: Any) -> Any:
    """Six significant digits (a value that is not finite never gets here: it raises Diverged)."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    return value


def measure(lab: Lab) -> Timing:
    """Times a lab on the CPU at its defaults (with `probe` applied), one step and then a few, with nothing
    reported: the difference is the cost of a step, the rest setup. The caller sets the threads."""
    short = 2 if lab.steps_field == "epochs" else 21

    def seconds(steps: int) -> float:
        config = lab.config(**{**lab.probe, lab.steps_field: steps, "device": "cpu"})
        started = time.perf_counter()
        lab.train(config, Reporter(steps, lambda batch: None), torch.device("cpu"))
        return time.perf_counter() - started

    one, more = seconds(1), seconds(short)
    probe = lab.config(**{**lab.probe, "device": "cpu"})
    # On a busy machine the single step can take longer than the few: then count it all as steps (an
    # overestimate, which only refuses a borderline run a little early).
    per_step = (more - one) / (short - 1) if more > one else more / short
    return Timing(setup_s=max(0.0, one - per_step), step_s=per_step / lab.cost.work(probe))
