"""Ctrl-C during `narrator build`: what the user sees, how fast the build stops, and what it leaves behind.

    python benchmarks/ctrl_c.py --runs 20                  # Ctrl-C (the whole process group) at random moments
    python benchmarks/ctrl_c.py --runs 20 --load 10        # the same with 10 busy processes beside each build
    python benchmarks/ctrl_c.py --runs 10 --target parent  # `kill -INT` of the build process alone
    python benchmarks/ctrl_c.py --tree /work/main ...      # another checkout's narrator (a baseline)

Each run builds an invented story (four chapters unless --chapters) of long paragraphs into a fresh folder with --jobs 2, the way a
terminal's foreground job starts (its own process group, SIGINT at its default), sends SIGINT at a random moment
between --earliest and --latest seconds after the start (attribution, worker start-up, synthesis and encoding all
fall in that window), and then records:

- what stderr holds beyond narrator's own "interrupted: ..." line (an "Exception ignored ... Bad file descriptor"
  from the process pool's manager thread racing interpreter exit, a worker's traceback, ...);
- the exit status (130 expected);
- the time from SIGINT to the build's exit (median and maximum are printed);
- processes of the build's group still alive 2 s after the build exited (stray workers);
- half-written chapters: any `*.part*` file left in the output folder.

--load N starts N busy-looping processes for the whole run. Builds and load all run at nice 19 by default, so the
build competes with its load as on a busy machine while the machine's other (normal-priority) users barely notice;
--no-nice turns that off. Note the load (`uptime`) printed with the figures: they are only comparable within a run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = "interrupted: finished chapters and rendered segments are kept; run the same command to resume."


@dataclass
class Run:
    delay: float
    code: int | None
    latency: float
    noise: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


def write_story(path: Path, chapters_wanted: int) -> None:
    """An invented story: chapters of long paragraphs (the workers spend their time inside eSpeak)."""
    words = ["lamp", "river", "mill", "road", "lantern", "bridge", "hill", "market", "orchard", "well"]
    chapters = []
    for c in range(1, chapters_wanted + 1):
        paragraphs = []
        for p in range(14):
            paragraphs.append(" ".join(
                f"The {words[(c + p + s) % 10]} number {c * 1000 + p * 20 + s} stood on the long road home past "
                f"the {words[(c * p + s) % 10]} and the {words[(p + 2 * s) % 10]}." for s in range(10)))
        chapters.append(f"Chapter {c}\n\n" + "\n\n".join(paragraphs))
    path.write_text("The Interrupted Story - A. Tester\n\n" + "\n\n".join(chapters) + "\n", encoding="utf-8")


def group_members(pgid: int) -> list[str]:
    """'pid name' of every live process whose process group is pgid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:100]
            found.append(f"{entry.name} {cmd}")
    return found


def one_run(tree: Path, story: Path, out: Path, delay: float, target: str, nice: bool) -> Run:
    cmd = [sys.executable, "-m", "narrator", "build", str(story), "-o", str(out), "--jobs", "2"]
    if nice:
        cmd = ["nice", "-n", "19", *cmd]
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # the child starts with SIGINT at default
    try:
        proc = subprocess.Popen(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        proc.wait(timeout=delay)
        code, latency = proc.returncode, 0.0  # it finished (or failed) before the interrupt
        err = proc.stderr.read() if proc.stderr else ""
    except subprocess.TimeoutExpired:
        sent = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
        code, latency = proc.returncode, time.monotonic() - sent
    time.sleep(2.0)
    strays = group_members(proc.pid)
    for line in strays:  # leave the machine as we found it
        with contextlib.suppress(OSError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    noise = [ln for ln in err.splitlines() if ln.strip() and ln.strip() != EXPECTED]
    parts = [str(p.relative_to(out)) for p in out.rglob("*.part*")] if out.exists() else []
    return Run(delay, code, latency, noise, strays, parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose narrator is run")
    ap.add_argument("--load", type=int, default=0, help="busy processes beside each build")
    ap.add_argument("--target", choices=["group", "parent"], default="group",
                    help="group: a terminal's Ctrl-C; parent: kill -INT of the build process alone")
    ap.add_argument("--earliest", type=float, default=0.5)
    ap.add_argument("--latest", type=float, default=12.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chapters", type=int, default=4,
                    help="4: about 60 kB; 14 or more: over 200 kB, analysed in a child process (pipeline.py)")
    ap.add_argument("--no-nice", dest="nice", action="store_false")
    ap.add_argument("--show", action="store_true", help="print every run's noise in full")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    load = [subprocess.Popen((["nice", "-n", "19"] if args.nice else []) + [sys.executable, "-c", "while True: pass"])
            for _ in range(args.load)]
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="narrator-ctrl-c-") as tmp:
            story = Path(tmp) / "story.txt"
            write_story(story, args.chapters)
            for i in range(args.runs):
                delay = rng.uniform(args.earliest, args.latest)
                run = one_run(args.tree, story, Path(tmp) / f"out{i}", delay, args.target, args.nice)
                runs.append(run)
                flag = "NOISE" if run.noise else ("STRAY" if run.strays else ("PART" if run.parts else "ok"))
                print(f"run {i + 1:2d}: SIGINT at {delay:5.2f} s, exit {run.code}, stopped in {run.latency:5.2f} s, "
                      f"{flag}" + (f": {run.noise[-1][:110]}" if run.noise else ""), flush=True)
                if args.show and run.noise:
                    print("    " + "\n    ".join(run.noise))
                if run.strays:
                    print("    strays: " + "; ".join(run.strays))
    finally:
        for p in load:
            p.kill()
            p.wait()
    stopped = [r.latency for r in runs if r.latency > 0]
    print(f"\n{len(runs)} runs ({os.getloadavg()[0]:.1f} load average, {args.load} busy processes, target "
          f"{args.target}): {sum(1 for r in runs if r.noise)} with noise, "
          f"{sum(1 for r in runs if r.code != 130)} not exit 130, {sum(1 for r in runs if r.strays)} with strays, "
          f"{sum(1 for r in runs if r.parts)} with half-written chapters")
    if stopped:
        print(f"SIGINT to exit: median {statistics.median(stopped):.2f} s, max {max(stopped):.2f} s "
              f"over {len(stopped)} interrupted runs")


if __name__ == "__main__":
    main()
