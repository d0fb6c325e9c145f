"""Activation functions side by side: the same small network with sigmoid, tanh and ReLU, trained together.

All three start from the same weights, see the same points and take the same optimizer steps, so any
difference in the loss curves and decision boundaries comes from the activation alone. Sigmoid's gradient is
at most 0.25 and its output is never centred on zero, so it learns slowest, and more layers make it worse.
"""

from __future__ import annotations

import torch
from torch import nn

from ..catalog.activations import Config
from .base import (
    Frame,
    Outcome,
    Reporter,
    make_optimizer,
)
from .data import (
    Split,
    grid,
    number,
    padded_extent,
    rounded,
    seeded_generator,
    stratified_split,
    two_d_dataset,
)

ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
HELD_OUT = 0.3  # share of the points kept aside to measure accuracy
GRID_SIZE = 40  # the decision boundary is drawn from GRID_SIZE² predictions


class MLP(nn.Module):
    """A multilayer perceptron from the plane to the logit of class 1."""

    def __init__(self, activation: str, hidden_units: int, layers: int) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        width = 2
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden_units), ACTIVATIONS[activation]()]
            width = hidden_units
        blocks.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).squeeze(-1)


def make_data(config: Config) -> Split:
    generator = seeded_generator(config.seed)
    x, y = two_d_dataset(config.dataset, config.points, config.noise, generator)
    train_index, val_index = stratified_split(y, HELD_OUT, generator)
    return Split(x[train_index], y[train_index].float(), x[val_index], y[val_index].float())


@torch.no_grad()
def accuracy(model: MLP, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    model.eval()
    correct = ((model(x) > 0).float() == y).float().mean()
    model.train()
    return correct


@torch.no_grad()
def boundary_frame(models: nn.ModuleDict, data: Split, extent: tuple[float, float, float, float]) -> Frame:
    points = grid(extent, GRID_SIZE, data.x_train.device)
    probabilities = {}
    for name, model in models.items():
        model.eval()
        probabilities[name] = rounded(torch.sigmoid(model(points)), 2)
        model.train()
    return {
        "boundary": {
            "extent": list(extent),
            "size": GRID_SIZE,
            "models": probabilities,
            "points": rounded(torch.cat((data.x_train, data.y_train[:, None]), dim=1), 3),
        }
    }


def train(config: Config, report: Reporter, device: torch.device) -> Outcome:
    torch.manual_seed(config.seed)
    data = make_data(config).to(device)
    extent = padded_extent(torch.cat((data.x_train, data.x_val)))
    models = nn.ModuleDict()
    for name in ACTIVATIONS:
        torch.manual_seed(config.seed)  # the same initial weights for all three
        models[name] = MLP(name, config.hidden_units, config.layers)
    models.to(device)
    optimizers = {
        name: make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
        for name, model in models.items()
    }
    criterion = nn.BCEWithLogitsLoss()

    models.train()
    for step in range(config.steps):
        scalars = {}
        for name, model in models.items():
            loss = criterion(model(data.x_train), data.y_train)
            optimizers[name].zero_grad()
            loss.backward()
            optimizers[name].step()
            scalars[f"loss_{name}"] = loss
            scalars[f"acc_{name}"] = accuracy(model, data.x_val, data.y_val)
        report(step, **scalars, frame=lambda: boundary_frame(models, data, extent))

    visuals = boundary_frame(models, data, extent)
    report.flush(visuals)
    return Outcome(
        metrics={
            "accuracy": {
                name: number(accuracy(model, data.x_val, data.y_val)) for name, model in models.items()
            }
        },
        model=models,
        visuals=visuals,
    )
