"""synthesize: what reaches the engine for a long line; how the worker pool ends on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from narrator.engines import ENGINES
from narrator.models import Voice
from narrator.synthesis import _Task, _Worker, interrupt_after, process_context, stop_pool

from . import fault_engines

ROOT = Path(__file__).resolve().parents[1]


def test_synthesis_long_line_every_word_in_exactly_one_engine_call(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ENGINES, "recording", "tests.fault_engines:RecordingEngine")
    fault_engines.CALLS.clear()
    # A 60-sentence paragraph with numbered words, so a lost, doubled or reordered word shows.
    speech = " ".join(f"Word{k}a, word{k}b and word{k}c went {'far' if k % 3 else 'very far indeed'}." for k in range(60))
    worker = _Worker("recording", tmp_path / "cache")
    _key, _samples, failure = worker.render(_Task("k", speech, Voice("recording", "narrator"), "chapter 1, line 1"))
    assert failure is None  # (the silent engine's audio is all trimmed away: only the calls matter here)
    calls = fault_engines.CALLS
    assert len(calls) > 1 and all(len(c) <= 400 for c in calls)
    assert all(re.search(r"[.!?]$", c) for c in calls)  # cut at sentence ends
    assert [w for c in calls for w in c.split()] == speech.split()


def _sleep_in_worker(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_synthesis_stop_pool_ends_workers_and_manager_thread_before_returning() -> None:
    # shutdown(wait=False) returned with the workers still rendering and the pool's manager thread still running,
    # which then raced the interpreter's exit ("Exception ignored ... Bad file descriptor" after a Ctrl-C).
    pool = ProcessPoolExecutor(max_workers=2, mp_context=process_context())
    assert pool.submit(_sleep_in_worker, 0).result()  # a worker started and answered: the pool is running
    busy = [pool.submit(_sleep_in_worker, 60) for _ in range(2)]
    processes = list(pool._processes.values())  # type: ignore[union-attr]
    manager = pool._executor_manager_thread
    assert len(processes) == 2 and manager is not None and manager.is_alive()
    stop_pool(pool)
    assert not manager.is_alive()
    assert not [p for p in processes if p.is_alive()]
    assert all(f.done() for f in busy)  # their work is not waited for: it failed with the pool


@pytest.fixture
def _sigint_at_default() -> Iterator[None]:
    # As in a terminal's foreground job. A test run started in the background by a script has SIGINT ignored,
    # and an ignored SIGINT is left ignored (a test below checks that).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("_sigint_at_default")
def test_synthesis_interrupt_after_holds_ctrl_c_until_the_block_ends() -> None:
    reached = []
    with pytest.raises(KeyboardInterrupt), interrupt_after():
        signal.raise_signal(signal.SIGINT)
        reached.append("after the signal")  # the block is not cut short
    assert reached == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


@pytest.mark.usefixtures("_sigint_at_default")
def test_synthesis_interrupt_after_reports_the_interrupt_not_what_failed_because_of_it() -> None:
    # A forkserver that heard the same Ctrl-C is gone: starting a worker then raises EOFError.
    with pytest.raises(KeyboardInterrupt), interrupt_after():
        signal.raise_signal(signal.SIGINT)
        raise EOFError
    with pytest.raises(EOFError), interrupt_after():  # without a Ctrl-C the error is the error
        raise EOFError


def test_synthesis_interrupt_after_leaves_an_ignored_sigint_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a build started in the background by a script
    try:
        with interrupt_after():
            signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


_FRESH_FORKSERVER = """
import os, signal, sys, time
from multiprocessing import forkserver
from narrator.synthesis import process_context
context = process_context()
# The forkserver is still starting: a Ctrl-C now used to print a traceback (or a "Fatal Python error").
pid = forkserver._forkserver._forkserver_pid
os.kill(pid, signal.SIGINT)
deadline = time.monotonic() + 60
while time.monotonic() < deadline and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
    time.sleep(0.01)  # it leaves (quietly) once its preload has run
context = process_context()  # a new forkserver: that one is gone
# A child interrupted before any initializer could run leaves quietly.
child = context.Process(target=signal.raise_signal, args=(signal.SIGINT,))
child.start()
child.join()
print(child.exitcode)
"""


def test_synthesis_forkserver_and_its_children_are_quiet_on_ctrl_c_from_their_start(tmp_path: Path) -> None:
    # A fresh interpreter, so that its forkserver starts here (this test run's may predate the preload).
    result = subprocess.run([sys.executable, "-c", _FRESH_FORKSERVER], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.stdout.split() == ["130"], result.stderr
    assert result.stderr == ""


_EXIT_AFTER_STOP = """
import concurrent.futures.process as cfp, os, signal, sys, time
def wakeup(self):
    # CPython 3.11 checks and writes without a lock (gh-125451): widen that window so the race always shows.
    if not self._closed:
        time.sleep(0.3)
        self._writer.send_bytes(b"")
cfp._ThreadWakeup.wakeup = wakeup
from narrator.synthesis import process_context, stop_pool
pool = cfp.ProcessPoolExecutor(2, mp_context=process_context())
busy = [pool.submit(time.sleep, 30) for _ in range(2)]
for p in list(pool._processes.values()):
    os.kill(p.pid, signal.SIGKILL)  # the workers die at once, as on a terminal's Ctrl-C
stop_pool(pool)
sys.exit(130)
"""


def test_synthesis_exit_right_after_stop_pool_prints_nothing(tmp_path: Path) -> None:
    # The interrupted build exits right after stopping its pool. With shutdown(wait=False) instead of stop_pool
    # this printed "Exception ignored in: <module 'threading'> ... OSError" every time (3 of 3 runs): the pool's
    # manager thread closed its wake-up pipe while the interpreter's exit wrote to it.
    result = subprocess.run([sys.executable, "-c", _EXIT_AFTER_STOP], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 130
    assert result.stderr == ""
