"""Overfitting: the lab's settings and what its page shows (its training: trainer/labs/overfitting.py)."""

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
    train_points: int = hyperparameter(
        20,
        label=gettext_noop("Training points"),
        help=gettext_noop("Noisy samples of sin(2πx) to learn from. More points make overfitting harder."),
        minimum=5,
        maximum=500,
    )
    noise: float = hyperparameter(
        0.3,
        label=gettext_noop("Noise"),
        help=gettext_noop(
            "Standard deviation of the noise on every point: what an overfitting network learns."
        ),
        minimum=0.0,
        maximum=1.0,
    )
    hidden_units: int = hyperparameter(
        128,
        label=gettext_noop("Hidden units"),
        help=gettext_noop("Neurons in each hidden layer: 128 is thousands of weights for 20 points."),
        minimum=1,
        maximum=256,
    )
    layers: int = hyperparameter(
        3,
        label=gettext_noop("Hidden layers"),
        help=gettext_noop("More layers, more capacity to memorise."),
        minimum=1,
        maximum=5,
    )
    weight_decay: float = hyperparameter(
        0.0,
        label=gettext_noop("Weight decay"),
        help=gettext_noop(
            "Pulls every weight towards zero at each step (an L2 penalty), favouring smooth curves. Try 0.01."
        ),
        minimum=0.0,
        maximum=0.1,
    )
    dropout: float = hyperparameter(
        0.0,
        label=gettext_noop("Dropout"),
        help=gettext_noop(
            "Share of hidden units switched off at random in each training step, so no unit can rely on "
            "another to memorise a point. Off when evaluating. Try 0.4."
        ),
        minimum=0.0,
        maximum=0.8,
    )
    early_stopping: bool = hyperparameter(
        False,
        label=gettext_noop("Early stopping"),
        help=gettext_noop(
            "Stop when the validation loss has not improved for “patience” steps, and keep the weights "
            "from the best step."
        ),
    )
    patience: int = hyperparameter(
        50,
        label=gettext_noop("Patience"),
        help=gettext_noop("Steps without a better validation loss before early stopping gives up."),
        minimum=1,
        maximum=1000,
    )
    learning_rate: float = hyperparameter(
        0.01,
        label=gettext_noop("Learning rate"),
        help=gettext_noop("How far each step moves the weights along the gradient."),
        minimum=0.0001,
        maximum=0.1,
        log=True,
    )
    epochs: int = hyperparameter(
        1500,
        label=gettext_noop("Epochs"),
        help=gettext_noop("Gradient steps, each on all the training points."),
        minimum=1,
        maximum=5000,
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="overfitting",
    title=gettext_noop("Overfitting"),
    summary=gettext_noop(
        "Watch a big network memorise 20 noisy points, its validation loss rising while its training loss "
        "falls, then hold it back with weight decay, dropout or early stopping."
    ),
    config=Config,
    module="trainer.labs.overfitting",
    steps_field="epochs",
    charts=(Chart(gettext_noop("Loss"), ("loss", "val_loss"), log_y=True),),
    visuals=("fit",),
    time_limit_s=300,
    cost=Cost(sizes=("train_points", "hidden_units", "layers"), fixed=0.7),
)
