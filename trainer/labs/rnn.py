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

from ..catalog.rnn import Config
from .base import (
    Frame,
    Outcome,
    Reporter,
    make_optimizer,
)
from .data import number, rounded, seeded_generator, shuffled_batches

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
WAVE_LENGTH = 1000  # samples of the wave
HELD_OUT = 0.2  # the last fifth of the wave, never trained on
PERIODS = (50, 17)  # samples per cycle of the two sines
SHOWN = 100  # held-out samples drawn on the page
EVAL_EVERY = 10  # steps between two held-out losses


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
