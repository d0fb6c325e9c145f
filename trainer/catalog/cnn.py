"""Convolutional network: the lab's settings and what its page shows (its training: trainer/labs/cnn.py)."""

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
        0.001,  # the seed's AdamOptimizer(learning_rate=0.001)
        label=gettext_noop("Learning rate"),
        help=gettext_noop("How far each step moves the weights along the gradient."),
        minimum=0.00001,
        maximum=0.1,
        log=True,
    )
    epochs: int = hyperparameter(
        2,  # over 90% held-out accuracy already, in about ten seconds on one CPU core
        label=gettext_noop("Epochs"),
        help=gettext_noop("Passes over the training images."),
        minimum=1,
        maximum=30,
    )
    batch_size: int = hyperparameter(
        32,  # twice the steps of 64 for the same computation: more progress per epoch
        label=gettext_noop("Batch size"),
        help=gettext_noop("Images per gradient step."),
        minimum=8,
        maximum=512,
    )
    train_images: int = hyperparameter(
        1438,  # all of them: 80% of the 1,797, the rest held out
        label=gettext_noop("Training images"),
        help=gettext_noop(
            "How many of the 1,438 training digits to learn from. Fewer make each epoch quicker and the "
            "held-out accuracy lower."
        ),
        minimum=10,
        maximum=1438,
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="cnn",
    title=gettext_noop("Convolutional network"),
    summary=gettext_noop(
        "Train a small convolutional network to read coloured handwritten digits, and watch its first "
        "layer's filters take shape."
    ),
    config=Config,
    module="trainer.labs.cnn",
    steps_field="epochs",
    charts=(
        Chart(gettext_noop("Loss"), ("loss", "val_loss")),
        Chart(gettext_noop("Accuracy"), ("accuracy", "val_accuracy")),
    ),
    visuals=("filters", "predictions"),
    time_limit_s=600,
    cost=Cost(sizes=("train_images",), fixed=0.05),
    probe={"train_images": 100},
)
