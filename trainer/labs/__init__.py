"""The labs a learner can run, in the order the lab index lists them.

Each lab module is plain PyTorch (no Django): a config dataclass of declared hyperparameters, a model, a
data function and a `train(config, report, device)` loop. The web layer and the Celery task find a lab here
by its slug.
"""

from __future__ import annotations

from . import activations, class_imbalance, cnn, linear_regression, logistic_regression, overfitting, rnn
from .base import Lab

LABS: dict[str, Lab] = {
    lab.slug: lab
    for lab in (
        linear_regression.LAB,
        logistic_regression.LAB,
        activations.LAB,
        cnn.LAB,
        rnn.LAB,
        overfitting.LAB,
        class_imbalance.LAB,
    )
}


def get_lab(slug: str) -> Lab:
    """The lab with this slug; KeyError if there is none."""
    return LABS[slug]
