"""Training a lab with the learner's own function: their function runs only inside the sandbox.

Two shapes, by what the function is:

- a gradient step (linear-gradient-step): the whole loop runs inside (a few lines of numpy, with the same data
  and starting values the lab's own PyTorch code uses) and streams w and b out, so a step costs no round
  trip; the worker computes the loss from them itself and draws the fit;
- a loss (stable-sigmoid-bce, stable-softmax-cross-entropy): the worker keeps the lab's own model, data and
  loop (trainer/labs/, `loss_gradient`), and one sandbox stays open for the run as a Session. Each step sends
  the batch's logits; the sandbox answers with the learner's loss of each single example at each label, which
  is -log p (p the sigmoid or softmax their function implies), so p = exp(-answer) and the gradient of the
  mean loss with respect to the logits is (p - onehot) / n. Their function returns a mean, not a gradient:
  calling it on one example at a time is how its gradient is read without trusting any code of theirs
  outside the sandbox.

Either way the loss the run reports is the worker's own (a sandbox cannot make its curve look good), so a
NaN or infinity ends the run `diverged` through the Reporter, as any run's; a cancel or the time limit kills
the sandbox.

Imported only on a worker (it imports PyTorch through the labs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from trainer.catalog import LABS
from trainer.labs import cnn as cnn_lab
from trainer.labs import logistic_regression as logistic_regression_lab
from trainer.labs.base import LossGradient, Outcome, Reporter
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


class LossInSandbox:
    """The learner's loss function, loaded once in a sandbox that stays open for the run: called with a
    batch's logits, it returns -log p of each (and each class), as their function computes it."""

    ANSWER_S = 30.0  # one batch's answer: code that sleeps or waits instead of answering is stopped

    def __init__(self, session: sandbox.Session, code: dict[str, Any], function: str, probe: str) -> None:
        self.session = session
        self.first = json.dumps({"source": code["source"], "function": function, "probe": probe})

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        question = json.dumps(logits.double().tolist()).encode()
        if self.first:  # the source goes with the first batch: one line, one answer
            question, self.first = self.first.encode() + b"\n" + question, ""
        try:
            line = self.session.ask(question, timeout_s=self.ANSWER_S)
        except sandbox.SessionEnded as ended:
            raise LearnerCodeError(Message("learner_code_stopped", {"status": ended.status})) from None
        if line.startswith(b"error "):
            raise LearnerCodeError(
                Message("learner_code_raised", {"error": line[6:].decode(errors="replace")[:400]})
            )
        try:
            if not line.startswith(b"ok "):
                raise ValueError(line[:40])
            answer = torch.tensor(json.loads(line[3:]), dtype=torch.float64)
        except (ValueError, TypeError, RecursionError):
            answer = None
        if answer is None or answer.shape != logits.shape:  # only code that wrote past the harness gets here
            raise LearnerCodeError(Message("learner_code_garbled"))
        return answer.to(logits.device)


def _limits(lab_slug: str) -> sandbox.Limits:
    """The sandbox may use the run's whole time: the run's own limit stops it first (it kills the sandbox)."""
    seconds = LABS[lab_slug].time_limit_s
    return sandbox.Limits(cpu_s=seconds, wall_s=seconds + 30, output_bytes=16 * 2**20)


def bce_gradient(loss: LossInSandbox) -> LossGradient:
    def gradient(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        probability = torch.exp(-loss(logits))  # σ(z), from -log σ(z)
        return (probability - targets) / len(targets)

    return gradient


def softmax_gradient(loss: LossInSandbox) -> LossGradient:
    def gradient(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        probabilities = torch.exp(-loss(logits))  # softmax(logits), from -log softmax
        return (probabilities - F.one_hot(labels, logits.shape[1])) / len(labels)

    return gradient


def logistic_regression(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The logistic-regression lab, its gradients from the learner's `bce_with_logits`."""
    with sandbox.Session(HARNESS, _limits("logistic-regression")) as session:
        loss = LossInSandbox(session, code, "bce_with_logits", "minus_log_sigmoid")
        return logistic_regression_lab.train(config, report, device, loss_gradient=bce_gradient(loss))


def cnn(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The CNN lab, its gradients from the learner's `softmax_cross_entropy`."""
    with sandbox.Session(HARNESS, _limits("cnn")) as session:
        loss = LossInSandbox(session, code, "softmax_cross_entropy", "minus_log_softmax")
        return cnn_lab.train(config, report, device, loss_gradient=softmax_gradient(loss))


TRAINERS = {"linear-regression": linear_regression, "logistic-regression": logistic_regression, "cnn": cnn}
