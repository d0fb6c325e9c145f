"""The program that runs inside the sandbox (given to `python -c`; never imported by the platform).

It reads one JSON document from stdin — the learner's source, the function's name, and the cases' inputs
(never the expected values: those stay with the grader, outside) — runs the source, calls the function on each
case, and writes one JSON line to its original stdout: each case's value (numbers, as nested lists) or the
exception it raised, and what the learner's code printed (capped). Everything else it writes goes nowhere.
A timed case (a speed property) is called TIMED_CALLS times, each on its own copy of the inputs, and answers
the least CPU time of a call instead of its value: CPU time, not wall time, so that other work on the machine
does not make correct code look slow.
"""

import io
import json
import os
import resource
import sys
import traceback
from time import process_time  # taken before their code runs: replacing time's changes nothing here

PRINT_CAP = 4000
TIMED_CALLS = 3

resource.setrlimit(resource.RLIMIT_NPROC, (16, 16))  # counted in the sandbox's own user namespace
sys.path.insert(0, "/sandbox/site")
sys.setrecursionlimit(2000)
request = json.loads(sys.stdin.buffer.read(4 * 2**20))
result_fd = os.dup(1)
null = os.open("/dev/null", os.O_WRONLY)
os.dup2(null, 1)
os.dup2(null, 2)


class Capped(io.TextIOBase):
    """What the learner's print() writes: kept up to PRINT_CAP characters, the rest counted and dropped."""

    def __init__(self) -> None:
        self.parts = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.size < PRINT_CAP:
            self.parts.append(str(text)[: PRINT_CAP - self.size])
        self.size += len(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts) + ("\n…" if self.size > PRINT_CAP else "")


def send(answer: dict) -> None:
    data = json.dumps(answer).encode()
    view = memoryview(data + b"\n")
    while view:
        view = view[os.write(result_fd, view) :]


def describe(error: BaseException) -> str:
    """The exception as the learner's code raised it: its type, message and the line of their code."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<your code>"]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {str(error)[:300]}{where}"


def plain(value):
    import numpy as np

    array = np.asarray(value, dtype=float)
    if array.size > 100_000:
        raise ValueError("the function returned more than 100,000 numbers")
    return {"shape": list(array.shape), "values": array.ravel().tolist()}


def timed(function, args) -> float:
    """The least CPU time of TIMED_CALLS calls, each given fresh copies (a call that changes its input in
    place changes nothing for the next)."""
    seconds = []
    for _ in range(TIMED_CALLS):
        copies = [a.copy() if hasattr(a, "copy") else a for a in args]
        started = process_time()
        function(*copies)
        seconds.append(process_time() - started)
    return min(seconds)


printed = Capped()
sys.stdout = sys.stderr = printed
import numpy as np  # noqa: E402  after the output is captured: numpy's warnings go to the learner's buffer

np.seterr(all="ignore")  # overflow shows as inf/nan in the values, which the checks name
answer = {"results": [], "printed": ""}
try:
    namespace = {"__name__": "learner", "np": np, "numpy": np}
    exec(compile(request["source"], "<your code>", "exec"), namespace)  # noqa: S102  inside the sandbox
    missing = [name for name in request["functions"] if not callable(namespace.get(name))]
    if missing:
        answer["error"] = "no function named " + ", ".join(missing)
    else:
        for case in request["cases"]:
            args = [
                np.array(a["array"], dtype=a.get("dtype", "float64")) if isinstance(a, dict) else a
                for a in case["args"]
            ]
            try:
                function = namespace[case["function"]]
                if case.get("timed"):
                    answer["results"].append({"ok": True, "seconds": timed(function, args)})
                    continue
                value = function(*args)
                if isinstance(value, tuple):
                    answer["results"].append({"ok": True, "values": [plain(v) for v in value]})
                else:
                    answer["results"].append({"ok": True, "values": [plain(value)]})
            except BaseException as error:
                answer["results"].append({"ok": False, "error": describe(error)})
except BaseException as error:
    answer["error"] = describe(error)
answer["printed"] = printed.text()
send(answer)
os._exit(0)  # no atexit or finaliser of the learner's runs after the answer
