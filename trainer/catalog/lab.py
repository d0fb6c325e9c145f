"""What a lab is, as the web sees it: its words, its declared hyperparameters with their defaults and
bounds, its charts, limits and the cost of a step. Plain Python (no PyTorch, no Django): the web process, the
API, the forms and the estimates read this; only a worker imports a lab's training code (`Lab.train`).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a string for Django's makemessages; the web layer translates it when it shows it."""
    return message


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
    # A default that follows the reader's language, e.g. the gpt's text: (("en", "lessons-en"),), the first
    # language code that the active one starts with deciding; any other language gets the declared default.
    by_language: tuple[tuple[str, Any], ...] = ()

    def default_in(self, language: str | None, default: Any) -> Any:
        for code, value in self.by_language:
            if language and language.lower().startswith(code):
                return value
        return default


def hyperparameter(
    default: Any,
    *,
    label: str,
    help: str = "",  # noqa: A002 (the word the form uses)
    minimum: float | None = None,
    maximum: float | None = None,
    choices: Iterable[tuple[str, str]] = (),
    log: bool = False,
    by_language: dict[str, Any] | None = None,
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
    spec = Spec(label, help, kind, minimum, maximum, choices, log, tuple((by_language or {}).items()))
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


LEARNING_RATE_HELP = gettext_noop("How far each step moves the weights along the gradient.")


def learning_rate_choice(
    default: float,
    *,
    maximum: float,
    minimum: float = 0.0001,
    help: str = LEARNING_RATE_HELP,  # noqa: A002 (the word the form uses)
) -> Any:
    """The learning rate, on a log scale (where its effect is read)."""
    return hyperparameter(
        default, label=gettext_noop("Learning rate"), help=help, minimum=minimum, maximum=maximum, log=True
    )


def steps_choice(default: int, *, maximum: int, help: str) -> Any:  # noqa: A002
    return hyperparameter(default, label=gettext_noop("Steps"), help=help, minimum=1, maximum=maximum)


def epochs_choice(default: int, *, maximum: int, help: str) -> Any:  # noqa: A002
    return hyperparameter(default, label=gettext_noop("Epochs"), help=help, minimum=1, maximum=maximum)


def batch_size_choice(default: int, *, maximum: int, help: str, minimum: int = 1) -> Any:  # noqa: A002
    return hyperparameter(
        default, label=gettext_noop("Batch size"), help=help, minimum=minimum, maximum=maximum
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


def specs(config_class: type, language: str | None = None) -> dict[str, tuple[Spec, Any]]:
    """Each hyperparameter of a config dataclass: name -> (spec, default), in declaration order; with a
    language, the defaults a reader of that language gets (Spec.by_language)."""
    return {
        f.name: (f.metadata["spec"], f.metadata["spec"].default_in(language, f.default))
        for f in dataclasses.fields(config_class)
    }


@dataclass(frozen=True)
class Chart:
    """One live chart on the lab page: which reported scalars it draws."""

    title: str
    series: tuple[str, ...]
    log_y: bool = False


@dataclass(frozen=True)
class Cost:
    """How the time of one step grows with a lab's settings, relative to its defaults: a share `fixed` that
    does not depend on them, the rest in proportion to the product of the `sizes` hyperparameters (each
    divided by its default; a name given twice counts squared). Fitted to measurements on one thread; an overestimate only makes the refusal
    of a run that would not fit come a little early."""

    sizes: tuple[str, ...] = ()
    fixed: float = 1.0

    def work(self, config: Any) -> float:
        """One step's cost at these settings, as a multiple of a step's at the defaults."""
        return self.fixed + (1 - self.fixed) * self.work_product(config)

    def work_product(self, config: Any, without: str | None = None) -> float:
        """The product of the sizes, each divided by its default (leaving out every factor of `without`)."""
        defaults = {name: default for name, (_spec, default) in specs(type(config)).items()}
        product = 1.0
        for name in self.sizes:
            if name != without:
                product *= getattr(config, name) / defaults[name]
        return product


@dataclass(frozen=True)
class Timing:
    """A lab's measured speed on a worker: seconds of setup, and seconds per step at the default settings."""

    setup_s: float
    step_s: float


@dataclass(frozen=True)
class Lab:
    """A lab as the platform sees it: its slug, words, hyperparameters, training function and limits."""

    slug: str
    title: str
    summary: str
    config: type
    module: str  # the training code, `train(config, report, device)`: trainer/labs/<name>.py
    steps_field: str  # the hyperparameter that counts steps or epochs (progress and limits)
    charts: tuple[Chart, ...]
    visuals: tuple[str, ...] = ()  # kinds of frame the page draws: "boundary", "filters", "fit", ...
    time_limit_s: int = 120  # soft limit; the hard limit is a little longer
    cost: Cost = Cost()
    probe: dict[str, Any] = field(default_factory=dict)  # settings that make the warm-up's timing run short
    # Other defaults the page offers for a device, e.g. {"cuda": {"layers": 6, ...}}: a bigger model on a GPU.
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def train(self) -> Callable[..., Any]:
        """The lab's training function, imported on first use: only a worker (or a test) loads PyTorch."""
        return importlib.import_module(self.module).train

    def estimate_s(self, config: Any, timing: Timing) -> float:
        """How long a run with these settings takes on a worker that measured `timing`."""
        return timing.setup_s + getattr(config, self.steps_field) * timing.step_s * self.cost.work(config)

    def largest_steps(self, config: Any, timing: Timing, budget_s: float) -> int:
        """The most steps (or epochs) that fit in `budget_s` with the other settings as they are."""
        per_step = timing.step_s * self.cost.work(config)
        return max(0, int((budget_s - timing.setup_s) / per_step)) if per_step > 0 else 2**31
