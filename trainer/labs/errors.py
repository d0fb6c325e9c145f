"""How a run ends early: the exceptions a training loop raises (no PyTorch here: the web side catches them too)."""


class LabError(Exception):
    """Something the learner asked for that this lab or this worker cannot do; the message is for them."""


class Cancelled(Exception):
    """Raised through the training loop when the learner cancels the job."""


class Diverged(Exception):
    """Raised through the training loop when a reported value becomes NaN or infinite: nothing after that
    step means anything, so the run stops there. `last_loss` is the last finite value of the loss (of the
    series that diverged when it is a loss), reported at `last_step`; None if there was none."""

    def __init__(self, step: int, series: str, last_loss: float | None, last_step: int | None) -> None:
        super().__init__(f"{series} is not finite at step {step}")
        self.step, self.series, self.last_loss, self.last_step = step, series, last_loss, last_step
