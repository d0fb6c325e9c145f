"""Overfitting, and three ways to hold it back: weight decay, dropout and early stopping.

A network far bigger than its 20 noisy training points learns the smooth curve first, then bends itself
through every point, noise included: the training loss keeps falling while the loss on 200 fresh points from
the same curve turns and rises. Each remedy can be switched on to see the rise flatten or stop.
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.overfitting import Config
from .base import (
    Frame,
    Outcome,
    Reporter,
    make_optimizer,
)
from .data import Split, number, rounded, seeded_generator

VAL_POINTS = 200  # fresh points from the same curve that the network never trains on
SHOWN_VAL_POINTS = 50  # of them, drawn on the page
CURVE_POINTS = 100  # where the network's curve is sampled for the page


class MLP(nn.Module):
    """A multilayer perceptron from x to y, with optional dropout after every hidden layer. Tanh keeps the
    curve smooth, so memorised noise shows as wiggles between the points."""

    def __init__(self, hidden_units: int, layers: int, dropout: float) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        width = 1
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden_units), nn.Tanh(), nn.Dropout(dropout)]
            width = hidden_units
        blocks.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.unsqueeze(-1)).squeeze(-1)


def make_data(config: Config) -> Split:
    generator = seeded_generator(config.seed)

    def sample(count: int) -> tuple[torch.Tensor, torch.Tensor]:
        # One x in each of `count` equal slices of [0, 1]: spread out, so that what the network gets wrong
        # is the noise it memorises, not a stretch of the curve that no training point showed it.
        x = (torch.arange(count) + torch.rand(count, generator=generator)) / count
        return x, torch.sin(2 * math.pi * x) + config.noise * torch.randn(count, generator=generator)

    return Split(*sample(config.train_points), *sample(VAL_POINTS))


@torch.no_grad()
def evaluate(model: MLP, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    model.eval()
    loss = F.mse_loss(model(x), y)
    model.train()
    return loss


@torch.no_grad()
def fit_frame(model: MLP, data: Split) -> Frame:
    model.eval()
    x = torch.linspace(0, 1, CURVE_POINTS, device=data.x_train.device)
    curve = torch.stack((x, model(x)), dim=1)
    model.train()
    every = max(1, len(data.x_val) // SHOWN_VAL_POINTS)  # evenly along x: the points are in order of x
    return {
        "fit": {
            "train": rounded(torch.stack((data.x_train, data.y_train), dim=1), 3),
            "val": rounded(torch.stack((data.x_val, data.y_val), dim=1)[::every], 3),
            "curve": rounded(curve, 3),
        }
    }


def train(config: Config, report: Reporter, device: torch.device) -> Outcome:
    torch.manual_seed(config.seed)
    data = make_data(config).to(device)
    model = MLP(config.hidden_units, config.layers, config.dropout).to(device)
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.learning_rate, config.weight_decay
    )
    val_history = torch.full((config.epochs,), math.inf, device=device)
    best_val, best_epoch, best_weights = math.inf, 0, None
    stopped_early = False

    model.train()
    for epoch in range(config.epochs):
        loss = F.mse_loss(model(data.x_train), data.y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        val_loss = evaluate(model, data.x_val, data.y_val)
        val_history[epoch] = val_loss
        report(epoch, loss=loss, val_loss=val_loss, frame=lambda: fit_frame(model, data))
        if config.early_stopping:
            # Stopping is a decision on the host, so this reads the loss at every step: cheap on a model
            # this small, and only when early stopping is on.
            if (value := val_loss.item()) < best_val:
                best_val, best_epoch, best_weights = value, epoch, copy.deepcopy(model.state_dict())
            elif epoch - best_epoch >= config.patience:
                stopped_early = True
                break

    if config.early_stopping:
        model.load_state_dict(best_weights)
    if stopped_early:
        report.total_steps = epoch + 1  # the run is complete: progress reads 100%, not epoch / epochs
    best_epoch = int(val_history.argmin())
    visuals = fit_frame(model, data)
    report.flush(visuals)
    return Outcome(
        metrics={
            "train_loss": number(evaluate(model, data.x_train, data.y_train), 5),
            "val_loss": number(evaluate(model, data.x_val, data.y_val), 5),
            "best_val_loss": number(val_history[best_epoch], 5),
            "best_step": best_epoch,
            "stopped_early": stopped_early,
        },
        model=model,
        visuals=visuals,
    )
