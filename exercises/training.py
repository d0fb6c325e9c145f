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
  outside the sandbox. An optimizer step (adamw-step) and causal attention (causal-attention: the weights of
  every attention layer of the tiny GPT, see SoftmaxAttention) are asked the same way, in a Session, and so
  are a recurrent cell (rnn-cell-step: every state of the RNN lab's plain cell, see ElmanRecurrence) and a
  convolution and a max-pool (conv2d-max-pool: every convolution and max-pool of the CNN, see
  CrossCorrelation and MaxPool2x2).

Either way the loss the run reports is the worker's own (a sandbox cannot make its curve look good), so a
NaN or infinity ends the run `diverged` through the Reporter, as any run's; a cancel or the time limit kills
the sandbox.

Imported only on a worker (it imports PyTorch through the labs).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from trainer.catalog import LABS
from trainer.labs import cnn as cnn_lab
from trainer.labs import gpt as gpt_lab
from trainer.labs import logistic_regression as logistic_regression_lab
from trainer.labs import rnn as rnn_lab
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


class InSandbox:
    """The learner's function, loaded once in a sandbox that stays open for the run (the harness's `probe`
    calls it): each call sends a question (JSON) and returns their answer, decoded. Their error, or a sandbox
    that stops or writes what the harness does not, ends the run in words (LearnerCodeError)."""

    ANSWER_S = 30.0  # one answer: code that sleeps or waits instead of answering is stopped

    def __init__(
        self, session: sandbox.Session, code: dict[str, Any], function: str | list[str], probe: str
    ) -> None:
        self.session = session
        self.first = json.dumps({"source": code["source"], "function": function, "probe": probe})

    def __call__(self, question: Any) -> Any:
        line = json.dumps(question).encode()
        if self.first:  # the source goes with the first question: one line, one answer
            line, self.first = self.first.encode() + b"\n" + line, ""
        try:
            answer = self.session.ask(line, timeout_s=self.ANSWER_S)
        except sandbox.SessionEnded as ended:
            raise LearnerCodeError(Message("learner_code_stopped", {"status": ended.status})) from None
        if answer.startswith(b"error "):
            said = answer[6:].decode(errors="replace")[:400]
            raise LearnerCodeError(Message("learner_code_raised", {"error": said}))
        try:
            if not answer.startswith(b"ok "):
                raise ValueError(answer[:40])
            return json.loads(answer[3:])
        except (ValueError, RecursionError):
            raise garbled() from None


def garbled() -> LearnerCodeError:
    """Only code that wrote past the harness (to its output, by hand) answers what the harness would not."""
    return LearnerCodeError(Message("learner_code_garbled"))


def tensor(value: Any, like: torch.Tensor) -> torch.Tensor:
    """An answer as a tensor of `like`'s shape (float64, on its device), or garbled."""
    try:
        found = torch.tensor(value, dtype=torch.float64)
    except (ValueError, TypeError, RuntimeError):
        raise garbled() from None
    if found.shape != like.shape:
        raise garbled()
    return found.to(like.device)


def packed(value: Any, shape: tuple[int, ...]) -> torch.Tensor:
    """An answer of little-endian float64 in base64 (the harness's way with large arrays) as a float64 tensor
    of `shape`, or garbled."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise garbled() from None
    if len(raw) != 8 * math.prod(shape):
        raise garbled()
    return torch.frombuffer(bytearray(raw), dtype=torch.float64).view(shape)


def _limits(lab_slug: str) -> sandbox.Limits:
    """The sandbox may use the run's whole time: the run's own limit stops it first (it kills the sandbox)."""
    seconds = LABS[lab_slug].time_limit_s
    return sandbox.Limits(cpu_s=seconds, wall_s=seconds + 30, output_bytes=16 * 2**20)


def bce_gradient(loss: InSandbox) -> LossGradient:
    def gradient(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        probability = torch.exp(-tensor(loss(logits.double().tolist()), logits))  # σ(z), from -log σ(z)
        return (probability - targets) / len(targets)

    return gradient


def softmax_gradient(loss: InSandbox) -> LossGradient:
    def gradient(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        minus_log_p = tensor(loss(logits.double().tolist()), logits)
        return (torch.exp(-minus_log_p) - F.one_hot(labels, logits.shape[1])) / len(labels)

    return gradient


class SoftmaxAttention(torch.autograd.Function):
    """Causal attention weights W (batch, heads, T, T) from `weights_of` (the learner's function, in the
    sandbox), back-propagated as the exact derivative of softmax attention at those weights (not PyTorch's
    softmax recomputed): with S = q kᵀ / √d, dS = W ⊙ (dW − rowsum(dW ⊙ W)), dq = dS k / √d, dk = dSᵀ q / √d.
    The mask's zeros of W keep dS zero there. Their product with v (and its dv, dW) is the model's own."""

    @staticmethod
    def forward(ctx: Any, q: torch.Tensor, k: torch.Tensor, weights_of: Any) -> torch.Tensor:
        weights = weights_of(q.detach(), k.detach()).to(q.dtype)
        ctx.save_for_backward(q, k, weights)
        return weights

    @staticmethod
    def backward(ctx: Any, d_weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None]:
        q, k, weights = ctx.saved_tensors
        d_scores = weights * (d_weights - (d_weights * weights).sum(dim=-1, keepdim=True))
        scale = 1 / math.sqrt(q.shape[-1])
        return d_scores @ k * scale, d_scores.transpose(-2, -1) @ q * scale, None


ANSWER_NUMBERS = (
    2**20
)  # weights per question at most: 8 MiB of float64, 11 in base64, under the session's cap


def encoded(values: torch.Tensor) -> str:
    """A tensor as the harness reads large arrays: little-endian float64, in base64."""
    return base64.b64encode(
        values.detach().double().cpu().contiguous().numpy().astype("<f8").tobytes()
    ).decode()


def arrays(**named: torch.Tensor) -> dict[str, Any]:
    """Tensors as a question carries them, each with its shape (the harness's `unpacked`)."""
    return {key: value for name, t in named.items() for key, value in ((name, encoded(t)), (f"{name}_shape", list(t.shape)))}  # fmt: skip


def attention_weights(attention: InSandbox) -> gpt_lab.AttentionWeights:
    """The learner's weights of a layer's every batch and head: one question carries all (q, k) pairs (the
    harness loops over them), split only where the answer would pass the sandbox's output cap."""

    def in_sandbox(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        batch, heads, time_, size = q.shape
        pairs = torch.stack([q, k], dim=2).reshape(-1, 2, time_, size).double().cpu()
        answers = []
        for chunk in pairs.split(max(1, ANSWER_NUMBERS // time_**2)):
            question = arrays(pairs=chunk)
            answers.append(packed(attention(question), (len(chunk), time_, time_)))
        return torch.cat(answers).view(batch, heads, time_, time_).to(q.device)

    return lambda q, k: SoftmaxAttention.apply(q, k, in_sandbox)


class CrossCorrelation(torch.autograd.Function):
    """A layer's cross-correlation of images x (n, in, H, W) with weights (out, in, k, k) from `correlate`
    (the learner's conv2d, in the sandbox), back-propagated as the exact derivative of a cross-correlation,
    which is linear in each of them and the same however it was computed: dx is dy fully correlated with the
    flipped weights, dweights dy correlated with x (PyTorch's conv2d_input and conv2d_weight)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, weight: torch.Tensor, correlate: Any) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        return correlate(x.detach(), weight.detach()).to(x.dtype)

    @staticmethod
    def backward(ctx: Any, dy: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor, None]:
        x, weight = ctx.saved_tensors
        dx = torch.nn.grad.conv2d_input(x.shape, weight, dy) if ctx.needs_input_grad[0] else None
        return dx, torch.nn.grad.conv2d_weight(x, weight.shape, dy), None


class MaxPool2x2(torch.autograd.Function):
    """2×2 max-pooling (stride 2) of x (n, c, H, W) by `pool` (the learner's max_pool2x2, in the sandbox),
    back-propagated as a max-pool's derivative at their maxima: each output's gradient goes to the first
    input of its block (row by row, as PyTorch's) that equals it. A finite maximum that is none of its
    block's values can only be an answer the harness did not write (it checks them); a NaN or infinity routes
    nothing, and makes the loss the run reports NaN."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, pool: Any) -> torch.Tensor:
        pooled = pool(x.detach()).to(x.dtype)
        n, c, h, w = x.shape
        blocks = x.detach()[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
        same = blocks.transpose(3, 4).reshape(n, c, h // 2, w // 2, 4) == pooled.unsqueeze(-1)
        found = same.any(dim=-1)
        if not (found | ~pooled.isfinite()).all():
            raise garbled()
        ctx.routes = F.one_hot(same.int().argmax(dim=-1), 4).bool() & found.unsqueeze(-1)
        ctx.shape = x.shape
        return pooled

    @staticmethod
    def backward(ctx: Any, dy: torch.Tensor) -> tuple[torch.Tensor, None]:
        n, c, h, w = ctx.shape
        blocks = (ctx.routes * dy.unsqueeze(-1)).reshape(n, c, h // 2, w // 2, 2, 2).transpose(3, 4)
        dx = torch.zeros(ctx.shape, dtype=dy.dtype, device=dy.device)
        dx[:, :, : h // 2 * 2, : w // 2 * 2] = blocks.reshape(n, c, h // 2 * 2, w // 2 * 2)
        return dx, None


def convnet_layers(layers: InSandbox) -> tuple[cnn_lab.Convolution, cnn_lab.Pooling]:
    """The learner's conv2d and max_pool2x2 as the CNN's layers: one question carries a batch of images (the
    harness stacks them into one tall image per channel and calls their function once per kernel), split
    only where the images or the answer would pass ANSWER_NUMBERS."""

    def convolved(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[2:]
        out_shape = (weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1)
        kernels = arrays(kernels=weight)
        answers = []
        for chunk in x.split(max(1, ANSWER_NUMBERS // max(math.prod(x.shape[1:]), math.prod(out_shape)))):
            question = {"layer": "conv"} | arrays(images=chunk) | kernels
            answers.append(packed(layers(question), (len(chunk), *out_shape)))
        return torch.cat(answers).to(x.device)

    def pooled(x: torch.Tensor) -> torch.Tensor:
        c, h, w = x.shape[1:]
        answers = []
        for chunk in x.split(max(1, ANSWER_NUMBERS // math.prod(x.shape[1:]))):
            question = {"layer": "pool"} | arrays(images=chunk)
            answers.append(packed(layers(question), (len(chunk), c, h // 2, w // 2)))
        return torch.cat(answers).to(x.device)

    return (
        lambda x, weight: CrossCorrelation.apply(x, weight, convolved),
        lambda x: MaxPool2x2.apply(x, pooled),
    )


class AdamWInSandbox(torch.optim.Optimizer):
    """AdamW at PyTorch's default settings, each update computed by the learner's `adamw_step`; the moments
    are kept here (float64) and handed to their function at every step, as its signature asks."""

    def __init__(self, params: Any, step: InSandbox, lr: float) -> None:
        super().__init__(params, {"lr": lr, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01})
        self.function, self.t = step, 0

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:
        self.t += 1
        group = self.param_groups[0]
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if not self.state[p]:
                self.state[p] = {"m": torch.zeros_like(p, dtype=torch.float64), "v": torch.zeros_like(p, dtype=torch.float64)}  # fmt: skip
        beta1, beta2 = group["betas"]
        question = {
            "t": self.t, "lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
            "weight_decay": group["weight_decay"],
            "params": [[t.double().tolist() for t in (p, p.grad, self.state[p]["m"], self.state[p]["v"])] for p in params],
        }  # fmt: skip
        answer = self.function(question)
        if not isinstance(answer, list) or len(answer) != len(params):
            raise garbled()
        for p, new in zip(params, answer, strict=True):
            if not isinstance(new, list) or len(new) != 3:
                raise garbled()
            p.copy_(tensor(new[0], p))
            self.state[p]["m"], self.state[p]["v"] = tensor(new[1], p), tensor(new[2], p)


def logistic_regression(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The logistic-regression lab, its gradients from the learner's `bce_with_logits`."""
    with sandbox.Session(HARNESS, _limits("logistic-regression")) as session:
        loss = InSandbox(session, code, "bce_with_logits", "minus_log_sigmoid")
        return logistic_regression_lab.train(config, report, device, loss_gradient=bce_gradient(loss))


def logistic_regression_adamw(
    config: Any, report: Reporter, device: torch.device, code: dict[str, Any]
) -> Outcome:
    """The logistic-regression lab, each update of its 31 parameters the learner's `adamw_step` (at the
    form's learning rate; the form's optimizer is replaced by theirs). A small lab on purpose: every step
    sends every parameter, its gradient and moments to the sandbox."""
    with sandbox.Session(HARNESS, _limits("logistic-regression")) as session:
        step = InSandbox(session, code, "adamw_step", "optimizer_step")
        return logistic_regression_lab.train(
            config, report, device, make_own_optimizer=lambda params, lr: AdamWInSandbox(params, step, lr)
        )


def cnn(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The CNN lab, its gradients from the learner's `softmax_cross_entropy`."""
    with sandbox.Session(HARNESS, _limits("cnn")) as session:
        loss = InSandbox(session, code, "softmax_cross_entropy", "minus_log_softmax")
        return cnn_lab.train(config, report, device, loss_gradient=softmax_gradient(loss))


def cnn_with_layers(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The CNN lab, both its convolutions and both its max-pools the learner's `conv2d` and `max_pool2x2`,
    back-propagated by CrossCorrelation's and MaxPool2x2's exact derivatives."""
    with sandbox.Session(HARNESS, _limits("cnn")) as session:
        layers = InSandbox(session, code, ["conv2d", "max_pool2x2"], "convnet_layer")
        convolution, pooling = convnet_layers(layers)
        return cnn_lab.train(config, report, device, convolution=convolution, pooling=pooling)


def gpt(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The tiny GPT, the weights of each layer's attention from the learner's `causal_attention` (called with
    v the identity, so that it returns them), back-propagated by SoftmaxAttention's exact derivative."""
    with sandbox.Session(HARNESS, _limits("gpt")) as session:
        attention = InSandbox(session, code, "causal_attention", "attention_weights")
        return gpt_lab.train(config, report, device, attention=attention_weights(attention))


class ElmanRecurrence(torch.autograd.Function):
    """Every state h_t (batch, T, hidden) of a plain RNN cell from `states_of` (the learner's cell, in the
    sandbox), back-propagated through time as the exact derivative of h_t = tanh(x_t W_ihᵀ + h_{t−1} W_hhᵀ + b)
    at those states (not PyTorch's cell recomputed): from the last step back, dpre_t = (dh_t + carried) ⊙
    (1 − h_t²) and carried = dpre_t W_hh; dx_t = dpre_t W_ih (the lab charts the gradient at its inputs),
    dW_ih = Σ dpre_tᵀ x_t, dW_hh = Σ dpre_tᵀ h_{t−1}, db_ih = db_hh = Σ dpre_t (b = b_ih + b_hh)."""

    @staticmethod
    def forward(
        ctx: Any,
        inputs: torch.Tensor,
        first: torch.Tensor,
        w_ih: torch.Tensor,
        w_hh: torch.Tensor,
        b_ih: torch.Tensor,
        b_hh: torch.Tensor,
        states_of: Any,
    ) -> torch.Tensor:
        states = states_of(inputs, first, w_ih, w_hh, b_ih + b_hh).to(inputs.dtype)
        ctx.save_for_backward(inputs, first, w_ih, w_hh, states)
        return states

    @staticmethod
    def backward(ctx: Any, d_states: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        inputs, first, w_ih, w_hh, states = ctx.saved_tensors
        d_pre = torch.empty_like(states)
        carried = torch.zeros_like(first)
        for t in reversed(range(states.shape[1])):
            d_pre[:, t] = (d_states[:, t] + carried) * (1 - states[:, t] ** 2)
            carried = d_pre[:, t] @ w_hh
        previous = torch.cat((first[:, None], states[:, :-1]), dim=1)
        d_bias = d_pre.sum(dim=(0, 1))
        return (
            d_pre @ w_ih,
            carried,
            torch.einsum("bth,bti->hi", d_pre, inputs),
            torch.einsum("bth,btj->hj", d_pre, previous),
            d_bias,
            d_bias,
            None,
        )


def recurrent_states(cell: InSandbox) -> rnn_lab.Recurrence:
    """The learner's states of every window of a batch: one question per forward pass carries all (the harness
    loops over time), the weights in the exercise's layout (W_xh = W_ihᵀ, W_hh = W_hhᵀ, b = b_ih + b_hh),
    split by windows only where the answer would pass the sandbox's output cap (the adding problem's 500)."""

    def in_sandbox(
        inputs: torch.Tensor, first: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, bias: torch.Tensor
    ) -> torch.Tensor:
        time_, hidden = inputs.shape[1], len(bias)
        weights = arrays(W_xh=w_ih.T, W_hh=w_hh.T, b=bias)
        answers = []
        windows = max(1, ANSWER_NUMBERS // (time_ * hidden))
        for x, h in zip(inputs.split(windows), first.split(windows), strict=True):
            question = arrays(x=x, h=h) | weights
            answers.append(packed(cell(question), (len(x), time_, hidden)))
        return torch.cat(answers).to(inputs.device)

    return lambda inputs, first, rnn: ElmanRecurrence.apply(
        inputs, first, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, in_sandbox
    )


def rnn(config: Any, report: Reporter, device: torch.device, code: dict[str, Any]) -> Outcome:
    """The RNN lab with the plain cell (exercises.services makes the form's cell "rnn"), every state the
    learner's `rnn_step`, back-propagated through time by ElmanRecurrence's exact derivative."""
    with sandbox.Session(HARNESS, _limits("rnn")) as session:
        cell = InSandbox(session, code, "rnn_step", "recurrent_states")
        return rnn_lab.train(config, report, device, recurrence=recurrent_states(cell))


# Exercise -> the loop of its lab (exercises.services.TRAINABLE lists the same, for the web).
TRAINERS = {
    "linear-gradient-step": linear_regression,
    "stable-sigmoid-bce": logistic_regression,
    "stable-softmax-cross-entropy": cnn,
    "adamw-step": logistic_regression_adamw,
    "causal-attention": gpt,
    "rnn-cell-step": rnn,
    "conv2d-max-pool": cnn_with_layers,
}
