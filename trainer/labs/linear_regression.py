"""Linear regression by gradient descent: the seed's first example, y = 0.1·x + 0.3, in PyTorch.

The learner watches w and b walk to 0.1 and 0.3 while the loss falls by orders of magnitude, and can add
noise to the data or change the learning rate to see the walk slow down, oscillate or diverge.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.linear_regression import Config
from .base import (
    Frame,
    Outcome,
    Reporter,
    make_optimizer,
)
from .data import number, rounded, seeded_generator

TRUE_W, TRUE_B = 0.1, 0.3


class Line(nn.Module):
    """ŷ = w·x + b, with w drawn from a standard normal and b = 0 as in the seed."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(1))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w * x + self.b


def make_data(config: Config) -> tuple[torch.Tensor, torch.Tensor]:
    generator = seeded_generator(config.seed)
    x = torch.rand(config.points, generator=generator)
    y = TRUE_W * x + TRUE_B + config.noise * torch.randn(config.points, generator=generator)
    return x, y


@torch.no_grad()
def fit_frame(model: Line, x: torch.Tensor, y: torch.Tensor) -> Frame:
    ends = torch.tensor([0.0, 1.0], device=x.device)
    return {
        "fit": {
            "train": rounded(torch.stack((x, y), dim=1)),
            "curve": rounded(torch.stack((ends, model(ends)), dim=1)),
        }
    }


def train(config: Config, report: Reporter, device: torch.device) -> Outcome:
    torch.manual_seed(config.seed)
    x, y = (t.to(device) for t in make_data(config))
    model = Line().to(device)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)

    # As lean as the plain script: the only extra work is the report every report_every steps.
    last = config.steps - 1
    for step in range(config.steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % config.report_every == 0 or step == last:
            report(step, loss=loss, w=model.w, b=model.b, frame=lambda: fit_frame(model, x, y))

    with torch.no_grad():
        final_loss = F.mse_loss(model(x), y)
    visuals = fit_frame(model, x, y)
    report.flush(visuals)
    return Outcome(
        metrics={"w": number(model.w, 6), "b": number(model.b, 6), "loss": number(final_loss, 9)},
        model=model,
        visuals=visuals,
    )
