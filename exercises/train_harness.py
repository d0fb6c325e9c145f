"""The training loop that runs inside the sandbox when a learner trains a lab with their own function
(given to `python -c`; never imported by the platform; see exercises/training.py).

It reads the data, the starting values and the settings, calls the learner's gradient_step once per step,
and writes one line per reported step: "<step> <w> <b>" (repr of floats), or "error <description>" if their
function raises. The loss is computed by the worker from w and b, not here.
"""

import io
import json
import os
import resource
import sys
import traceback

resource.setrlimit(resource.RLIMIT_NPROC, (16, 16))
sys.path.insert(0, "/sandbox/site")
request = json.loads(sys.stdin.buffer.read(16 * 2**20))
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
try:
    namespace = {"__name__": "learner", "np": np, "numpy": np}
    exec(compile(request["source"], "<your code>", "exec"), namespace)  # noqa: S102  inside the sandbox
    step_function = namespace[request["function"]]
    x, y = np.array(request["x"], dtype=float), np.array(request["y"], dtype=float)
    w, b, lr = float(request["w"]), float(request["b"]), float(request["lr"])
    last = request["steps"] - 1
    for step in range(request["steps"]):
        w, b = step_function(w, b, x, y, lr)
        w, b = float(np.asarray(w).reshape(-1)[0]), float(np.asarray(b).reshape(-1)[0])
        if step % request["report_every"] == 0 or step == last:
            send(f"{step} {w!r} {b!r}")
except BaseException as error:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<your code>"]
    where = f" (line {frames[-1].lineno})" if frames else ""
    send("error " + f"{type(error).__name__}: {str(error)[:300]}{where}".replace("\n", " "))
os._exit(0)
