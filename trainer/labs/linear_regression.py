"""Linear regression by gradient descent: the seed's first example, y = 0.1·x + 0.3, in PyTorch.

The learner watches w and b walk to 0.1 and 0.3 while the loss falls by orders of magnitude, and can add
noise to the data or change the learning rate to see the walk slow down, oscillate or diverge.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .base import (
    Chart,
    Cost,
    Frame,
    Lab,
    Outcome,
    Reporter,
    device_choice,
    gettext_noop,
    hyperparameter,
    make_optimizer,
    optimizer_choice,
    seed_choice,
)
from .data import number, rounded, seeded_generator

TRUE_W, TRUE_B = 0.1, 0.3


@dataclass
class Config:
    learning_rate: float = hyperparameter(
        0.5,  # the seed's GradientDescentOptimizer(0.5)
        label=gettext_noop("Learning rate"),
        help=gettext_noop(
            "How far each step moves w and b along the gradient. With these 100 points it diverges above about 0.8."
        ),
        minimum=0.0001,
        maximum=20.0,
        log=True,
    )
    steps: int = hyperparameter(
        2001,  # the seed's range(2001)
        label=gettext_noop("Steps"),
        help=gettext_noop("Gradient descent steps, each on all the points."),
        minimum=1,
        maximum=20000,
    )
    report_every: int = hyperparameter(
        20,
        label=gettext_noop("Report every"),
        help=gettext_noop("Steps between two points on the charts (the last step is always shown)."),
        minimum=1,
        maximum=1000,
    )
    points: int = hyperparameter(
        100,
        label=gettext_noop("Points"),
        help=gettext_noop("How many (x, y) pairs, with x drawn uniformly from [0, 1]."),
        minimum=2,
        maximum=10000,
    )
    noise: float = hyperparameter(
        0.0,  # the seed's data lie exactly on the line
        label=gettext_noop("Noise"),
        help=gettext_noop(
            "Standard deviation of Gaussian noise added to y. With noise, the loss stops falling."
        ),
        minimum=0.0,
        maximum=1.0,
    )
    optimizer: str = optimizer_choice("sgd")
    seed: int = seed_choice()
    device: str = device_choice()


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


LAB = Lab(
    slug="linear-regression",
    title=gettext_noop("Linear regression"),
    summary=gettext_noop(
        "Fit a line y = w·x + b to points from y = 0.1·x + 0.3 by gradient descent, and watch w and b converge."
    ),
    config=Config,
    train=train,
    steps_field="steps",
    charts=(
        Chart(gettext_noop("Loss"), ("loss",), log_y=True),
        Chart(gettext_noop("Parameters"), ("w", "b")),
    ),
    visuals=("fit",),
    time_limit_s=60,
    cost=Cost(sizes=("points",), fixed=0.99),
)
