"""The attack suite: what a hostile learner submits, and what "contained" means for each.

Used by the tests (exercises/tests/test_attacks.py, one test per attack) and by the bench
(`sandbox_attacks_contained`). Each attack is a learner's source sent through the real path (grading.check on
the linear-regression exercise); its `contained` says, from the result alone, that the attack got nothing;
the caller also checks that the worker is unharmed (its files, its processes, a sandbox still working).
Sources are templates: {secret_file}, {settings_file}, {database_file}, {worker_pid}, {host_file}, {canary}.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import UserError

from . import sandbox
from .checks import Verdict
from .content import exercises
from .grading import Result, check

SOLUTION = """
def gradient_step(w, b, x, y, lr):
    error = w * x + b - y
    return w - lr * 2 * np.mean(error * x), b - lr * 2 * np.mean(error)
"""


def _probe(body: str) -> str:
    """Run `body` at import; print what it got, or which exception stopped it (the learner sees that)."""
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"import numpy as np\ntry:\n{lines}\nexcept BaseException as e:\n    print('BLOCKED', type(e).__name__)\n{SOLUTION}"


def blocked(result: Result, canaries: list[str]) -> bool:
    """The probe was stopped by an exception, and nothing secret came back."""
    seen = result.verdict.printed + result.verdict.error
    return "BLOCKED" in seen and "GOT" not in seen and not any(c and c in seen for c in canaries)


def stopped(*statuses: str) -> Callable[[Result, list[str]], bool]:
    def check(result: Result, canaries: list[str]) -> bool:
        seen = result.verdict.printed + result.verdict.error
        return (
            result.status in statuses and not result.verdict.passed and not any(c in seen for c in canaries)
        )

    return check


def failed_cleanly(result: Result, canaries: list[str]) -> bool:
    """Not passed, with a message saying why (an error, or the properties that failed), nothing secret in it."""
    seen = result.verdict.printed + result.verdict.error
    said = bool(result.verdict.error or result.verdict.failed)
    return not result.verdict.passed and said and not any(c in seen for c in canaries)


def clean_environment(result: Result, canaries: list[str]) -> bool:
    """It may read an environment, but only the sandbox's own: no platform variable, no worker's value."""
    seen = result.verdict.printed + result.verdict.error
    names = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SANDBOX_TEST_CANARY", "DJANGO_SETTINGS_MODULE")
    return not any(c and c in seen for c in canaries) and not any(n in seen for n in names)


@dataclass(frozen=True)
class Attack:
    name: str
    source: str
    contained: Callable[[Result, list[str]], bool] = blocked


ATTACKS = [
    Attack("read the secret key file", _probe("print('GOT', open({secret_file!r}).read())")),
    Attack("read the settings", _probe("print('GOT', open({settings_file!r}).read())")),
    Attack("read the database file", _probe("print('GOT', open({database_file!r}, 'rb').read(100))")),
    Attack("read the worker's /proc", _probe("print('GOT', open('/proc/{worker_pid}/environ').read())")),
    Attack(
        "list the worker's processes",
        _probe(
            "import os\npids = [p for p in os.listdir('/proc') if p.isdigit()]\nassert len(pids) <= 3, pids\n"
            "print('GOT' if {worker_pid!r} in pids else '', pids)\nraise PermissionError('only its own')"
        ),
    ),
    Attack("read the environment", _probe("import os\nprint(dict(os.environ))"), clean_environment),
    Attack(
        "read the parent's environment",
        _probe("print(open('/proc/1/environ').read())"),
        clean_environment,
    ),
    Attack(
        "reach Redis",
        _probe("import socket\nsocket.create_connection(('127.0.0.1', 6379), timeout=2)\nprint('GOT redis')"),
    ),
    Attack(
        "reach PostgreSQL",
        _probe("import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=2)\nprint('GOT pg')"),
    ),
    Attack(
        "reach the internet",
        _probe("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\nprint('GOT net')"),
    ),
    Attack("resolve a name", _probe("import socket\nprint('GOT', socket.getaddrinfo('example.com', 80))")),
    Attack(
        "a unix socket of Redis or PostgreSQL",
        _probe(
            "import socket, glob\nfor p in glob.glob('/var/run/**/*', recursive=True) + glob.glob('/run/**/*', recursive=True) + glob.glob('/tmp/.s.PGSQL*'):\n"
            "    s = socket.socket(socket.AF_UNIX)\n    s.connect(p)\n    print('GOT', p)\nraise FileNotFoundError('no socket to reach')"
        ),
    ),
    Attack("fork bomb", _probe("import os\nwhile True:\n    os.fork()")),
    Attack(
        "start a shell",
        _probe("import subprocess\nprint('GOT', subprocess.run(['sh', '-c', 'id'], capture_output=True))"),
    ),
    Attack(
        "os.system",
        _probe("import os\nif os.system('id') != 0:\n    raise OSError('no shell')\nprint('GOT')"),
    ),
    Attack("memory bomb", _probe("x = []\nwhile True:\n    x.append(bytearray(50 * 2**20))")),
    Attack("numpy memory bomb", _probe("a = np.ones((2**17, 2**17))\nprint('GOT', a.sum())")),
    Attack("infinite loop", "while True:\n    pass\n" + SOLUTION, stopped("cpu", "timeout")),
    Attack(
        "infinite loop that ignores SIGXCPU",
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n" + SOLUTION,
        stopped("cpu", "killed", "timeout"),
    ),
    Attack(
        "a submission that never returns", "import time\ntime.sleep(3600)\n" + SOLUTION, stopped("timeout")
    ),
    Attack(
        "a function that never returns",
        "import numpy as np\ndef gradient_step(w, b, x, y, lr):\n    import threading\n    threading.Event().wait()\n",
        stopped("timeout"),
    ),
    Attack(
        "a gigabyte of output",
        "import os\nchunk = b'x' * 2**20\nfor fd in range(1, 12):\n    try:\n        for _ in range(1024):\n            os.write(fd, chunk)\n    except OSError:\n        pass\n"
        + SOLUTION,
        stopped("output", "cpu", "timeout", "ok"),
    ),
    Attack(
        "a gigabyte of print()",
        "for _ in range(1024):\n    print('x' * 2**20)\n" + SOLUTION,
        lambda r, c: len(r.verdict.printed) < 10_000,
    ),
    Attack("write the platform's files", _probe("open({host_file!r}, 'w').write('owned')\nprint('GOT')")),
    Attack(
        "write the Python environment",
        _probe(
            "import numpy, os\nopen(os.path.join(os.path.dirname(numpy.__file__), 'x.py'), 'w')\nprint('GOT')"
        ),
    ),
    Attack("write /usr/lib", _probe("open('/usr/lib/owned', 'w')\nprint('GOT')")),
    Attack(
        "fill the work folder",
        _probe(
            "with open('/work/big', 'wb') as f:\n    for _ in range(1024):\n        f.write(b'x' * 2**20)\nprint('GOT')"
        ),
    ),
    Attack(
        "kill every process (kill -9 -1)",
        _probe("import os, signal\nos.kill(-1, signal.SIGKILL)"),
    ),
    Attack("kill the worker", _probe("import os\nos.kill({worker_pid}, 9)\nprint('GOT')")),
    Attack(
        "kill the sandbox's parent",
        _probe(
            "import os, time\nos.kill(os.getppid(), 9)\ntime.sleep(0.5)\nos.kill(1, 9)\ntime.sleep(0.5)\nraise ProcessLookupError('still here')"
        ),
    ),
    Attack(
        "ctypes: fork by syscall",
        _probe(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nif libc.syscall(57) < 0 or libc.fork() < 0:\n    raise OSError(ctypes.get_errno(), 'no fork')\nprint('GOT')"
        ),
    ),
    Attack(
        "ctypes: read address 0", "import ctypes\nctypes.string_at(0)\n" + SOLUTION, stopped("killed", "ok")
    ),
    Attack(
        "ctypes: mount and unshare",
        _probe(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nif libc.unshare(0x10000000) == 0 or libc.mount(b'none', b'/work', b'tmpfs', 0, None) == 0:\n    print('GOT')\nraise PermissionError(ctypes.get_errno())"
        ),
    ),
    Attack("become root", _probe("import os\nos.setuid(0)\nprint('GOT')")),
    Attack("os.execv a shell", _probe("import os\nos.execv('/bin/sh', ['sh', '-c', 'id'])")),
    Attack(
        "forge the results",
        'import os\nos.write(1, b\'{"results": [{"ok": true, "values": [{"shape": [], "values": [0.0]}]}]}\\n\')\nos._exit(0)\n',
        failed_cleanly,
    ),
    Attack(
        "forge the results on every descriptor",
        "import os, json\nfake = json.dumps({'results': [{'ok': True, 'values': [{'shape': [], 'values': [0.0]}] * 2}] * 5})\n"
        "for fd in range(1, 12):\n    try:\n        os.write(fd, fake.encode() + b'\\n')\n    except OSError:\n        pass\nos._exit(0)\n",
        failed_cleanly,
    ),
    Attack(
        "monkeypatch numpy's comparison",
        "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\ndef gradient_step(w, b, x, y, lr):\n    return 0.0, 0.0\n",
        lambda r, c: not r.verdict.passed,
    ),
    Attack("NUL bytes in the source", "x = 1\x00\n" + SOLUTION, failed_cleanly),
    Attack("a megabyte of source", "x = 1\n" * 180_000 + SOLUTION, failed_cleanly),
    Attack("deeply nested source", "x = " + "(" * 5000 + ")" * 5000 + "\n" + SOLUTION, failed_cleanly),
    Attack(
        "deep recursion",
        "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1)\nf(0)\n" + SOLUTION,
        stopped("killed", "ok", "cpu", "timeout"),
    ),
    Attack("deeply nested eval", "eval('-' * 10**6 + '1')\n" + SOLUTION, stopped("killed", "ok")),
]


def render(source: str, values: dict[str, str]) -> str:
    """Fill the named places ({name} or {name!r}) and nothing else: sources hold braces of their own."""

    def fill(match: re.Match[str]) -> str:
        name, as_repr = match[1], match[2]
        if name not in values:
            return match[0]
        return repr(values[name]) if as_repr else str(values[name])

    return re.sub(r"\{(\w+)(!r)?\}", fill, source)


def run_attack(attack: Attack, values: dict[str, str], limits: sandbox.Limits | None = None) -> Result:
    """The attack through the real path; a source refused before the sandbox is a result too (its message)."""
    exercise = exercises()["linear-gradient-step"]
    try:
        return check(exercise, render(attack.source, values), limits=limits)
    except UserError as error:
        return Result(Verdict(False, [], error=error.message), "refused", 0.0)
