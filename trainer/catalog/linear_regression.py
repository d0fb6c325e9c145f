"""Linear regression: the lab's settings and what its page shows (its training: trainer/labs/linear_regression.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .lab import (
    Chart,
    Cost,
    Lab,
    device_choice,
    gettext_noop,
    hyperparameter,
    optimizer_choice,
    seed_choice,
)


@dataclass
class Config:
    learning_rate: float = hyperparameter(
        0.5,  # the seed's GradientDescentOptimizer(0.5)
        label=gettext_noop("Learning rate"),
        help=gettext_noop(
            "How far each step moves w and b along the gradient. With these 100 points it diverges above about 0.8."
        ),
        minimum=0.0001,
        maximum=20.0,
        log=True,
    )
    steps: int = hyperparameter(
        2001,  # the seed's range(2001)
        label=gettext_noop("Steps"),
        help=gettext_noop("Gradient descent steps, each on all the points."),
        minimum=1,
        maximum=20000,
    )
    report_every: int = hyperparameter(
        20,
        label=gettext_noop("Report every"),
        help=gettext_noop("Steps between two points on the charts (the last step is always shown)."),
        minimum=1,
        maximum=1000,
    )
    points: int = hyperparameter(
        100,
        label=gettext_noop("Points"),
        help=gettext_noop("How many (x, y) pairs, with x drawn uniformly from [0, 1]."),
        minimum=2,
        maximum=10000,
    )
    noise: float = hyperparameter(
        0.0,  # the seed's data lie exactly on the line
        label=gettext_noop("Noise"),
        help=gettext_noop(
            "Standard deviation of Gaussian noise added to y. With noise, the loss stops falling."
        ),
        minimum=0.0,
        maximum=1.0,
    )
    optimizer: str = optimizer_choice("sgd")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="linear-regression",
    title=gettext_noop("Linear regression"),
    summary=gettext_noop(
        "Fit a line y = w·x + b to points from y = 0.1·x + 0.3 by gradient descent, and watch w and b converge."
    ),
    config=Config,
    module="trainer.labs.linear_regression",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss",), log_y=True),
        Chart(gettext_noop("Parameters"), ("w", "b")),
    ),
    visuals=("fit",),
    time_limit_s=60,
    cost=Cost(sizes=("points",), fixed=0.99),
)
