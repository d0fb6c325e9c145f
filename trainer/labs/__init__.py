"""The labs a learner can run, in the order the lab index lists them.

Each lab module is plain PyTorch (no Django): a config dataclass of declared hyperparameters, a model, a
data function and a `train(config, report, device)` loop. The web layer and the Celery task find a lab here
by its slug.
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
from .base import Lab, Timing, measure

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


def warm_up() -> dict[str, Timing]:
    """Runs one step of every lab on the CPU, with one thread and nothing reported: the first call of each
    kind of layer builds its kernels (the first CNN run is a third slower otherwise), and the data sets get
    loaded. A CPU worker's parent process calls this before it forks, so every child starts warm; a GPU worker's
    calls it in a spawned process (config.celery). Never CUDA here: it does not survive a fork. Then times each lab (measure()), for the estimates of a run's
    duration that the web refuses over-long runs with."""
    import torch

    from .base import Reporter

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # no thread pool yet in the parent: a pool does not survive a fork either
    try:
        for lab in LABS.values():
            config = lab.config(**{lab.steps_field: 1, "device": "cpu"})
            lab.train(config, Reporter(1, lambda batch: None), torch.device("cpu"))
        return {slug: measure(lab) for slug, lab in LABS.items()}
    finally:
        torch.set_num_threads(threads)
