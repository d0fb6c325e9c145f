"""Training a lab with the learner's own function: its loop runs inside the sandbox, the worker relays it.

Why the whole loop runs in the sandbox, not the function alone, and not "a safe form" of it: a learner's
function is arbitrary Python; the only safe place to call it is inside bubblewrap, and calling into a sandbox
once per step would cost a round trip per step. So the loop (a few lines of numpy) runs inside, with the same
data and starting values the lab's own PyTorch code uses, and streams w and b out; the worker computes the loss
from them itself (a sandbox cannot make its curve look good), reports like any lab (so a NaN or infinity
ends the run `diverged`), draws the fit, and kills the sandbox at a cancel or the time limit.

Imported only on a worker (it imports PyTorch through the lab).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from trainer.labs.base import Outcome, Reporter
from trainer.labs.data import number
from trainer.labs.errors import LabError
from trainer.labs.linear_regression import Line, fit_frame, make_data
from trainer.messages import Message

from . import sandbox


class LearnerCodeError(LabError):
    """The learner's function failed during training; `said` is what the run's end says (trainer/runner.py)."""

    def __init__(self, said: Message) -> None:
        super().__init__(said.code)
        self.said = said


HARNESS = (Path(__file__).parent / "train_harness.py").read_text(encoding="utf-8")


def linear_regression(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The linear-regression lab, each step taken by the learner's `gradient_step` (plain gradient descent
    at the form's learning rate: the optimizer is their function)."""
    torch.manual_seed(config.seed)
    x, y = make_data(config)
    model = Line()  # the lab's own starting w (seeded) and b = 0
    request = {
        "source": code["source"],
        "function": "gradient_step",
        "x": x.tolist(),
        "y": y.tolist(),
        "w": float(model.w),
        "b": float(model.b),
        "lr": config.learning_rate,
        "steps": config.steps,
        "report_every": config.report_every,
    }
    failure: list[str] = []

    def point(line: bytes) -> None:
        if line.startswith(b"error "):
            failure.append(line[6:].decode(errors="replace")[:400])
            return
        step_text, w_text, b_text = line.decode().split()
        with torch.no_grad():
            model.w.fill_(float(w_text))
            model.b.fill_(float(b_text))
            loss = F.mse_loss(model(x), y)
        report(int(step_text), loss=loss, w=model.w, b=model.b, frame=lambda: fit_frame(model, x, y))

    limits = sandbox.Limits(cpu_s=150, wall_s=160, output_bytes=16 * 2**20)
    outcome = sandbox.run_python(HARNESS, stdin=json.dumps(request).encode(), limits=limits, on_line=point)
    if failure:
        raise LearnerCodeError(Message("learner_code_raised", {"error": failure[0]}))
    if outcome.status != "ok":
        raise LearnerCodeError(Message("learner_code_stopped", {"status": outcome.status}))
    with torch.no_grad():
        final_loss = F.mse_loss(model(x), y)
    visuals = fit_frame(model, x, y)
    report.flush(visuals)
    return Outcome(
        metrics={"w": number(model.w, 6), "b": number(model.b, 6), "loss": number(final_loss, 9)},
        model=model,
        visuals=visuals,
    )


TRAINERS = {"linear-regression": linear_regression}
