"""Class imbalance: when one class is rare, a plain classifier learns to ignore it.

Three copies of the same classifier learn the same data side by side: one plainly, one on mini-batches that
draw the rare class as often as the common one (oversampling), and one whose loss counts each rare example
as much as all the common ones together (class weights). Accuracy hardly tells them apart; recall on the
rare class does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.class_imbalance import Config
from .base import (
    Frame,
    Outcome,
    Reporter,
    make_optimizer,
)
from .data import Split, number, seeded_generator, shuffled_batches, stratified_split

METHODS = ("none", "resample", "weights")
CLASSES = ["majority", "minority"]  # labels 0 and 1; the minority is the positive class
HELD_OUT = 0.3  # share of the points kept aside, stratified so the rare class is there too
HIDDEN_UNITS = 16


class Classifier(nn.Module):
    """A small network from a point in the plane to the logit of the minority class."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(2, HIDDEN_UNITS), nn.ReLU(), nn.Linear(HIDDEN_UNITS, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).squeeze(-1)


def make_data(config: Config) -> Split:
    """Two round Gaussian blobs, the rare one `separation` standard deviations from the common one."""
    generator = seeded_generator(config.seed)
    minority = max(2, round(config.points * config.minority_share))
    labels = torch.cat((torch.zeros(config.points - minority), torch.ones(minority)))
    centre = torch.tensor([1.0, 1.0]) * config.separation / 2**0.5
    x = torch.randn(config.points, 2, generator=generator) + labels[:, None] * centre
    train_index, val_index = stratified_split(labels, HELD_OUT, generator)
    return Split(x[train_index], labels[train_index], x[val_index], labels[val_index])


@torch.no_grad()
def recalls(model: Classifier, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Recall of each class (majority, minority) on held-out points, left on the device."""
    model.eval()
    predicted = model(x) > 0
    model.train()
    actual = y.bool()
    return torch.stack(
        ((~predicted & ~actual).sum() / (~actual).sum(), (predicted & actual).sum() / actual.sum())
    )


def recall_frame(models: nn.ModuleDict, data: Split) -> Frame:
    return {
        "recall": {
            "classes": CLASSES,
            "methods": {
                name: [round(r, 4) for r in recalls(model, data.x_val, data.y_val).tolist()]
                for name, model in models.items()
            },
        }
    }


@torch.no_grad()
def scores(model: Classifier, data: Split) -> dict[str, float | None]:
    model.eval()
    predicted = (model(data.x_val) > 0).float()
    model.train()
    majority, minority = recalls(model, data.x_val, data.y_val).tolist()
    flagged = predicted.sum()
    return {
        "accuracy": number((predicted == data.y_val).float().mean()),
        "balanced_accuracy": number((majority + minority) / 2),
        "recall_majority": number(majority),
        "recall_minority": number(minority),
        # The price of the corrections: more majority points flagged as minority.
        "precision_minority": number((predicted * data.y_val).sum() / flagged) if flagged else 0.0,
    }


def train(config: Config, report: Reporter, device: torch.device) -> Outcome:
    torch.manual_seed(config.seed)
    data = make_data(config).to(device)
    models = nn.ModuleDict()
    for name in METHODS:
        torch.manual_seed(config.seed)  # the same initial weights for all three
        models[name] = Classifier()
    models.to(device)
    optimizers = {
        name: make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
        for name, model in models.items()
    }
    count_minority = data.y_train.sum()
    count_majority = len(data.y_train) - count_minority
    # Oversampling: each point is drawn with probability inversely proportional to its class's size,
    # so a batch is half minority on average (what torch's WeightedRandomSampler does, here on the device).
    sample_weights = torch.where(data.y_train.bool(), 1 / count_minority, 1 / count_majority)
    # Class weights: each minority point's loss counts count_majority / count_minority times.
    pos_weight = count_majority / count_minority
    uniform = shuffled_batches(len(data.y_train), config.batch_size, device)
    batch_size = min(config.batch_size, len(data.y_train))

    models.train()
    for step in range(config.steps):
        plain_index = next(uniform)  # "none" and "weights" see the same batches
        scalars = {}
        for name, model in models.items():
            if name == "resample":
                index = torch.multinomial(sample_weights, batch_size, replacement=True)
            else:
                index = plain_index
            x, y = data.x_train[index], data.y_train[index]
            weight = pos_weight if name == "weights" else None
            loss = F.binary_cross_entropy_with_logits(model(x), y, pos_weight=weight)
            optimizers[name].zero_grad()
            loss.backward()
            optimizers[name].step()
            scalars[f"loss_{name}"] = loss
            scalars[f"recall_{name}"] = recalls(model, data.x_val, data.y_val)[1]
        report(step, **scalars, frame=lambda: recall_frame(models, data))

    visuals = recall_frame(models, data)
    report.flush(visuals)
    return Outcome(
        metrics={name: scores(model, data) for name, model in models.items()},
        model=models,
        visuals=visuals,
    )
