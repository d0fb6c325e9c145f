"""Activation functions: the lab's settings and what its page shows (its training: trainer/labs/activations.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .lab import (
    Chart,
    Cost,
    Lab,
    device_choice,
    gettext_noop,
    hyperparameter,
    learning_rate_choice,
    optimizer_choice,
    seed_choice,
    steps_choice,
)

DATASETS_2D = (
    ("circle", gettext_noop("Circle: a disc inside a ring")),
    ("xor", gettext_noop("XOR: opposite quadrants share a class")),
    ("spiral", gettext_noop("Spiral: two interleaved arms")),
)


@dataclass
class Config:
    dataset: str = hyperparameter(
        "spiral",
        label=gettext_noop("Data set"),
        help=gettext_noop("Two classes of points in the plane that no straight line separates."),
        choices=DATASETS_2D,
    )
    points: int = hyperparameter(
        300,
        label=gettext_noop("Points"),
        help=gettext_noop("How many points; three in ten are held out to measure accuracy."),
        minimum=20,
        maximum=2000,
    )
    noise: float = hyperparameter(
        0.05,
        label=gettext_noop("Noise"),
        help=gettext_noop("Standard deviation of the jitter added to each point."),
        minimum=0.0,
        maximum=0.5,
    )
    hidden_units: int = hyperparameter(
        32,  # with fewer, ReLU networks often end with too few live units to trace a spiral
        label=gettext_noop("Hidden units"),
        help=gettext_noop("Neurons in each hidden layer."),
        minimum=1,
        maximum=64,
    )
    layers: int = hyperparameter(
        2,
        label=gettext_noop("Hidden layers"),
        help=gettext_noop("Each extra sigmoid layer shrinks the gradient reaching the first one further."),
        minimum=1,
        maximum=6,
    )
    learning_rate: float = learning_rate_choice(
        0.03,
        maximum=1.0,
        help=gettext_noop("How far each step moves the weights, the same for all three networks."),
    )
    # tanh and ReLU have traced the spiral by now; sigmoid is still on its way
    steps: int = steps_choice(
        200,
        maximum=3000,
        help=gettext_noop(
            "Gradient steps, each on all the training points. Given enough of them, sigmoid catches up."
        ),
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="activations",
    title=gettext_noop("Activation functions"),
    summary=gettext_noop(
        "Train the same small network with sigmoid, tanh and ReLU side by side on points no line can "
        "separate, and compare how fast each learns the boundary."
    ),
    config=Config,
    module="trainer.labs.activations",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss_sigmoid", "loss_tanh", "loss_relu")),
        Chart(gettext_noop("Accuracy"), ("acc_sigmoid", "acc_tanh", "acc_relu")),
        Chart(
            gettext_noop("Sigmoid network: gradient at the first layer and at the output layer"),
            ("grad_first_sigmoid", "grad_output_sigmoid"),
            log_y=True,
        ),
    ),
    visuals=("boundary", "gradients"),
    time_limit_s=400,
    cost=Cost(sizes=("points", "hidden_units", "layers"), fixed=0.75),
)
