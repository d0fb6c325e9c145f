"""What runs inside the sandbox when a learner trains a lab with their own function (given to `python -c`;
never imported by the platform; see exercises/training.py).

Its first line of input names the learner's source and function (or functions). Then either:

- the request carries "steps" (a gradient step, exercise linear-gradient-step): it runs the loop here, with
  the data and starting values it was given, and writes one line per reported step, "<step> <w> <b>" (repr of
  floats); the worker computes the loss from w and b;
- or it names a "probe": it answers each following line (JSON) with one line, "ok <JSON>": for a loss
  function, the learner's loss of each single example of a batch of logits, from which the worker takes its
  gradient; for an optimizer step, the parameters and moments it makes; for causal attention, the weights
  of each (q, k) pair of a batch of heads; for a recurrent cell, every state of a batch of windows, step by
  step; for a convolution and max-pooling (the request names both functions), a CNN layer's outputs for a
  batch. The worker's model, data and loop stay outside.

If their function raises, it writes "error <description>" and stops.
"""

import base64
import io
import json
import os
import resource
import sys
import traceback

resource.setrlimit(resource.RLIMIT_NPROC, (16, 16))
sys.path.insert(0, "/sandbox/site")
request = json.loads(sys.stdin.buffer.readline(16 * 2**20))
out = os.dup(1)
null = os.open("/dev/null", os.O_WRONLY)
os.dup2(null, 1)
os.dup2(null, 2)
sys.stdout = sys.stderr = io.StringIO()  # what the learner prints while training is dropped
sys.stdout.write = lambda text: len(text)


def send(line: str) -> None:
    view = memoryview((line + "\n").encode())
    while view:
        view = view[os.write(out, view) :]


import numpy as np  # noqa: E402

np.seterr(all="ignore")


def number(value) -> float:
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


def minus_log_sigmoid(loss, logits):
    """-log σ(z) of each logit: their binary cross-entropy of that one logit, labelled 1."""
    z = np.array(logits, dtype=float)
    return [number(loss(z[i : i + 1].copy(), np.ones(1))) for i in range(len(z))]


def minus_log_softmax(loss, logits):
    """-log softmax(row)[c] of each row and class: their cross-entropy of that one row, labelled c (each
    call is given its own copy: a function that changes its argument in place changes nothing else)."""
    logits = np.array(logits, dtype=float)
    rows = [logits[i : i + 1] for i in range(len(logits))]
    return [[number(loss(row.copy(), np.array([c]))) for c in range(logits.shape[1])] for row in rows]


def optimizer_step(step, question):
    """Their update of each parameter: [p, g, m, v] each in, [p, m, v] each out, at step t."""
    settings = [question[k] for k in ("t", "lr", "beta1", "beta2", "eps", "weight_decay")]
    answer = []
    for tensors in question["params"]:
        p, g, m, v = (np.array(x, dtype=float) for x in tensors)
        p, m, v = step(p, g, m, v, *settings)
        answer.append([np.asarray(x, dtype=float).reshape(np.shape(g)).tolist() for x in (p, m, v)])
    return answer


def unpacked(question, key):
    """A large array of a question: little-endian float64 in base64, its shape beside it (key_shape)."""
    return np.frombuffer(base64.b64decode(question[key]), dtype="<f8").reshape(question[key + "_shape"])


def packed(array):
    """A large answer the same way (too slow to write out as JSON: a step's can be a million numbers)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode()


def shaped(value, shape, what):
    """Their answer as a float array of `shape`, or an error that says what was expected."""
    array = np.asarray(value, dtype=float)
    if array.shape != shape:
        raise ValueError(f"{what} returned an array of shape {array.shape}: expected {shape}")
    return array


def attention_weights(attention, question):
    """Their causal attention weights of each (q, k) pair: their function with v the identity (T, T) returns
    softmax(q kᵀ / √d + M) I, the weights themselves. Pairs in and weights out as little-endian float64
    (base64): a step's pairs are a million numbers, too slow to write out as JSON."""
    pairs = unpacked(question, "pairs")
    identity = np.eye(pairs.shape[2])
    weights = [
        np.asarray(attention(q.copy(), k.copy(), identity.copy()), dtype=float).reshape(identity.shape)
        for q, k in pairs
    ]
    return packed(np.stack(weights))


def recurrent_states(step, question):
    """Their cell over a whole batch of windows: x (batch, T, inputs) and the first state h (batch, hidden)
    in, every state (batch, T, hidden) out, the weights in the exercise's layout; one question per forward
    pass, so the loop over time runs here. Little-endian float64 in base64 both ways, as for attention."""
    x, h = unpacked(question, "x"), unpacked(question, "h")
    weights = [unpacked(question, name) for name in ("W_xh", "W_hh", "b")]
    what = f"rnn_step(x of shape {x[:, 0].shape}, h of shape {h.shape})"  # the next state has h's shape
    states = []
    for t in range(x.shape[1]):
        h = shaped(step(x[:, t].copy(), h.copy(), *(w.copy() for w in weights)), h.shape, what)
        states.append(h)
    return packed(np.stack(states, axis=1))


def convnet_layer(functions, question):
    """A CNN layer's outputs for a batch of images (n, c, h, w), by their conv2d or max_pool2x2; in and out
    as little-endian float64 (base64).

    conv2d: each input channel of every image stacked into one tall image (n·h rows), so one call convolves
    the whole batch with one kernel (out, in, k, k); the k − 1 rows of each image's output that straddle two
    images are dropped, the channels summed: (n, out, h − k + 1, w − k + 1), without the bias.
    max_pool2x2: every channel of every image stacked into one tall image, cropped to even sizes so that no
    2×2 block straddles two: one call, (n, c, h // 2, w // 2). A finite maximum must be one of its block's
    values (the worker routes its gradient there); a NaN or infinity passes (the run then diverges)."""
    conv2d, max_pool2x2 = functions
    images = unpacked(question, "images")
    n, c, h, w = images.shape
    if question["layer"] == "conv":
        kernels = unpacked(question, "kernels")
        k_h, k_w = kernels.shape[2:]
        tall = images.transpose(1, 0, 2, 3).reshape(c, n * h, w)
        size = (n * h - k_h + 1, w - k_w + 1)
        what = f"conv2d of a {n * h}×{w} image and a {k_h}×{k_w} kernel"
        out = np.zeros((len(kernels), n * h, size[1]))
        for o, kernel in enumerate(kernels):
            for channel in range(c):
                out[o, : size[0]] += shaped(conv2d(tall[channel].copy(), kernel[channel].copy()), size, what)
        out = out.reshape(len(kernels), n, h, size[1])[:, :, : h - k_h + 1].transpose(1, 0, 2, 3)
    else:
        h, w = h // 2 * 2, w // 2 * 2
        tall = images[:, :, :h, :w].reshape(n * c * h, w)
        out = shaped(
            max_pool2x2(tall.copy()), (n * c * h // 2, w // 2), f"max_pool2x2 of a {n * c * h}×{w} array"
        )
        blocks = tall.reshape(n * c * h // 2, 2, w // 2, 2)
        found = (blocks == out[:, None, :, None]).any(axis=(1, 3)) | ~np.isfinite(out)
        if not found.all():
            raise ValueError("max_pool2x2 returned a value that is none of its 2×2 block's four values")
    return packed(out)


PROBES = {
    "attention_weights": attention_weights,
    "convnet_layer": convnet_layer,
    "minus_log_sigmoid": minus_log_sigmoid,
    "minus_log_softmax": minus_log_softmax,
    "optimizer_step": optimizer_step,
    "recurrent_states": recurrent_states,
}


def gradient_descent(step_function):
    x, y = np.array(request["x"], dtype=float), np.array(request["y"], dtype=float)
    w, b, lr = float(request["w"]), float(request["b"]), float(request["lr"])
    last = request["steps"] - 1
    for step in range(request["steps"]):
        w, b = step_function(w, b, x, y, lr)
        w, b = number(w), number(b)
        if step % request["report_every"] == 0 or step == last:
            send(f"{step} {w!r} {b!r}")


def answer(function, probe):
    for line in sys.stdin.buffer:
        send("ok " + json.dumps(probe(function, json.loads(line))))


try:
    namespace = {"__name__": "learner", "np": np, "numpy": np}
    exec(compile(request["source"], "<your code>", "exec"), namespace)  # noqa: S102  inside the sandbox
    names = request["function"]
    function = namespace[names] if isinstance(names, str) else [namespace[name] for name in names]
    if "probe" in request:
        answer(function, PROBES[request["probe"]])
    else:
        gradient_descent(function)
except BaseException as error:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<your code>"]
    where = f" (line {frames[-1].lineno})" if frames else ""
    send("error " + f"{type(error).__name__}: {str(error)[:300]}{where}".replace("\n", " "))
os._exit(0)
