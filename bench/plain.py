"""The labs' training loops as plain PyTorch scripts: the same data, model, optimizer and threads, with no
reporting, no worker and no stream. The benchmark times these against the same runs submitted as jobs.

    python -m bench.plain linear-regression|cnn   ->  {"seconds": …, "steps": …}
"""

import json
import math
import sys
import time

import torch

# Imported lazily by the first optimizer step (~2 s); the worker imports it at start, so this does too.
import torch._dynamo
import torch.nn.functional as F

from trainer.labs import cnn, linear_regression
from trainer.labs.base import make_optimizer


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


def cnn_run() -> dict:
    config = cnn.Config()
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    data = cnn.make_data(config)
    model = cnn.ConvNet(data.x_train.mean(dim=(0, 2, 3)), data.x_train.std(dim=(0, 2, 3)))
    model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    batch_size = min(config.batch_size, len(data.y_train))
    batches = math.ceil(len(data.y_train) / batch_size)
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(len(data.y_train))
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


if __name__ == "__main__":
    torch.set_num_threads(1)
    run = {"linear-regression": linear_regression_run, "cnn": cnn_run}[sys.argv[1]]
    run()  # once untimed: the worker it is compared with is warm too (first calls build kernels, ~1 s for the CNN)
    print(json.dumps(run()))
