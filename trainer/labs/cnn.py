"""A convolutional network on real images: handwritten digits, coloured.

The seed's CNN trained on random pixels with random labels (nothing to learn) and put a softmax before a
loss that applies its own. Here the same architecture learns scikit-learn's 1,797 handwritten digits
(shipped with the package), scaled from 8×8 to 32×32 and each given a random ink and paper colour, so the
first layer's RGB filters have colour to respond to and colour to learn to ignore.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.cnn import Config
from .base import (
    Frame,
    LossGradient,
    Outcome,
    Reporter,
    backward,
    make_optimizer,
)
from .data import Split, number, seeded_generator, stratified_split

IMAGE_SIZE = 32
HELD_OUT = 0.2  # share of the digits kept aside to measure accuracy
EVAL_BATCH = 256  # held-out images per forward pass: bounds memory, not results
SHOWN_PREDICTIONS = 8


# A learner's own convolution and max-pooling (a code exercise, exercises/training.py), which then compute
# every convolution and max-pool of the network: the cross-correlation of images (batch, in, H, W) with a
# layer's weights (out, in, k, k), without the bias; the 2×2 max-pool, stride 2, of (batch, channels, H, W).
Convolution = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Pooling = Callable[[torch.Tensor], torch.Tensor]


class LearnersConv2d(nn.Conv2d):
    """The lab's Conv2d (its weights, their initialisation, its bias), its cross-correlation a learner's."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, convolution: Convolution
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size)
        self.convolution = convolution

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.convolution(x, self.weight) + self.bias.view(1, -1, 1, 1)


class LearnersMaxPool2d(nn.MaxPool2d):
    def __init__(self, pooling: Pooling) -> None:
        super().__init__(2)
        self.pooling = pooling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pooling(x)


class ConvNet(nn.Module):
    """The seed's architecture: two 3×3 convolutions, two 2×2 max-pools, two dense layers. The output is
    logits; CrossEntropyLoss applies the softmax itself.

    It takes images in [0, 1] and standardises each channel with the training set's mean and standard
    deviation (kept as buffers, so the downloaded weights work on raw images): centred inputs let Adam
    reach 90% in two epochs instead of three or more.

    Given a learner's `convolution` and `pooling`, those layers are theirs, with the same parameters.
    """

    def __init__(
        self,
        mean: torch.Tensor,
        std: torch.Tensor,
        classes: int = 10,
        convolution: Convolution | None = None,
        pooling: Pooling | None = None,
    ) -> None:
        super().__init__()
        self.register_buffer("mean", mean.reshape(1, 3, 1, 1))
        self.register_buffer("std", std.reshape(1, 3, 1, 1))

        def conv(in_channels: int, out_channels: int) -> nn.Conv2d:
            if convolution is None:
                return nn.Conv2d(in_channels, out_channels, kernel_size=3)
            return LearnersConv2d(in_channels, out_channels, 3, convolution)

        def pool() -> nn.MaxPool2d:
            return nn.MaxPool2d(2) if pooling is None else LearnersMaxPool2d(pooling)

        self.features = nn.Sequential(
            conv(3, 32), nn.ReLU(), conv(32, 64), nn.ReLU(), pool(), pool(), nn.Flatten()
        )
        with torch.no_grad():
            flattened = self.features(torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)).shape[1]  # 64·7·7 = 3136
        self.classifier = nn.Sequential(nn.Linear(flattened, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Channels-last is the layout oneDNN (CPU) and cuDNN (GPU) convolve fastest.
        x = ((x - self.mean) / self.std).contiguous(memory_format=torch.channels_last)
        return self.classifier(self.features(x))


def coloured_digits(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Generator]:
    """All 1,797 digits as N×3×32×32 images in [0, 1], and their labels."""
    # Imported here: scikit-learn takes a second to import and only the worker needs it.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    generator = seeded_generator(seed)
    ink = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16  # N×1×8×8, 0 = paper, 1 = ink
    ink = F.interpolate(ink, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False).clamp(0, 1)
    # Light ink on dark paper, each a random colour: the class is in the shape, never in the colour.
    ink_colour = 0.5 + 0.5 * torch.rand(len(ink), 3, 1, 1, generator=generator)
    paper_colour = 0.4 * torch.rand(len(ink), 3, 1, 1, generator=generator)
    images = paper_colour + (ink_colour - paper_colour) * ink
    return images, torch.tensor(bunch.target), generator


def make_data(config: Config) -> Split:
    images, labels, generator = coloured_digits(config.seed)
    train_index, val_index = stratified_split(labels, HELD_OUT, generator)
    train_index = train_index[: config.train_images]  # the split is shuffled: any prefix is a fair sample
    return Split(images[train_index], labels[train_index], images[val_index], labels[val_index])


@torch.no_grad()
def evaluate(model: ConvNet, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Held-out loss and accuracy, left on the device (the Reporter fetches them in one transfer)."""
    model.eval()
    logits = torch.cat([model(x[i : i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)])
    model.train()
    return {
        "val_loss": F.cross_entropy(logits, y),
        "val_accuracy": (logits.argmax(dim=1) == y).float().mean(),
    }


@torch.no_grad()
def filters_frame(model: ConvNet) -> Frame:
    """The first layer's 32 filters as RGB pixels, each stretched to 0..255 on its own so a weak filter
    is as visible as a strong one."""
    weights = model.features[0].weight.detach().permute(0, 2, 3, 1).float()  # filter, row, column, channel
    flat = weights.reshape(len(weights), -1)
    low, high = flat.min(dim=1, keepdim=True).values, flat.max(dim=1, keepdim=True).values
    scaled = (flat - low) / (high - low).clamp_min(1e-12)
    return {
        "filters": {
            "count": weights.shape[0],
            "size": weights.shape[1],
            "rgb": (scaled * 255).round().to(torch.uint8).flatten().tolist(),
        }
    }


@torch.no_grad()
def predictions(model: ConvNet, x: torch.Tensor, y: torch.Tensor) -> list[dict]:
    """Held-out images as the learner sees them, with the true digit, the guess and how sure it is."""
    model.eval()
    probabilities = F.softmax(model(x), dim=1)
    model.train()
    confidence, predicted = probabilities.max(dim=1)
    # Height, width, channel: the order of a browser's ImageData (less its alpha).
    pixels = (x.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).flatten(start_dim=1)
    return [
        {"image": image, "label": str(label), "predicted": str(guess), "confidence": round(p, 3)}
        for image, label, guess, p in zip(
            pixels.tolist(), y.tolist(), predicted.tolist(), confidence.tolist(), strict=True
        )
    ]


def train(
    config: Config,
    report: Reporter,
    device: torch.device,
    *,
    loss_gradient: LossGradient | None = None,
    convolution: Convolution | None = None,
    pooling: Pooling | None = None,
) -> Outcome:
    """`loss_gradient`: a learner's softmax cross-entropy takes the steps instead (exercise
    stable-softmax-cross-entropy). `convolution` and `pooling`: a learner's compute both convolutions and
    both max-pools, in training, evaluation and predictions alike (exercise conv2d-max-pool)."""
    torch.manual_seed(config.seed)
    data = make_data(config).to(device)
    mean, std = data.x_train.mean(dim=(0, 2, 3)), data.x_train.std(dim=(0, 2, 3))
    model = ConvNet(mean, std, convolution=convolution, pooling=pooling)
    model.to(device, memory_format=torch.channels_last)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    batch_size = min(config.batch_size, len(data.y_train))
    batches_per_epoch = math.ceil(len(data.y_train) / batch_size)
    # Reported per mini-batch for a smooth live curve: progress counts batches, not epochs.
    report.total_steps = config.epochs * batches_per_epoch

    step, first_epoch = 0, 0
    if (saved := report.resume()) is not None:  # a run that another worker began, from its checkpoint
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        torch.set_rng_state(saved["rng"])
        if device.type == "cuda" and saved["cuda_rng"] is not None:
            torch.cuda.set_rng_state(saved["cuda_rng"], device)
        first_epoch, step = saved["epoch"] + 1, saved["step"] + 1

    model.train()
    for epoch in range(first_epoch, config.epochs):
        order = torch.randperm(len(data.y_train), device=device)
        for batch in range(batches_per_epoch):
            index = order[batch * batch_size : (batch + 1) * batch_size]
            images, labels = data.x_train[index], data.y_train[index]
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            backward(loss, logits, labels, loss_gradient)
            optimizer.step()
            scalars = {"loss": loss, "accuracy": (logits.argmax(dim=1) == labels).float().mean()}
            if batch == batches_per_epoch - 1:
                held_out = evaluate(model, data.x_val, data.y_val)  # after the last epoch: the final figures
                scalars |= held_out
            report(step, **scalars, frame=lambda: filters_frame(model))
            step += 1
        if epoch < config.epochs - 1:
            report.checkpoint(step - 1, lambda e=epoch: {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                              "epoch": e, "rng": torch.get_rng_state(),
                              "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None})  # fmt: skip

    visuals = {
        **filters_frame(model),
        "predictions": predictions(model, data.x_val[:SHOWN_PREDICTIONS], data.y_val[:SHOWN_PREDICTIONS]),
    }
    report.flush(visuals)
    return Outcome(
        metrics={
            "val_accuracy": number(held_out["val_accuracy"]),
            "val_loss": number(held_out["val_loss"]),
        },
        model=model,
        visuals=visuals,
    )
