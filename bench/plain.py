"""The labs' training loops as plain PyTorch scripts: the same data, model, optimizer and threads, with no
reporting, no worker and no stream. The benchmark times these against the same runs submitted as jobs.

    python -m bench.plain linear-regression|cnn [--device cuda] [--epochs N] [--threads N]
                                                ->  {"seconds": …, "steps": …}
    python -m bench.plain gpt --steps N [--batch-size N] [--threads N]  ->  {"seconds": …, "steps": …, "tokens_per_s": …}
"""

import argparse
import json
import math
import time

import torch

# Imported lazily by the first optimizer step (seconds); the worker imports it at start, so this does too.
import torch._dynamo
import torch.nn.functional as F

from trainer.catalog.gpt import CUDA_PRESET
from trainer.labs import cnn, gpt, linear_regression
from trainer.labs.base import Reporter, make_optimizer


def linear_regression_run() -> dict:
    config = linear_regression.Config()
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    x, y = linear_regression.make_data(config)
    model = linear_regression.Line()
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    printed = []
    for step in range(config.steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % config.report_every == 0:  # the seed prints step, W and b every 20 steps
            printed.append((step, model.w.item(), model.b.item()))
    return {"seconds": time.perf_counter() - started, "steps": config.steps, "w": model.w.item()}


def cnn_run(device: str, epochs: int | None) -> dict:
    config = cnn.Config(**({"epochs": epochs} if epochs else {}))
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    data = cnn.make_data(config).to(torch.device(device))
    model = cnn.ConvNet(data.x_train.mean(dim=(0, 2, 3)), data.x_train.std(dim=(0, 2, 3)))
    model.to(device, memory_format=torch.channels_last)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    batch_size = min(config.batch_size, len(data.y_train))
    batches = math.ceil(len(data.y_train) / batch_size)
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(len(data.y_train), device=device)
        for batch in range(batches):
            index = order[batch * batch_size : (batch + 1) * batch_size]
            loss = F.cross_entropy(model(data.x_train[index]), data.y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        accuracy = cnn.evaluate(model, data.x_val, data.y_val)["val_accuracy"].item()  # printed each epoch
    return {
        "seconds": time.perf_counter() - started,
        "steps": config.epochs * batches,
        "val_accuracy": accuracy,
    }


def gpt_run(steps: int, batch_size: int | None) -> dict:
    """The GPT lab's larger (GPU) model trained on the CPU for a few steps: the lab's own loop, whose
    tokens per second leave out its evaluations and samples."""
    params = {**CUDA_PRESET, "steps": steps, "sample_every": steps, "device": "cpu"}
    config = gpt.Config(**{**params, **({"batch_size": batch_size} if batch_size else {})})
    started = time.perf_counter()
    outcome = gpt.train(config, Reporter(steps, lambda batch: None), torch.device("cpu"))
    return {
        "seconds": time.perf_counter() - started,
        "steps": steps,
        "tokens_per_s": outcome.metrics["tokens_per_s"],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("lab", choices=["linear-regression", "cnn", "gpt"])
    parser.add_argument("--device", default="cpu", help="the CNN's device")
    parser.add_argument("--epochs", type=int, help="the CNN's epochs (its lab's default if not given)")
    parser.add_argument("--steps", type=int, default=5, help="the GPT's steps")
    parser.add_argument("--batch-size", type=int, help="the GPT's batch (its GPU default if not given)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    def run(epochs: int | None) -> dict:
        if args.lab == "gpt":
            return gpt_run(args.steps if epochs != 1 else 1, args.batch_size)
        return cnn_run(args.device, epochs) if args.lab == "cnn" else linear_regression_run()

    # Once untimed, and short: the worker it is compared with is warm too (first calls build kernels, ~1 s for
    # the CNN on a CPU; on a GPU the first call also creates the CUDA context).
    run(1)
    print(json.dumps(run(args.epochs)))
