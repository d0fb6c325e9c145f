"""A recurrent network that reads a window of a noisy wave and predicts the value that comes next.

The wave is the sum of two sines with different periods, so the next value depends on where the window is
in both cycles: the network has to carry that state from step to step. The last fifth of the wave is held
out. A vanilla RNN, a GRU and an LSTM can be compared on the same wave.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
ADDING_TRAIN, ADDING_HELD_OUT = 2000, 500  # sequences of the adding problem


# Every state (batch, T, hidden) of a plain RNN cell with the weights of the model's nn.RNN, over inputs
# (batch, T, features) from a first state (batch, hidden): how a learner's own cell (a code exercise,
# exercises/training.py) runs inside the model.
Recurrence = Callable[[torch.Tensor, torch.Tensor, nn.RNN], torch.Tensor]


class NextValuePredictor(nn.Module):
    """A recurrent cell reads the window; a linear layer turns its last state into the next value."""

    def __init__(
        self,
        cell: str,
        hidden_size: int,
        recurrent_scale: float = 0.0,
        input_size: int = 1,
        recurrence: Recurrence | None = None,
    ) -> None:
        super().__init__()
        self.cell = CELLS[cell](input_size=input_size, hidden_size=hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)
        self.recurrence = recurrence
        if recurrent_scale:
            self.scale_recurrence(recurrent_scale)

    @torch.no_grad()
    def scale_recurrence(self, scale: float) -> None:
        """Each gate's recurrent matrix becomes `scale` × a random orthogonal matrix: every eigenvalue has
        modulus `scale`, so the spectral radius is exactly `scale`."""
        weight = self.cell.weight_hh_l0
        size = weight.shape[1]
        for start in range(0, weight.shape[0], size):
            weight[start : start + size] = scale * torch.linalg.qr(torch.randn(size, size))[0]

    def read(self, inputs: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Every state over `inputs` (batch, T, features), and the state to go on from (the cell's own, or the
        `recurrence`'s last), from `state` (None: zeros)."""
        if self.recurrence is None:
            return self.cell(inputs, state)
        first = inputs.new_zeros(len(inputs), self.cell.hidden_size) if state is None else state
        states = self.recurrence(inputs, first, self.cell)
        return states, states[:, -1]

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.read(windows.unsqueeze(-1) if windows.dim() == 2 else windows)
        return self.head(outputs[:, -1]).squeeze(-1)

    @torch.no_grad()
    def generate(self, window: torch.Tensor, count: int) -> torch.Tensor:
        """Runs free: each prediction is fed back as the next input, with no true value after `window`."""
        outputs, state = self.read(window.reshape(1, -1, 1))
        value = self.head(outputs[:, -1])
        generated = [value]
        for _ in range(count - 1):
            outputs, state = self.read(value.reshape(1, 1, 1), state)
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


@dataclass
class Sequences:
    """Inputs (sequences × time × features) and the value to predict from each, for training and held out."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor

    def to(self, device: torch.device) -> Sequences:
        return Sequences(*(t.to(device) for t in (self.x_train, self.y_train, self.x_val, self.y_val)))


def wave_sequences(wave: Wave) -> Sequences:
    train, val = wave.train_windows, wave.val_windows
    return Sequences(train[:, :-1, None], train[:, -1], val[:, :-1, None], val[:, -1])


def adding_problem(config: Config) -> Sequences:
    """Hochreiter and Schmidhuber's adding problem: at each time step a random number in [0, 1) and a mark
    (0 or 1); the two marked numbers, one in each half of the sequence, are to be added. The answer is not a
    linear function of the inputs (a number times its mark), and the first marked number must be kept until
    the end: what gates are for."""
    generator = seeded_generator(config.seed)
    length = config.sequence_length

    def draw(count: int) -> tuple[torch.Tensor, torch.Tensor]:
        numbers = torch.rand(count, length, generator=generator)
        marks = torch.zeros(count, length)
        rows = torch.arange(count)
        marks[rows, torch.randint(0, max(1, length // 2), (count,), generator=generator)] = 1
        marks[rows, torch.randint(length // 2, length, (count,), generator=generator)] = 1
        return torch.stack((numbers, marks), dim=-1), (numbers * marks).sum(dim=1)

    return Sequences(*draw(ADDING_TRAIN), *draw(ADDING_HELD_OUT))


def linear_baseline(data: Sequences) -> float:
    """The held-out error of the best linear predictor of the answer from the whole window (least squares
    on every input value plus a constant, solved in closed form): what a recurrent cell must beat to have
    learned anything a straight line cannot."""

    def design(x: torch.Tensor) -> torch.Tensor:
        return torch.cat((x.flatten(1), torch.ones(len(x), 1, device=x.device)), dim=1).double()

    weights = torch.linalg.lstsq(design(data.x_train).cpu(), data.y_train.double().cpu()[:, None]).solution
    predicted = (design(data.x_val).cpu() @ weights).squeeze(1)
    return F.mse_loss(predicted, data.y_val.double().cpu()).item()


@torch.no_grad()
def evaluate(model: NextValuePredictor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    model.eval()
    loss = F.mse_loss(model(x), y)
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


def train(
    config: Config, report: Reporter, device: torch.device, recurrence: Recurrence | None = None
) -> Outcome:
    """`recurrence`: a learner's plain RNN cell (config.cell "rnn"), which then gives every state, in training,
    evaluation and the free run alike (exercises/training.py)."""
    torch.manual_seed(config.seed)
    wave = make_data(config).to(device) if config.task == "wave" else None
    data = (wave_sequences(wave) if wave else adding_problem(config)).to(device)
    model = NextValuePredictor(
        config.cell,
        config.hidden_size,
        config.recurrent_scale,
        input_size=data.x_train.shape[-1],
        recurrence=recurrence,
    ).to(device)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    batches = shuffled_batches(len(data.x_train), config.batch_size, device)

    def frame() -> Frame | None:
        return sequence_frame(model, wave) if wave else None

    model.train()
    last = config.steps - 1
    for step in range(config.steps):
        batch = next(batches)
        inputs = data.x_train[batch].clone().requires_grad_(True)  # for the gradient through time
        loss = F.mse_loss(model(inputs), data.y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        # How the gradient changes as it travels back through the window: its norm at the oldest input
        # against the newest. Larger at the oldest: it grew on the way (exploding); far smaller: it faded.
        through_time = inputs.grad.flatten(2).norm(dim=(0, 2))
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm or math.inf)
        optimizer.step()
        held_out = {}
        if step % EVAL_EVERY == 0 or step == last:
            held_out["val_loss"] = evaluate(model, data.x_val, data.y_val)
        report(
            step,
            loss=loss,
            grad_norm=grad_norm,  # before clipping: what the step would have been
            grad_oldest=through_time[0],
            grad_newest=through_time[-1],
            **held_out,
            frame=frame if wave else None,
        )

    val_mse = evaluate(model, data.x_val, data.y_val)
    visuals = frame()
    report.flush(visuals)
    metrics = {"val_mse": number(val_mse, 5), "linear_val_mse": number(linear_baseline(data), 5)}
    return Outcome(metrics=metrics, model=model, visuals=visuals or {})
