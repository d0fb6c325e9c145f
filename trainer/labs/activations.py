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


def layer_gradients(model: MLP) -> torch.Tensor:
    """The norm of each linear layer's weight gradient, first hidden layer first, output layer last."""
    return torch.stack([m.weight.grad.norm() for m in model.layers if isinstance(m, nn.Linear)])


def gradients_frame(norms: dict[str, torch.Tensor]) -> Frame:
    """Per network, each layer's weight-gradient norm at the last step: how much of the error signal
    reaches each layer."""
    return {
        "gradients": {name: [float(f"{v:.3g}") for v in values.tolist()] for name, values in norms.items()}
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

    norms: dict[str, torch.Tensor] = {}
    shrink: dict[str, float] = {}  # per network: output layer's gradient ÷ first layer's, at the first step

    def frame() -> Frame:
        return {**boundary_frame(models, data, extent), **gradients_frame(norms)}

    models.train()
    for step in range(config.steps):
        scalars = {}
        for name, model in models.items():
            loss = criterion(model(data.x_train), data.y_train)
            optimizers[name].zero_grad()
            loss.backward()
            norms[name] = layer_gradients(model).detach()
            if step == 0:
                shrink[name] = (norms[name][-1] / norms[name][0].clamp_min(1e-30)).item()
            optimizers[name].step()
            scalars[f"loss_{name}"] = loss
            scalars[f"acc_{name}"] = accuracy(model, data.x_val, data.y_val)
        # The gradient reaching the sigmoid network's first layer, against its output layer's.
        scalars["grad_first_sigmoid"], scalars["grad_output_sigmoid"] = (
            norms["sigmoid"][0],
            norms["sigmoid"][-1],
        )
        report(step, **scalars, frame=frame)

    visuals = frame()
    report.flush(visuals)
    return Outcome(
        metrics={
            "accuracy": {
                name: number(accuracy(model, data.x_val, data.y_val)) for name, model in models.items()
            },
            "gradient_ratio": {name: float(f"{ratio:.4g}") for name, ratio in shrink.items()},
        },
        model=models,
        visuals=visuals,
    )
