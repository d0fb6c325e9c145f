"""A recurrent network that reads a window of a noisy wave and predicts the value that comes next.

The wave is the sum of two sines with different periods, so the next value depends on where the window is
in both cycles: the network has to carry that state from step to step. The last fifth of the wave is held
out. A vanilla RNN, a GRU and an LSTM can be compared on the same wave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .base import (
    Chart,
    Cost,
    Frame,
    Lab,
    Outcome,
    Reporter,
    device_choice,
    gettext_noop,
    hyperparameter,
    make_optimizer,
    optimizer_choice,
    seed_choice,
)
from .data import number, rounded, seeded_generator, shuffled_batches

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
WAVE_LENGTH = 1000  # samples of the wave
HELD_OUT = 0.2  # the last fifth of the wave, never trained on
PERIODS = (50, 17)  # samples per cycle of the two sines
SHOWN = 100  # held-out samples drawn on the page
EVAL_EVERY = 10  # steps between two held-out losses


@dataclass
class Config:
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
        help=gettext_noop("How many past values the network reads before predicting the next one."),
        minimum=2,
        maximum=60,
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
    learning_rate: float = hyperparameter(
        0.01,
        label=gettext_noop("Learning rate"),
        help=gettext_noop("How far each step moves the weights along the gradient."),
        minimum=0.0001,
        maximum=1.0,
        log=True,
    )
    steps: int = hyperparameter(
        300,
        label=gettext_noop("Steps"),
        help=gettext_noop("Gradient steps, each on one mini-batch of windows."),
        minimum=1,
        maximum=3000,
    )
    batch_size: int = hyperparameter(
        64,  # a step costs about the same for 32 windows or 64 on a CPU (the time steps run in sequence)
        label=gettext_noop("Batch size"),
        help=gettext_noop("Windows per step."),
        minimum=1,
        maximum=128,
    )
    optimizer: str = optimizer_choice("adam")
    seed: int = seed_choice()
    device: str = device_choice()


class NextValuePredictor(nn.Module):
    """A recurrent cell reads the window; a linear layer turns its last state into the next value."""

    def __init__(self, cell: str, hidden_size: int) -> None:
        super().__init__()
        self.cell = CELLS[cell](input_size=1, hidden_size=hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.cell(windows.unsqueeze(-1))
        return self.head(outputs[:, -1]).squeeze(-1)

    @torch.no_grad()
    def generate(self, window: torch.Tensor, count: int) -> torch.Tensor:
        """Runs free: each prediction is fed back as the next input, with no true value after `window`."""
        outputs, state = self.cell(window.reshape(1, -1, 1))
        value = self.head(outputs[:, -1])
        generated = [value]
        for _ in range(count - 1):
            outputs, state = self.cell(value.reshape(1, 1, 1), state)
            value = self.head(outputs[:, -1])
            generated.append(value)
        return torch.cat(generated).flatten()


@dataclass
class Wave:
    values: torch.Tensor  # the noisy wave
    train_windows: torch.Tensor  # each row: sequence_length inputs, then the value to predict
    val_windows: torch.Tensor
    split: int  # index of the first held-out value

    def to(self, device: torch.device) -> Wave:
        return Wave(
            self.values.to(device), self.train_windows.to(device), self.val_windows.to(device), self.split
        )


def make_data(config: Config) -> Wave:
    generator = seeded_generator(config.seed)
    t = torch.arange(WAVE_LENGTH, dtype=torch.float32)
    phase = torch.rand(2, generator=generator) * 2 * math.pi
    clean = torch.sin(2 * math.pi * t / PERIODS[0] + phase[0]) + 0.5 * torch.sin(
        2 * math.pi * t / PERIODS[1] + phase[1]
    )
    values = clean + config.noise * torch.randn(WAVE_LENGTH, generator=generator)
    windows = values.unfold(0, config.sequence_length + 1, 1)  # row i predicts values[i + sequence_length]
    split = round(WAVE_LENGTH * (1 - HELD_OUT))
    first_held_out = split - config.sequence_length  # the first window whose target is held out
    return Wave(values, windows[:first_held_out], windows[first_held_out:], split)


@torch.no_grad()
def evaluate(model: NextValuePredictor, windows: torch.Tensor) -> torch.Tensor:
    model.eval()
    loss = F.mse_loss(model(windows[:, :-1]), windows[:, -1])
    model.train()
    return loss


@torch.no_grad()
def sequence_frame(model: NextValuePredictor, wave: Wave) -> Frame:
    """The first SHOWN held-out values, the one-step-ahead predictions, and a free run from the same start."""
    model.eval()
    shown = wave.val_windows[:SHOWN]
    prediction = model(shown[:, :-1])
    generated = model.generate(shown[0, :-1], len(shown))
    model.train()
    return {
        "sequence": {
            "t": list(range(wave.split, wave.split + len(shown))),
            "target": rounded(shown[:, -1], 3),
            "prediction": rounded(prediction, 3),
            "generated": rounded(generated, 3),
        }
    }


def train(config: Config, report: Reporter, device: torch.device) -> Outcome:
    torch.manual_seed(config.seed)
    wave = make_data(config).to(device)
    model = NextValuePredictor(config.cell, config.hidden_size).to(device)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    batches = shuffled_batches(len(wave.train_windows), config.batch_size, device)

    model.train()
    last = config.steps - 1
    for step in range(config.steps):
        windows = wave.train_windows[next(batches)]
        loss = F.mse_loss(model(windows[:, :-1]), windows[:, -1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        held_out = {}
        if step % EVAL_EVERY == 0 or step == last:
            held_out["val_loss"] = evaluate(model, wave.val_windows)
        report(step, loss=loss, **held_out, frame=lambda: sequence_frame(model, wave))

    val_mse = evaluate(model, wave.val_windows)
    visuals = sequence_frame(model, wave)
    report.flush(visuals)
    return Outcome(metrics={"val_mse": number(val_mse, 5)}, model=model, visuals=visuals)


LAB = Lab(
    slug="rnn",
    title=gettext_noop("Recurrent network"),
    summary=gettext_noop(
        "Predict the next value of a noisy wave from a window of past values with an RNN, GRU or LSTM, and "
        "let it run free on its own predictions."
    ),
    config=Config,
    train=train,
    steps_field="steps",
    charts=(Chart(gettext_noop("Loss"), ("loss", "val_loss"), log_y=True),),
    visuals=("sequence",),
    time_limit_s=400,
    cost=Cost(sizes=("hidden_size", "sequence_length", "batch_size"), fixed=0.5),
)
