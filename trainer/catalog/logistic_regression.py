"""Logistic regression: the lab's settings and what its page shows (its training: trainer/labs/logistic_regression.py)."""

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
        0.1,
        label=gettext_noop("Learning rate"),
        help=gettext_noop("How far each step moves the weights along the gradient."),
        minimum=0.0001,
        maximum=10.0,
        log=True,
    )
    steps: int = hyperparameter(
        300,
        label=gettext_noop("Steps"),
        help=gettext_noop("Gradient steps, each on one mini-batch."),
        minimum=1,
        maximum=10000,
    )
    batch_size: int = hyperparameter(
        64,
        label=gettext_noop("Batch size"),
        help=gettext_noop("Tumours per step. One larger than the training set uses all of it (full batch)."),
        minimum=1,
        maximum=1024,
    )
    test_fraction: float = hyperparameter(
        0.25,
        label=gettext_noop("Held-out fraction"),
        help=gettext_noop(
            "Share of the tumours kept aside to measure the model, with malignant and benign in the same "
            "proportion as in the whole set."
        ),
        minimum=0.1,
        maximum=0.5,
    )
    threshold: float = hyperparameter(
        0.5,
        label=gettext_noop("Decision threshold"),
        help=gettext_noop(
            "A tumour is called malignant when the model's probability of malignant is at least this. "
            "Lower it to miss fewer malignant tumours (higher recall) at the cost of more false alarms."
        ),
        minimum=0.05,
        maximum=0.95,
    )
    optimizer: str = optimizer_choice("sgd")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="logistic-regression",
    title=gettext_noop("Logistic regression"),
    summary=gettext_noop(
        "Tell malignant from benign breast tumours with one linear layer and a sigmoid, and see how the "
        "decision threshold trades missed cancers against false alarms."
    ),
    config=Config,
    module="trainer.labs.logistic_regression",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss", "val_loss")),
        Chart(gettext_noop("Accuracy"), ("val_accuracy",)),
    ),
    visuals=("confusion",),
    time_limit_s=60,
    cost=Cost(sizes=("batch_size",), fixed=0.7),
)
