"""Recurrent network: the lab's settings and what its page shows (its training: trainer/labs/rnn.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .lab import (
    Chart,
    Cost,
    Lab,
    batch_size_choice,
    device_choice,
    gettext_noop,
    hyperparameter,
    learning_rate_choice,
    optimizer_choice,
    seed_choice,
    steps_choice,
)


@dataclass
class Config:
    task: str = hyperparameter(
        "wave",
        label=gettext_noop("Task"),
        help=gettext_noop(
            "The next value of a noisy wave (a straight line through the window already does well), or the "
            "adding problem: add the two marked numbers of a sequence, which needs a memory."
        ),
        choices=(
            ("wave", gettext_noop("Next value of a noisy wave")),
            ("adding", gettext_noop("Adding problem: the sum of two marked numbers")),
        ),
    )
    cell: str = hyperparameter(
        "gru",
        label=gettext_noop("Recurrent cell"),
        help=gettext_noop(
            "A plain RNN forgets quickly and its gradients fade over long windows; GRU and LSTM cells have "
            "gates that decide what to keep."
        ),
        choices=(
            ("rnn", gettext_noop("Plain RNN")),
            ("gru", gettext_noop("GRU")),
            ("lstm", gettext_noop("LSTM")),
        ),
    )
    hidden_size: int = hyperparameter(
        32,
        label=gettext_noop("Hidden size"),
        help=gettext_noop("Numbers in the state the network carries from one step to the next."),
        minimum=1,
        maximum=64,
    )
    sequence_length: int = hyperparameter(
        30,
        label=gettext_noop("Window"),
        help=gettext_noop(
            "How many past values the network reads before predicting the next one (in the adding problem: "
            "the length of each sequence)."
        ),
        minimum=2,
        maximum=120,
    )
    noise: float = hyperparameter(
        0.1,
        label=gettext_noop("Noise"),
        help=gettext_noop(
            "Standard deviation of the noise on the wave. No model can predict it: the held-out error cannot "
            "fall below its square."
        ),
        minimum=0.0,
        maximum=1.0,
    )
    learning_rate: float = learning_rate_choice(0.01, maximum=1.0)
    steps: int = steps_choice(
        300, maximum=3000, help=gettext_noop("Gradient steps, each on one mini-batch of windows.")
    )
    # a step costs about the same for 32 windows or 64 on a CPU (the time steps run in sequence)
    batch_size: int = batch_size_choice(64, maximum=128, help=gettext_noop("Windows per step."))
    optimizer: str = optimizer_choice("adam")
    recurrent_scale: float = hyperparameter(
        0.0,  # 0: PyTorch's own initialisation, whose recurrent matrices have a spectral radius below 1
        label=gettext_noop("Recurrent weight scale"),
        help=gettext_noop(
            "0 keeps the usual initialisation. Above 0, each recurrent weight matrix starts as this number "
            "times a random rotation, so its spectral radius is this number: above 1, the gradient grows at "
            "every step it travels back through the window."
        ),
        minimum=0.0,
        maximum=3.0,
    )
    clip_norm: float = hyperparameter(
        0.0,
        label=gettext_noop("Gradient clipping"),
        help=gettext_noop(
            "0 is off. Above 0, a gradient whose norm is larger is scaled down to this norm before the step: "
            "its direction is kept, its length bounded."
        ),
        minimum=0.0,
        maximum=100.0,
    )
    seed: int = seed_choice()
    device: str = device_choice()


LAB = Lab(
    slug="rnn",
    title=gettext_noop("Recurrent network"),
    summary=gettext_noop(
        "Predict the next value of a noisy wave from a window of past values with an RNN, GRU or LSTM, and "
        "let it run free on its own predictions."
    ),
    config=Config,
    module="trainer.labs.rnn",
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss", "val_loss"), log_y=True),
        Chart(gettext_noop("Gradient norm (before clipping)"), ("grad_norm",), log_y=True),
        Chart(
            gettext_noop("Gradient through time: at the oldest and the newest input"),
            ("grad_oldest", "grad_newest"),
            log_y=True,
        ),
    ),
    visuals=("sequence",),
    time_limit_s=400,
    cost=Cost(sizes=("hidden_size", "sequence_length", "batch_size"), fixed=0.5),
)
