"""Data the labs share: seeded splits, small generated 2-D sets, batches drawn on the device, and rounding
for the JSON that goes to the browser.

Everything random here takes a generator made from the job's seed, so the same seed gives the same data.
Data is generated on the CPU (a CPU generator gives the same numbers on every machine) and moved to the
training device once by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from .base import LabError, gettext_noop


@dataclass
class Split:
    """Examples to learn from and examples held out to measure the model, as tensors."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor

    def to(self, device: torch.device) -> Split:
        return Split(*(t.to(device) for t in (self.x_train, self.y_train, self.x_val, self.y_val)))


def seeded_generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def stratified_split(
    labels: torch.Tensor, test_fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Train and held-out indices with each class in the same proportion in both, so a rare class is not
    left out of the held-out set by chance."""
    train, held_out = [], []
    for label in labels.unique():
        members = (labels == label).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        count = round(len(members) * test_fraction)
        held_out.append(members[:count])
        train.append(members[count:])
    train_index, held_out_index = torch.cat(train), torch.cat(held_out)
    if not len(train_index) or not len(held_out_index):
        raise LabError(gettext_noop("Too few points to keep some for training and some for validation."))
    # Shuffled again so the classes are not in blocks (a mini-batch should not see one class only).
    return (
        train_index[torch.randperm(len(train_index), generator=generator)],
        held_out_index[torch.randperm(len(held_out_index), generator=generator)],
    )


def two_d_dataset(
    name: str, points: int, noise: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points in about [-1, 1]² with labels 0/1 that no straight line separates."""
    if name == "circle":
        # Radius uniform in area up to 1; the inner disc holds half the points.
        radius = torch.rand(points, generator=generator).sqrt()
        angle = torch.rand(points, generator=generator) * 2 * math.pi
        xy = torch.stack((radius * angle.cos(), radius * angle.sin()), dim=1)
        labels = (radius < math.sqrt(0.5)).long()
    elif name == "xor":
        xy = torch.rand(points, 2, generator=generator) * 2 - 1
        labels = ((xy[:, 0] > 0) ^ (xy[:, 1] > 0)).long()
    elif name == "spiral":
        labels = torch.arange(points) % 2
        t = torch.rand(points, generator=generator).sqrt() * 1.75 * 2 * math.pi  # 1.75 turns, even density
        angle = t + labels * math.pi
        radius = t / (1.75 * 2 * math.pi)
        xy = torch.stack((radius * angle.cos(), radius * angle.sin()), dim=1)
    else:
        raise LabError(gettext_noop("Unknown data set."))
    xy = xy + noise * torch.randn(points, 2, generator=generator)
    return xy, labels


def grid(extent: tuple[float, float, float, float], size: int, device: torch.device) -> torch.Tensor:
    """size × size points over extent = (xmin, xmax, ymin, ymax), row-major with row 0 at the top (ymax),
    the order in which the browser paints an image."""
    xmin, xmax, ymin, ymax = extent
    xs = torch.linspace(xmin, xmax, size, device=device)
    ys = torch.linspace(ymax, ymin, size, device=device)
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((x.flatten(), y.flatten()), dim=1)


def padded_extent(xy: torch.Tensor, margin: float = 0.1) -> tuple[float, float, float, float]:
    low, high = xy.min(dim=0).values.tolist(), xy.max(dim=0).values.tolist()
    pad = [(h - lo) * margin for lo, h in zip(low, high, strict=True)]
    return (
        round(low[0] - pad[0], 3),
        round(high[0] + pad[0], 3),
        round(low[1] - pad[1], 3),
        round(high[1] + pad[1], 3),
    )


def shuffled_batches(size: int, batch_size: int, device: torch.device) -> Iterator[torch.Tensor]:
    """Indices of mini-batches, for ever: each pass over the examples in a new order, its incomplete last
    batch left out. Drawn on the device from the global generator (seeded by the lab), so a GPU loop never
    waits for the CPU."""
    batch_size = min(batch_size, size)
    while True:
        order = torch.randperm(size, device=device)
        for start in range(0, size - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


def rounded(values: torch.Tensor, digits: int = 4) -> list:
    """A tensor as nested lists of plain floats, rounded to keep the JSON small. A diverged value (NaN,
    infinity) becomes None, which JSON can carry."""
    # In double precision, so that 0.1 prints as 0.1 and not as float32's 0.10000000149011612.
    values = torch.round(values.detach().cpu().double(), decimals=digits)
    if bool(values.isfinite().all()):
        return values.tolist()
    return _finite_or_none(values.tolist())


def _finite_or_none(values: list | float) -> list | float | None:
    if isinstance(values, list):
        return [_finite_or_none(v) for v in values]
    return values if math.isfinite(values) else None


def number(value: float | torch.Tensor, digits: int = 4) -> float | None:
    """One metric as a plain float to `digits` significant digits, or None if training diverged."""
    value = float(value.detach()) if isinstance(value, torch.Tensor) else float(value)
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None
