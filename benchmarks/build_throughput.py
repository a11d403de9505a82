"""Throughput and memory: `narrator build` against the physical baseline, on a ~10k- and a ~100k-word book.

The baseline is the naive single-voice pipeline on the same text, measured in the same run: `espeak-ng` reads
the whole story in one voice into one WAV, then `ffmpeg` encodes it with our MP3 settings. The ratio
build/baseline is the figure that matters (goal: <= 1.0); absolute times depend on the machine and its load.

Peak memory is the peak of the summed RSS of the process and all its descendants, polled every 50 ms.

    python benchmarks/throughput.py                 # both books, 1 run each
    python benchmarks/throughput.py --only 10k --runs 3 --json results.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "stories" / "the-lamplighters-apprentice.txt"
PDNC = ROOT.parent / "shared" / "corpus" / "pdnc"
NOVEL = "a-passage-to-india"  # 101,486 words: the ~100k-word book when the corpus is beside the repo
BASELINE_VOICE = "gmw/en-GB-x-rp"  # our narrator's voice


@dataclass
class Run:
    book: str
    words: int
    what: str
    wall_s: float
    audio_s: float
    peak_rss_mb: float
    cpu_s: float
    """User + system seconds of the whole process tree."""

    @property
    def rtf(self) -> float:
        """Seconds of audio made per second of wall time."""
        return self.audio_s / self.wall_s if self.wall_s else 0.0


def machine() -> dict[str, str]:
    """nproc, CPU model and RAM, for the record."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        ram = "?"
    return {"nproc": str(os.cpu_count()), "cpu": model, "ram": ram, "python": sys.version.split()[0],
            "load_1min": f"{os.getloadavg()[0]:.2f}"}


_TICK = os.sysconf("SC_CLK_TCK")


def _tree_rss_kb(root: int, cpu: dict[int, float] | None = None) -> int:
    """Summed VmRSS of `root` and every descendant (read from /proc, no dependencies).

    With `cpu`, also records each process's own user+system seconds (last value seen wins).
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        vm = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        pid = int(entry.name)
        if ppid:
            children.setdefault(int(ppid.group(1)), []).append(pid)
            _PARENT[pid] = int(ppid.group(1))
        rss[pid] = int(vm.group(1)) if vm else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
        if cpu is not None:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
            except (OSError, IndexError, ValueError):
                pass
    return total


CPU: list[float] = []  # CPU seconds of the last measured command's process tree (sampled; see measure)


def measure(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess[str]]:  # type: ignore[no-untyped-def]
    """(wall seconds, peak tree RSS in MB, the finished process) for one command.

    Also appends the tree's CPU seconds to CPU: each process's own time as last sampled, plus the root's
    reaped children from wait4 (short-lived ffmpeg runs between samples are counted there, not lost).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    peak = 0
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid, cpu))
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = usage.ru_utime + usage.ru_stime - _REAPED[0]
    _REAPED[0] = usage.ru_utime + usage.ru_stime
    # The root and its direct children are in `reaped` (wait4); sampled values add the grandchildren.
    direct = {proc.pid}
    CPU.append(reaped + sum(v for pid, v in cpu.items() if pid not in direct and not _is_child_of(pid, proc.pid)))
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({proc.returncode}): {err.strip()[-500:]}")
    return wall, peak / 1024, done


_REAPED = [0.0]
_PARENT: dict[int, int] = {}


def _is_child_of(pid: int, parent: int) -> bool:
    return _PARENT.get(pid) == parent


def make_10k(folder: Path) -> Path:
    """The novel's opening chapters up to ~10k words (same kind of text as the 100k book), else the sample repeated.

    The repeated sample is a fallback for checkouts without the corpus: its repeated lines are rendered once and
    reused from the cache, so it flatters synthesis (the table's "rendered" column shows how much).
    """
    novel = PDNC / NOVEL / "text.txt"
    if novel.is_file():
        text = novel.read_text(encoding="utf-8")
        # Cut at the chapter heading nearest to 10k words.
        cuts = [m.start() for m in re.finditer(r"^[ \t]*CHAPTER [IVXLC]+\s*$", text, re.M)] + [len(text)]
        cut = min(cuts, key=lambda at: abs(len(text[:at].split()) - 10_000))
        path = folder / "ten-k.txt"
        path.write_text(text[:cut], encoding="utf-8")
        return path
    text = SAMPLE.read_text(encoding="utf-8")
    first = re.search(r"^\s*Chapter\b", text, re.M | re.I)
    assert first, "the sample story has chapter headings"
    header, body = text[: first.start()], text[first.start() :]
    chapters = re.split(r"(?=^\s*Chapter\b)", body, flags=re.M | re.I)
    chapters = [c for c in chapters if c.strip()]
    out, n, words = [header.rstrip() + "\n\n"], 0, len(header.split())
    while words < 10_000:
        for ch in chapters:
            n += 1
            body_text = re.sub(r"^\s*Chapter\s+\S+", f"Chapter {n}", ch, count=1, flags=re.I)
            out.append(body_text.rstrip() + "\n\n")
            words += len(ch.split())
            if words >= 10_000:
                break
    path = folder / "ten-k.txt"
    path.write_text("".join(out), encoding="utf-8")
    return path


def make_100k(folder: Path) -> Path:
    """A ~100k-word novel from the PDNC corpus beside the repo, or the 10k book repeated tenfold."""
    novel = PDNC / NOVEL / "text.txt"
    if novel.is_file():
        return novel
    ten = make_10k(folder).read_text(encoding="utf-8")
    first = re.search(r"^\s*Chapter\b", ten, re.M | re.I)
    assert first
    header, body = ten[: first.start()], ten[first.start() :]
    parts = [header]
    n = 0
    for _ in range(10):
        for ch in re.split(r"(?=^Chapter \d+)", body, flags=re.M):
            if ch.strip():
                n += 1
                parts.append(re.sub(r"^Chapter \d+", f"Chapter {n}", ch, count=1))
    path = folder / "hundred-k.txt"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def run_build(story: Path, out: Path, jobs: int | None, root: Path = ROOT) -> tuple[float, float, float, float]:
    """Cold-cache `narrator build` of the checkout at `root`: (wall s, audio s, peak MB, CPU s)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "narrator", "build", str(story), "-o", str(out), "--json"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    wall, peak, done = measure(cmd, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    summary = json.loads(done.stdout)
    RENDERED.append(int(summary["segments_rendered"]))
    return wall, float(summary["audio_seconds"]), peak, CPU[-1]


RENDERED: list[int] = []


def run_baseline(story: Path, work: Path) -> tuple[float, float, float, float]:
    """espeak-ng one voice to one WAV, then ffmpeg to MP3 with our settings: (wall s, audio s, peak MB, CPU s)."""
    sys.path.insert(0, str(ROOT))
    from narrator.export import MP3_BITRATE
    from narrator.synthesis import SAMPLE_RATE

    wav, mp3 = work / "baseline.wav", work / "baseline.mp3"
    text = work / "baseline.txt"
    text.write_text(story.read_text(encoding="utf-8", errors="replace"), encoding="utf-8")
    w1, p1, _ = measure(["espeak-ng", "-v", BASELINE_VOICE, "-w", str(wav), "-f", str(text)])
    w2, p2, _ = measure(["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-ar", str(SAMPLE_RATE),
                         "-c:a", "libmp3lame", "-b:a", MP3_BITRATE, str(mp3)])
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(mp3)],
                           capture_output=True, text=True, check=True)
    wav.unlink(missing_ok=True)
    return w1 + w2, float(probe.stdout.strip()), max(p1, p2), CPU[-2] + CPU[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1, help="runs per measurement; medians are reported")
    ap.add_argument("--only", choices=["10k", "100k"], help="one book only")
    ap.add_argument("--jobs", type=int, default=None, help="narrator --jobs (default: one per core)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--narrator-root", type=Path, default=ROOT,
                    help="build with the narrator checkout here (e.g. an older commit, for before/after figures)")
    args = ap.parse_args()
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"narrator checkout: {args.narrator_root.resolve()}")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="narrator-bench-") as tmp:
        work = Path(tmp)
        books = {"10k": make_10k, "100k": make_100k}
        for label, make in books.items():
            if args.only and args.only != label:
                continue
            story = make(work)
            words = len(story.read_text(encoding="utf-8", errors="replace").split())
            builds, bases = [], []
            for _ in range(args.runs):
                # Alternate build and baseline so a load change on the shared machine hits both alike.
                builds.append(Run(label, words, "build", *run_build(story, work / "out", args.jobs,
                                                                    args.narrator_root.resolve())))
                bases.append(Run(label, words, "baseline", *run_baseline(story, work)))
            for name, runs in (("narrator build", builds), ("espeak-ng + ffmpeg", bases)):
                rows.append({"book": label, "words": words, "what": name,
                             "wall_s": statistics.median(r.wall_s for r in runs),
                             "audio_s": statistics.median(r.audio_s for r in runs),
                             "rtf": statistics.median(r.rtf for r in runs),
                             "peak_rss_mb": statistics.median(r.peak_rss_mb for r in runs),
                             "cpu_s": statistics.median(r.cpu_s for r in runs),
                             "segments_rendered": RENDERED[-1] if name == "narrator build" and RENDERED else None,
                             "runs": [asdict(r) for r in runs]})
            ratio = statistics.median(b.wall_s / a.wall_s for b, a in zip(builds, bases, strict=True))
            rows.append({"book": label, "words": words, "what": "ratio build/baseline", "ratio": ratio,
                         "cpu_ratio": statistics.median(b.cpu_s / a.cpu_s for b, a in zip(builds, bases, strict=True))})
    print(f"\n{'book':<6} {'words':>7}  {'what':<22} {'wall s':>8} {'audio':>9} {'RTF':>7} {'peak MB':>8} {'CPU s':>7}")
    for r in rows:
        if "ratio" in r:
            print(f"{r['book']:<6} {r['words']:>7}  {r['what']:<22} {r['ratio']:>8.2f}   (goal <= 1.0; "
                  f"CPU ratio {r['cpu_ratio']:.2f})")
            continue
        audio = float(r["audio_s"])  # type: ignore[arg-type]
        print(f"{r['book']:<6} {r['words']:>7}  {r['what']:<22} {r['wall_s']:>8.1f} "
              f"{int(audio // 3600)}:{int(audio % 3600 // 60):02d}:{int(audio % 60):02d} {r['rtf']:>6.0f}x "
              f"{r['peak_rss_mb']:>8.0f} {r['cpu_s']:>7.1f}" + (f"  ({r['segments_rendered']} segments rendered)"
                                              if r.get("segments_rendered") else ""))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
