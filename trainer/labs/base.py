"""What every lab is made of: declared hyperparameters, a training function, and the reporter it talks to.

Plain Python and PyTorch, no Django: a Celery task wraps a lab, the web layer builds its form from the
declarations, and tests call the training function directly on a tiny config.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch


def gettext_noop(message: str) -> str:
    """Marks a string for Django's makemessages; the web layer translates it when it shows it."""
    return message


class LabError(Exception):
    """Something the learner asked for that this lab or this worker cannot do; the message is for them."""


class Cancelled(Exception):
    """Raised through the training loop when the learner cancels the job."""


@dataclass(frozen=True)
class Spec:
    """How one hyperparameter is shown and checked: the single declaration behind the form and the API."""

    label: str
    help: str
    kind: str  # "float", "int", "choice" or "bool"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    log: bool = False  # a learning rate reads better on a log scale


def hyperparameter(
    default: Any,
    *,
    label: str,
    help: str = "",  # noqa: A002 (the word the form uses)
    minimum: float | None = None,
    maximum: float | None = None,
    choices: Iterable[tuple[str, str]] = (),
    log: bool = False,
) -> Any:
    """A dataclass field that carries its Spec; the kind follows from the default (or from choices)."""
    choices = tuple(choices)
    if choices:
        kind = "choice"
    elif isinstance(default, bool):
        kind = "bool"
    elif isinstance(default, int):
        kind = "int"
    else:
        kind = "float"
    spec = Spec(label, help, kind, minimum, maximum, choices, log)
    return field(default=default, metadata={"spec": spec})


OPTIMIZERS = (
    ("sgd", gettext_noop("Gradient descent (SGD)")),
    ("momentum", gettext_noop("SGD with momentum")),
    ("adam", gettext_noop("Adam")),
)
DEVICES = (
    ("auto", gettext_noop("Automatic (GPU if the worker has one)")),
    ("cpu", gettext_noop("CPU")),
    ("cuda", gettext_noop("GPU (CUDA)")),
)


def optimizer_choice(default: str = "sgd") -> Any:
    return hyperparameter(
        default,
        label=gettext_noop("Optimizer"),
        help=gettext_noop("How each step uses the gradient."),
        choices=OPTIMIZERS,
    )


def seed_choice(default: int = 0) -> Any:
    return hyperparameter(
        default,
        label=gettext_noop("Random seed"),
        help=gettext_noop("The same seed gives the same data, initial weights and results."),
        minimum=0,
        maximum=2**31 - 1,
    )


def device_choice() -> Any:
    return hyperparameter(
        "auto",
        label=gettext_noop("Device"),
        help=gettext_noop("Where the model trains."),
        choices=DEVICES,
    )


def specs(config_class: type) -> dict[str, tuple[Spec, Any]]:
    """Each hyperparameter of a config dataclass: name -> (spec, default), in declaration order."""
    return {f.name: (f.metadata["spec"], f.default) for f in dataclasses.fields(config_class)}


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float, weight_decay: float = 0.0):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    momentum = 0.9 if name == "momentum" else 0.0
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def resolve_device(choice: str) -> torch.device:
    """The device a job trains on. Called inside the worker's task, never before the worker forks."""
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "cuda":
        raise LabError(gettext_noop("This worker has no CUDA GPU. Choose “Automatic” or “CPU”."))
    return torch.device("cpu")


@dataclass(frozen=True)
class Chart:
    """One live chart on the lab page: which reported scalars it draws."""

    title: str
    series: tuple[str, ...]
    log_y: bool = False


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

    def __call__(self, step: int, *, frame: Callable[[], Frame] | None = None, **scalars: Any) -> None:
        copied = {k: _copy(v) for k, v in scalars.items()}
        self.pending.append((step, copied))
        self.last_step = step
        if self.clock() - self.last_emit >= self.interval:
            self.flush(frame() if frame else None)

    def flush(self, frame: Frame | None = None) -> None:
        """Send what is pending now (the training function's end calls it through finish())."""
        if not self.pending and frame is None:
            return
        now = self.clock()
        done = min(1.0, (self.last_step + 1) / self.total_steps) if self.total_steps else 1.0
        elapsed = now - self.started
        eta = elapsed * (1 - done) / done if done > 0 else None
        batch: dict[str, Any] = {
            "points": _to_python(self.pending),
            "step": self.last_step,
            "total": self.total_steps,
            "progress": round(done, 4),
            "eta_s": None if eta is None else round(eta, 1),
        }
        if frame is not None:
            batch["frame"] = frame
        self.pending = []
        self.last_emit = now
        self.emit(batch)

    def finish(self, frame: Frame | None = None) -> None:
        self.flush(frame)


def _copy(value: Any) -> Any:
    """A reported value, kept as it is now: on the CPU a number at once (there is no device to wait for);
    on a GPU a copy of the tensor, turned into a number only when its batch is emitted."""
    if not isinstance(value, torch.Tensor):
        return value
    if value.device.type == "cpu":
        return value.reshape(-1)[0].item() if value.numel() > 1 else value.item()
    return value.detach().clone()


def _to_python(pending: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Points as plain numbers, with every tensor brought to the CPU in a single transfer."""
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
            point[key] = _round(next(numbers) if isinstance(value, torch.Tensor) else value)
        points.append(point)
    return points


def _round(value: Any) -> Any:
    """Six significant digits; a diverged value (NaN, infinity) becomes None, which JSON can carry."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class Lab:
    """A lab as the platform sees it: its slug, words, hyperparameters, training function and limits."""

    slug: str
    title: str
    summary: str
    config: type
    train: Callable[[Any, Reporter, torch.device], Outcome]
    steps_field: str  # the hyperparameter that counts steps or epochs (progress and limits)
    charts: tuple[Chart, ...]
    visuals: tuple[str, ...] = ()  # kinds of frame the page draws: "boundary", "filters", "fit", ...
    time_limit_s: int = 120  # soft limit; the hard limit is a little longer
    # Other defaults the page offers for a device, e.g. {"cuda": {"layers": 6, ...}}: a bigger model on a GPU.
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
