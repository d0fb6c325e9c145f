"""Logistic regression on real data: is a breast tumour malignant or benign, from 30 measurements of its cells.

scikit-learn ships the Wisconsin diagnostic breast cancer data (569 tumours), so nothing is downloaded. The
positive class is *malignant*: missing one is the costly mistake, so recall on it is the number to watch,
and the decision threshold trades it against precision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import torch
from torch import nn

from ..catalog.logistic_regression import Config
from .base import (
    Frame,
    LossGradient,
    Outcome,
    Reporter,
    backward,
    make_optimizer,
)
from .data import Split, number, seeded_generator, shuffled_batches, stratified_split

LABELS = ["malignant", "benign"]  # the order of the confusion matrix's rows (true) and columns (predicted)


class LogisticRegression(nn.Module):
    """One linear layer: the logit of P(malignant). The sigmoid lives in the loss (BCEWithLogitsLoss),
    which is numerically safer than a sigmoid here followed by a log there."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).squeeze(-1)


def make_data(config: Config) -> Split:
    # Imported here: scikit-learn takes a second to import and only the worker needs it.
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    x = torch.tensor(bunch.data, dtype=torch.float32)
    y = torch.tensor(bunch.target == 0, dtype=torch.float32)  # scikit-learn's 0 is malignant: our positive
    train_index, val_index = stratified_split(y, config.test_fraction, seeded_generator(config.seed))
    # Standardised with the training set's statistics only: the held-out tumours stay unseen.
    mean, std = x[train_index].mean(dim=0), x[train_index].std(dim=0)
    x = (x - mean) / std
    return Split(x[train_index], y[train_index], x[val_index], y[val_index])


def confusion(logits: torch.Tensor, y: torch.Tensor, threshold: float) -> torch.Tensor:
    """2×2 counts, rows the true class and columns the predicted one, malignant first."""
    predicted = torch.sigmoid(logits) >= threshold
    actual = y.bool()
    return torch.stack(
        (
            torch.stack(((actual & predicted).sum(), (actual & ~predicted).sum())),
            torch.stack(((~actual & predicted).sum(), (~actual & ~predicted).sum())),
        )
    )


@torch.no_grad()
def evaluate(model: LogisticRegression, data: Split, threshold: float) -> dict[str, torch.Tensor]:
    """Held-out loss, accuracy and confusion matrix, left on the device (the Reporter fetches them)."""
    model.eval()
    logits = model(data.x_val)
    matrix = confusion(logits, data.y_val, threshold)
    model.train()
    return {
        "val_loss": nn.functional.binary_cross_entropy_with_logits(logits, data.y_val),
        "val_accuracy": matrix.diagonal().sum() / len(data.y_val),
        "matrix": matrix,
    }


def confusion_frame(matrix: torch.Tensor) -> Frame:
    return {"confusion": {"labels": LABELS, "matrix": matrix.tolist()}}


def scores(matrix: list[list[int]]) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 for the malignant class."""
    (tp, fn), (fp, tn) = matrix
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": round((tp + tn) / (tp + fn + fp + tn), 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def train(
    config: Config,
    report: Reporter,
    device: torch.device,
    *,
    loss_gradient: LossGradient | None = None,
    make_own_optimizer: Callable[[Iterator[nn.Parameter], float], torch.optim.Optimizer] | None = None,
) -> Outcome:
    """A learner's own code may take part (exercises/training.py): `loss_gradient`, their binary
    cross-entropy's gradient (exercise stable-sigmoid-bce); `make_own_optimizer`, from the parameters and the
    learning rate, their AdamW (exercise adamw-step)."""
    torch.manual_seed(config.seed)
    data = make_data(config).to(device)
    model = LogisticRegression(data.x_train.shape[1]).to(device)
    make = make_own_optimizer or partial(make_optimizer, config.optimizer)
    optimizer = make(model.parameters(), config.learning_rate)
    criterion = nn.BCEWithLogitsLoss()
    batches = shuffled_batches(len(data.y_train), config.batch_size, device)

    model.train()
    for step in range(config.steps):
        index = next(batches)
        logits, targets = model(data.x_train[index]), data.y_train[index]
        loss = criterion(logits, targets)
        optimizer.zero_grad()
        backward(loss, logits, targets, loss_gradient)
        optimizer.step()
        held_out = evaluate(model, data, config.threshold)
        matrix = held_out.pop("matrix")
        report(step, loss=loss, **held_out, frame=partial(confusion_frame, matrix))

    held_out = evaluate(model, data, config.threshold)
    visuals = confusion_frame(held_out["matrix"])
    report.flush(visuals)
    matrix = visuals["confusion"]["matrix"]
    return Outcome(
        metrics={**scores(matrix), "val_loss": number(held_out["val_loss"]), "confusion_matrix": matrix},
        model=model,
        visuals=visuals,
    )
