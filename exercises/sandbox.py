"""Running a learner's Python in a bubblewrap sandbox, on the worker of the `sandbox` queue.

What the code inside sees: a read-only root holding only the Python interpreter's prefix, numpy (and the
system's shared libraries they link), its own /proc (a new pid namespace: no process of the worker is
visible, and `kill -9 -1` reaches only itself), a private tmpfs work folder, and nothing else — no platform
files, no secret key, no database, no environment (`--clearenv`), no network (`--unshare-all` leaves a
loopback device that nothing listens on). Around it: rlimits (CPU time, address space, processes, file size,
open files), a seccomp filter that lets it start threads but no process (a fork bomb stops at its first
fork), a wall-clock timeout that kills the whole process group, and a cap on what it may print. The sandbox
dies with its parent (`--die-with-parent`) and cannot reach the worker's terminal (`--new-session`).

Why the filter as well as RLIMIT_NPROC: that limit counts processes per real user, and where the worker runs
as root the kernel does not apply it at all (the sandbox's uid maps to root outside). The filter holds for
every user.

Nothing that comes back from the sandbox is trusted: it is capped bytes, parsed as JSON by the caller. The
grading compares those values with the reference outside the sandbox, so code that forges its "results" has
only forged its own answer.
"""

from __future__ import annotations

import functools
import os
import resource
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BWRAP = os.environ.get("BWRAP", "bwrap")
INSIDE_PYTHON = "/sandbox/python"  # where the interpreter's prefix is mounted, for a stable path inside
INSIDE_SITE = "/sandbox/site"  # numpy's folder, alone
WORK = "/work"  # the private tmpfs


@dataclass(frozen=True)
class Limits:
    """What one check may use. The defaults fit a numpy exercise with room to spare (a check takes ~0.1 s)."""

    cpu_s: int = 5  # CPU seconds (RLIMIT_CPU): SIGXCPU, then SIGKILL
    wall_s: float = 8.0  # wall clock, for code that sleeps or blocks instead of computing
    memory_bytes: int = 768 * 2**20  # address space (RLIMIT_AS): numpy and OpenBLAS need ~300 MiB mapped
    processes: int = 32  # RLIMIT_NPROC (where the kernel applies it; the seccomp filter stops forks anyway)
    file_bytes: int = 1 * 2**20  # the largest file it may write (RLIMIT_FSIZE), in its tmpfs only
    open_files: int = 64  # RLIMIT_NOFILE
    output_bytes: int = 256 * 2**10  # stdout and stderr together; past it the sandbox is killed
    tmpfs_bytes: int = 8 * 2**20  # the work folder's size


@dataclass
class Outcome:
    """What happened to one run. `status` is one of: ok (it exited by itself, whatever its code), timeout,
    cpu (its CPU time ran out), output (it printed past its cap), killed (a signal, e.g. memory)."""

    status: str
    returncode: int | None
    stdout: bytes = b""
    stderr: bytes = b""
    wall_ms: float = 0.0
    notes: list[str] = field(default_factory=list)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is not installed, or cannot make namespaces here: exercises are refused, saying so."""


def bwrap_path() -> str | None:
    return shutil.which(BWRAP)


@functools.cache
def probe() -> str:
    """'' when a sandbox can start here, else why not (checked once per process: a sandbox that cannot
    start must refuse the exercise, never fall back to running the code unsandboxed)."""
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    try:
        outcome = run_python("print(6 * 7)", limits=Limits(wall_s=20))
    except OSError as error:
        return f"bubblewrap cannot start: {error}"
    if outcome.status != "ok" or outcome.stdout.strip() != b"42":
        err = outcome.stderr.decode(errors="replace").strip()[-300:]
        return f"bubblewrap cannot make a sandbox here ({outcome.status}): {err}"
    return ""


def available() -> bool:
    return probe() == ""


def _python_prefix() -> Path:
    """The interpreter's installation (bin/, lib/python3.X) — not the virtual environment, whose
    site-packages hold the platform's dependencies; only numpy is mounted from it."""
    return Path(sys.base_prefix).resolve()


def _numpy_dirs() -> list[Path]:
    import numpy  # the worker's own numpy: the learner's code runs with the same version as the grader

    root = Path(numpy.__file__).resolve().parent
    return [p for p in (root, root.parent / "numpy.libs") if p.exists()]


def _library_dirs() -> list[str]:
    """The system's shared libraries (libc, libm, libz, libffi…) that the interpreter links: /usr/lib and
    /usr/lib64, no binaries, no /etc."""
    return [d for d in ("/usr/lib", "/usr/lib64") if os.path.isdir(d)]


# seccomp: classic BPF, as bwrap's --seccomp reads it (an array of struct sock_filter).
_ARCHES = {  # AUDIT_ARCH_*, then (fork, vfork, clone, clone3); -1 where the call does not exist
    "x86_64": (0xC000003E, (57, 58, 56, 435)),
    "aarch64": (0xC00000B7, (-1, -1, 220, 435)),
}
_CLONE_THREAD = 0x00010000
_RET_ALLOW = 0x7FFF0000
_RET_KILL = 0x80000000
_EPERM, _ENOSYS = 1, 38


def _filter(arch: str) -> bytes:
    """No new process: fork and vfork fail (EPERM), clone only with CLONE_THREAD (threads, which OpenBLAS
    and Python may start; the address-space limit bounds them), clone3 answers ENOSYS so that libc falls
    back to clone, whose flags the filter can read. Another architecture's calls (x32 on x86_64) kill."""
    audit, (fork, vfork, clone, clone3) = _ARCHES[arch]
    ld = lambda k: struct.pack("HBBI", 0x20, 0, 0, k)  # noqa: E731  BPF_LD|BPF_W|BPF_ABS
    ret = lambda k: struct.pack("HBBI", 0x06, 0, 0, k)  # noqa: E731  BPF_RET|BPF_K
    jeq = lambda k, t, f: struct.pack("HBBI", 0x15, t, f, k)  # noqa: E731
    jge = lambda k, t, f: struct.pack("HBBI", 0x35, t, f, k)  # noqa: E731
    jset = lambda k, t, f: struct.pack("HBBI", 0x45, t, f, k)  # noqa: E731
    eperm, enosys = ret(0x00050000 | _EPERM), ret(0x00050000 | _ENOSYS)
    # Layout: 0 ld arch; 1 jeq arch; 2 kill; 3 ld nr; 4 jge x32; 5 jeq fork; 6 jeq vfork; 7 jeq clone3;
    # 8 jeq clone; 9 allow; 10 ld flags; 11 jset thread; 12 eperm; 13 allow; 14 eperm; 15 enosys; 16 kill
    none = 0xFFFFFFFF  # a number no call has
    program = [
        ld(4),
        jeq(audit, 1, 0),
        ret(_RET_KILL),
        ld(0),
        jge(0x40000000, 11, 0),  # -> 16 kill (x32 calls)
        jeq(fork if fork >= 0 else none, 8, 0),  # -> 14 eperm
        jeq(vfork if vfork >= 0 else none, 7, 0),  # -> 14
        jeq(clone3, 7, 0),  # -> 15 enosys
        jeq(clone, 1, 0),  # -> 10 (read its flags), else 9
        ret(_RET_ALLOW),  # 9
        ld(16),  # 10: args[0], low 32 bits (little-endian)
        jset(_CLONE_THREAD, 1, 0),  # 11: thread -> 13
        eperm,  # 12
        ret(_RET_ALLOW),  # 13
        eperm,  # 14
        enosys,  # 15
        ret(_RET_KILL),  # 16
    ]
    return b"".join(program)


def _command(limits: Limits, seccomp_fd: int | None) -> list[str]:
    prefix = _python_prefix()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    argv = [
        bwrap_path() or BWRAP,
        "--unshare-all",  # ipc, pid, net, uts, cgroup namespaces: no network, its own pids
        "--unshare-user",  # not only "try": its uid is nobody's, whoever runs the worker
        "--disable-userns",  # and no further namespaces from inside
        "--die-with-parent",
        "--new-session",  # setsid: no TIOCSTI into the worker's terminal
        "--clearenv",
        "--setenv", "PATH", f"{INSIDE_PYTHON}/bin",
        "--setenv", "HOME", WORK,
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "OPENBLAS_NUM_THREADS", "1",  # one thread: the CPU limit is the learner's, not BLAS's
        "--setenv", "OMP_NUM_THREADS", "1",
        "--uid", "65534", "--gid", "65534",
        "--hostname", "sandbox",
    ]  # fmt: skip
    for lib in _library_dirs():
        argv += ["--ro-bind", lib, lib]
    argv += ["--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"]
    argv += ["--ro-bind", str(prefix), INSIDE_PYTHON]
    if str(prefix) != INSIDE_PYTHON:  # the interpreter may find libpython by its absolute path (RPATH)
        argv += ["--ro-bind", str(prefix), str(prefix)]
    for folder in _numpy_dirs():
        argv += ["--ro-bind", str(folder), f"{INSIDE_SITE}/{folder.name}"]
    argv += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(limits.tmpfs_bytes), "--tmpfs", WORK,
        "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp",  # noqa: S108  a tmpfs of its own, inside the sandbox
        "--remount-ro", "/",
        "--chdir", WORK,
    ]  # fmt: skip
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    argv += [f"{prefix}/bin/{version}", "-I", "-S", "-B", "-X", "utf8"]
    return argv


def _rlimits(limits: Limits) -> None:
    """Runs in the child before bwrap is executed: the limits pass through bwrap to the code inside."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # RLIMIT_NPROC is set inside (the harness) where it counts only the sandbox's own user namespace.


def run_python(
    code: str,
    *,
    stdin: bytes = b"",
    limits: Limits | None = None,
    on_line: Callable[[bytes], None] | None = None,
) -> Outcome:
    """Run `code` (a program given to `python -c`) in a fresh sandbox, feeding it `stdin`.

    The caller decides what the output means; this only guarantees the code ran contained and ended. With
    `on_line`, each complete line of stdout is handed over as it arrives (a training run's points); whatever
    that callback raises (a cancel, a divergence, a time limit) kills the sandbox first, then goes on up.
    """
    limits = limits or Limits()
    process, started = _start(code, limits)
    try:
        return _collect(process, stdin, limits, started, on_line)
    except BaseException:
        _kill(process)
        process.wait()
        raise


def _start(code: str, limits: Limits) -> tuple[subprocess.Popen[bytes], float]:
    """bwrap running `python -c code` under the limits and the filter, its pipes open."""
    if bwrap_path() is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    arch = os.uname().machine
    read_end = None
    pass_fds: tuple[int, ...] = ()
    if arch in _ARCHES:
        program = _filter(arch)
        read_end, write_end = os.pipe()
        os.write(write_end, program)  # a few hundred bytes: fits the pipe's buffer
        os.close(write_end)
        pass_fds = (read_end,)
    argv = [*_command(limits, read_end), "-c", code]
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
            start_new_session=True,  # its own process group, killed whole on timeout
            preexec_fn=lambda: _rlimits(limits),
            env={},
            close_fds=True,
        )
    finally:
        if read_end is not None:
            os.close(read_end)
    return process, started


def _collect(
    process: subprocess.Popen[bytes],
    stdin: bytes,
    limits: Limits,
    started: float,
    on_line: Callable[[bytes], None] | None,
) -> Outcome:
    deadline = started + limits.wall_s
    out: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    total = 0
    status = "ok"
    assert process.stdin and process.stdout and process.stderr
    try:
        process.stdin.write(stdin)
    except (BrokenPipeError, OSError):
        pass  # it ended or closed its input without reading: its outcome says why
    finally:
        try:
            process.stdin.close()
        except OSError:
            pass
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    open_streams = 2
    partial = b""
    while open_streams:
        left = deadline - time.perf_counter()
        if left <= 0:
            status = "timeout"
            break
        for key, _ in selector.select(timeout=left):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                open_streams -= 1
                continue
            take = chunk[: max(0, limits.output_bytes - total)]
            total += len(chunk)
            if on_line is not None and key.data == "stdout":
                partial += take
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    on_line(line)
                continue
            out[key.data].append(take)
            if total > limits.output_bytes:
                status = "output"
                break
        if status != "ok":
            break
    selector.close()
    if status != "ok":
        _kill(process)
    try:
        returncode = process.wait(timeout=max(0.1, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        status = "timeout"
        _kill(process)
        returncode = process.wait()
    for stream in (process.stdout, process.stderr):
        stream.close()
    if status == "ok":
        status = _ended_by(returncode)
    return Outcome(
        status=status,
        returncode=returncode,
        stdout=b"".join(out["stdout"]),
        stderr=b"".join(out["stderr"]),
        wall_ms=(time.perf_counter() - started) * 1000,
    )


def _ended_by(returncode: int | None) -> str:
    """ok for a process that exited by itself; cpu or killed for one that a signal ended."""
    # bwrap exits 128 + n when its child died of signal n.
    if returncode is not None and (returncode < 0 or returncode > 128):
        number = -returncode if returncode < 0 else returncode - 128
        return "cpu" if number == signal.SIGXCPU else "killed"
    return "ok"


class SessionEnded(RuntimeError):
    """The sandbox of a Session stopped answering; `status` says why, as an Outcome's does (ok: it exited)."""

    def __init__(self, status: str, stderr: bytes = b"") -> None:
        super().__init__(status)
        self.status, self.stderr = status, stderr


class Session:
    """A sandbox kept open for a conversation: each `ask` writes one line to its stdin and waits for one line
    of its stdout. A training run asks once per step, so the learner's function stays loaded (one start, not
    one per step) and yet runs only in here, under the same namespaces, filter and rlimits as `run_python`.

    `limits.wall_s` bounds the whole session, `limits.cpu_s` its CPU time, `limits.output_bytes` what it may
    write in answer to one question (stdout and stderr together; past it the sandbox is killed). Leaving the
    `with` block kills it, whatever ends the conversation (its end, a cancel, the run's time limit).
    """

    def __init__(self, code: str, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.process, started = _start(code, self.limits)
        self.deadline = started + self.limits.wall_s
        self.stdout = bytearray()  # what came after the last full line (grown in place: megabytes)
        self.stderr = b""
        self.stderr_open = True  # the harness may close its stderr early (it sends what it prints nowhere)
        assert self.process.stdin and self.process.stdout and self.process.stderr
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            os.set_blocking(stream.fileno(), False)  # a sandbox that does not read cannot block the writer

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ask(self, line: bytes, timeout_s: float | None = None) -> bytes:
        """Its answer to `line` (both without the newline). Raises SessionEnded when it exits, runs past its
        time (the session's, or `timeout_s` for this answer), or writes past its cap."""
        deadline = self.deadline if timeout_s is None else min(self.deadline, time.perf_counter() + timeout_s)
        process = self.process
        assert process.stdin and process.stdout and process.stderr
        pending = memoryview(line + b"\n")
        written = 0
        selector = selectors.DefaultSelector()
        selector.register(process.stdin, selectors.EVENT_WRITE, "stdin")
        selector.register(process.stdout, selectors.EVENT_READ, "stdout")
        if self.stderr_open:
            selector.register(process.stderr, selectors.EVENT_READ, "stderr")
        searched = 0  # where the next newline may be: an answer arrives in 64 KiB pieces
        try:
            while (newline := self.stdout.find(b"\n", searched)) < 0:
                searched = len(self.stdout)
                left = deadline - time.perf_counter()
                if left <= 0:
                    self._end("timeout")
                for key, _ in selector.select(timeout=left):
                    if key.data == "stdin":
                        try:
                            written += os.write(key.fd, pending[written:])
                        except (BrokenPipeError, OSError):
                            written = len(pending)  # it closed its input: its end says why
                        if written == len(pending):
                            selector.unregister(key.fileobj)
                        continue
                    chunk = os.read(key.fd, 65536)
                    if not chunk and key.data == "stderr":
                        selector.unregister(key.fileobj)
                        self.stderr_open = False
                        continue
                    if not chunk:
                        self._end(None)
                    if len(self.stdout) + len(self.stderr) + len(chunk) > self.limits.output_bytes:
                        self._end("output")
                    if key.data == "stdout":
                        self.stdout += chunk
                    else:
                        self.stderr += chunk
        finally:
            selector.close()
        answer = bytes(self.stdout[:newline])
        del self.stdout[: newline + 1]
        self.stderr = b""
        return answer

    def _end(self, status: str | None) -> None:
        """Kills it and raises SessionEnded: `status`, or (None) what its exit says."""
        if status is not None:
            _kill(self.process)
        try:
            returncode = self.process.wait(timeout=max(0.1, self.deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            status = "timeout"
            _kill(self.process)
            returncode = self.process.wait()
        raise SessionEnded(status or _ended_by(returncode), self.stderr)

    def close(self) -> None:
        _kill(self.process)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the whole group bwrap leads; the sandboxed process dies with it (--die-with-parent, and its
    pid namespace ends with its init)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
