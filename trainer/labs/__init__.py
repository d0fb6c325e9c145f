"""The labs' training code: one module per lab, plain PyTorch (no Django), each with a
`train(config, report, device)` loop over the config its catalog entry declares (trainer/catalog).

Only a worker imports these modules (through `Lab.train`); the web reads the catalog.
"""

from __future__ import annotations

from ..catalog import LABS
from ..catalog.lab import Timing


def warm_up() -> dict[str, Timing]:
    """Runs one step of every lab on the CPU, with one thread and nothing reported: the first call of each
    kind of layer builds its kernels (the first CNN run is a third slower otherwise), and the data sets get
    loaded. A CPU worker's parent process calls this before it forks, so every child starts warm; a GPU worker's
    calls it in a spawned process (config.celery). Never CUDA here: it does not survive a fork. Then times each lab (measure()), for the estimates of a run's
    duration that the web refuses over-long runs with."""
    import torch

    from .base import Reporter, measure

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # no thread pool yet in the parent: a pool does not survive a fork either
    try:
        for lab in LABS.values():
            config = lab.config(**{lab.steps_field: 1, "device": "cpu"})
            lab.train(config, Reporter(1, lambda batch: None), torch.device("cpu"))
        return {slug: measure(lab) for slug, lab in LABS.items()}
    finally:
        torch.set_num_threads(threads)
