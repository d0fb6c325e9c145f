"""Class imbalance: the lab's settings and what its page shows (its training: trainer/labs/class_imbalance.py)."""

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
    minority_share: float = hyperparameter(
        0.05,
        label=gettext_noop("Minority share"),
        help=gettext_noop("Fraction of the points in the rare class. At 0.5 the classes are balanced."),
        minimum=0.01,
        maximum=0.5,
    )
    points: int = hyperparameter(
        2000,
        label=gettext_noop("Points"),
        help=gettext_noop("How many points in all; three in ten are held out to measure recall."),
        minimum=100,
        maximum=20000,
    )
    separation: float = hyperparameter(
        2.5,
        label=gettext_noop("Separation"),
        help=gettext_noop(
            "Distance between the centres of the two classes, in standard deviations. The closer they are, "
            "the more the rare class is sacrificed."
        ),
        minimum=0.0,
        maximum=6.0,
    )
    learning_rate: float = hyperparameter(
        0.01,
        label=gettext_noop("Learning rate"),
        help=gettext_noop("How far each step moves the weights, the same for all three classifiers."),
        minimum=0.0001,
        maximum=1.0,
        log=True,
    )
    steps: int = hyperparameter(
        400,
        label=gettext_noop("Steps"),
        help=gettext_noop("Gradient steps, each on one mini-batch."),
        minimum=1,
        maximum=5000,
    )
    batch_size: int = hyperparameter(
        64,
        label=gettext_noop("Batch size"),
        help=gettext_noop(
            "Points per step. With one point in twenty in the rare class, a batch of 64 holds about three."
        ),
        minimum=8,
        maximum=1024,
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="class-imbalance",
    title=gettext_noop("Class imbalance"),
    summary=gettext_noop(
        "Train three classifiers on data where one class is rare — plainly, with oversampling and with class "
        "weights — and compare how many of the rare class each one finds."
    ),
    config=Config,
    module="trainer.labs.class_imbalance",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss_none", "loss_resample", "loss_weights")),
        Chart(gettext_noop("Minority recall"), ("recall_none", "recall_resample", "recall_weights")),
    ),
    visuals=("recall",),
    time_limit_s=120,
    cost=Cost(sizes=("batch_size",), fixed=0.9),
)
