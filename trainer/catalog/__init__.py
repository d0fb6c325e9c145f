"""The labs a learner can run, in the order the lab index lists them: what each one is and declares.

Plain Python, no PyTorch: the web process, the API, the forms, the estimates and the lessons read the labs
here; only a worker imports a lab's training code (trainer/labs/<name>.py), through `Lab.train`.
"""

from __future__ import annotations

from . import (
    activations,
    class_imbalance,
    cnn,
    gpt,
    linear_regression,
    logistic_regression,
    overfitting,
    rnn,
)
from .lab import Lab

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
        gpt.LAB,
    )
}
