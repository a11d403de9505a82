"""Throughput and memory of `narrator build`, against the physical baseline, per engine.

    python benchmarks/throughput.py                          # issue 8: the ~10k- and ~100k-word books, pyttsx3
    python benchmarks/throughput.py --only 10k --repeat 3 --json results.json
    python benchmarks/throughput.py --engine piper --words 10000 --repeat 3      # issue 6: Piper's figures
    python benchmarks/throughput.py --engine piper --words 10000 --synthesis-only  # synthesis alone (older figure)

Each run is a cold-cache `narrator build --engine ENGINE` in a child process. The baseline, measured in the same
run on the same text, is the naive single-voice pipeline: `espeak-ng` reads the whole text in one voice into one
WAV, then `ffmpeg` encodes it with our MP3 settings. The ratio build/baseline is the figure issue 8 asks for
(goal: <= 1.0 on 2 cores); absolute times depend on the machine and its load, so builds and baselines
alternate and medians are reported. Printed per book: wall time, audio duration, real-time factor both ways
(RTF = wall / audio, issue 6's goal is <= 0.06 for Piper; "x" = audio / wall), peak memory of the whole process
tree and of the largest synthesis worker (polled every 50 ms from /proc), and CPU seconds of the tree.

Memory is given two ways. "RSS" sums each process's resident set: a page shared by several processes (the
forkserver's imports inherited by every worker, libespeak-ng, numpy, libc) is counted once per process, so the
sum overstates what the tree takes from the machine. "PSS" sums /proc/PID/smaps_rollup's proportional set
size: a shared page is split between its sharers, so the sum counts it once in all. PSS is the honest figure
for the tree; RSS is kept for comparison with earlier figures. Each run also prints the PSS per kind of
process at the moment of the tree's PSS peak.

Books: without --words, a ~10k-word book (the opening chapters of *A Passage to India* from ../shared/corpus/pdnc,
cut at the chapter nearest 10,000 words) and the whole ~100k-word novel; without the corpus, the sample story
repeated (its repeated lines are rendered once, which flatters synthesis: see "segments rendered"). With
--words N, one book of about N words of the sample story's sentences, shuffled so that no line repeats.

--synthesis-only keeps the earlier per-engine measurement: synthesis alone into a fresh cache, every line in the
engine's narrator voice, --jobs workers against one process. With --engine piper its baseline is Piper alone
instead (benchmarks/piper_alone.py: piper-tts's own API speaking the same cue texts in --jobs processes x 1
onnxruntime thread), so ours / Piper alone is the cost of our pipeline; it reports CPU seconds per audio second
of all worker processes too, the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
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
    worker_rss_mb: float = 0.0
    """Peak RSS of the largest synthesis worker (0 for the baseline)."""
    by_role: dict[str, float] = field(default_factory=dict)
    """CPU seconds per kind of process (main, worker, ffmpeg, ...)."""
    rss_by_role: dict[str, float] = field(default_factory=dict)
    """Largest peak RSS (MB) of one process of each kind."""
    peak_pss_mb: float = 0.0
    """Peak of the tree's summed PSS: shared pages counted once in all (the honest tree figure)."""
    at_peak: dict[str, float] = field(default_factory=dict)
    """RSS (MB) per kind of process, summed over its processes, at the moment of the tree's RSS peak."""
    at_pss_peak: dict[str, float] = field(default_factory=dict)
    """The same in PSS, at the PSS peak."""

    @property
    def rtf(self) -> float:
        """Wall seconds per second of audio (issue 6's real-time factor)."""
        return self.wall_s / self.audio_s if self.audio_s else 0.0


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


# ------------------------------------------------------------------------------------------- measuring


_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process in kB (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Tree:
    """Samples a process and its descendants from /proc: summed RSS, each one's CPU time and peak RSS."""

    def __init__(self, root: int, pss: bool = True) -> None:
        self.root = root
        self.pss = pss
        self.peak_kb = 0
        """Peak of the tree's summed RSS: a page shared by N processes (the forkserver's imports, libespeak,
        numpy) counts N times, so this overstates what the tree takes from the machine."""
        self.peak_pss_kb = 0
        """Peak of the tree's summed PSS (/proc/PID/smaps_rollup): shared pages split between their sharers, so
        the sum is what the tree really holds."""
        self.at_peak: dict[int, int] = {}
        self.at_pss_peak: dict[int, int] = {}
        self.pss_of: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.rss: dict[int, int] = {}
        self.cmd: dict[int, str] = {}
        self.parent: dict[int, int] = {}

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        stats: dict[int, tuple[float, int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry.name), int(fields[1])
            children.setdefault(ppid, []).append(pid)
            self.parent[pid] = ppid
            stats[pid] = ((int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE // 1024)
        total, total_pss, stack = 0, 0, [self.root]
        now: dict[int, tuple[int, int]] = {}
        while stack:
            pid = stack.pop()
            stack.extend(children.get(pid, []))
            if pid not in stats:
                continue
            cpu, rss = stats[pid]
            pss = _pss_kb(pid) if self.pss else rss
            total += rss
            total_pss += pss
            now[pid] = (rss, pss)
            self.cpu[pid] = cpu  # the last value seen wins
            self.rss[pid] = max(self.rss.get(pid, 0), rss)
            self.pss_of[pid] = max(self.pss_of.get(pid, 0), pss)
            if pid not in self.cmd:
                try:
                    self.cmd[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                except OSError:
                    self.cmd[pid] = "?"
        if total > self.peak_kb:
            self.peak_kb = total
            self.at_peak = {pid: rss for pid, (rss, _) in now.items()}
        if total_pss > self.peak_pss_kb:
            self.peak_pss_kb = total_pss
            self.at_pss_peak = {pid: pss for pid, (_, pss) in now.items()}

    def roles_at(self, snapshot: dict[int, int]) -> dict[str, float]:
        """MB per kind of process in one sample (e.g. the peak's), summed over processes of that kind."""
        out: dict[str, float] = {}
        for pid, kb in snapshot.items():
            out[self.role(pid)] = out.get(self.role(pid), 0.0) + kb / 1024
        return out

    def role(self, pid: int) -> str:
        cmd = self.cmd.get(pid, "")
        if pid == self.root:
            return "main"
        if "ffmpeg" in cmd:
            return "ffmpeg"
        if "espeak" in cmd:
            return "espeak-ng"
        if "forkserver" in cmd or "multiprocessing" in cmd:
            # Workers are forked from the forkserver and keep its command line: tell them apart by parent.
            parent = self.cmd.get(self.parent.get(pid, -1), "")
            return "worker" if ("forkserver" in parent or "multiprocessing" in parent) else "forkserver"
        return "other"


NICE: list[str] = []  # ["nice", "-n", "-10"] with --nice: both sides get the same scheduling priority


def measure(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess[str], Tree, float]:  # type: ignore[no-untyped-def]
    """(wall seconds, the finished process, its sampled tree, CPU seconds of the tree) for one command.

    CPU: each process's own time as last sampled, with the root and its direct children taken from wait4
    (short-lived children between samples are counted there, not lost).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(NICE + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    tree = Tree(proc.pid)
    # Drain stdout/stderr in threads: a child blocked on a full pipe would stop and measure nothing.
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s, d: d.append(s.read()), args=(proc.stdout, out)),
               threading.Thread(target=lambda s, d: d.append(s.read()), args=(proc.stderr, err))]
    for r in readers:
        r.start()
    while proc.poll() is None:
        tree.sample()
        time.sleep(0.05)
    for r in readers:
        r.join()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = usage.ru_utime + usage.ru_stime - _REAPED[0]
    _REAPED[0] = usage.ru_utime + usage.ru_stime
    grandchildren = sum(v for pid, v in tree.cpu.items() if pid != proc.pid and tree.parent.get(pid) != proc.pid)
    done = subprocess.CompletedProcess(cmd, proc.returncode, "".join(out), "".join(err))
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({proc.returncode}): {done.stderr.strip()[-500:]}")
    return wall, done, tree, reaped + grandchildren


_REAPED = [0.0]


# ---------------------------------------------------------------------------------------------- books


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
    chapters = [c for c in re.split(r"(?=^\s*Chapter\b)", body, flags=re.M | re.I) if c.strip()]
    out, n, words = [header.rstrip() + "\n\n"], 0, len(header.split())
    while words < 10_000:
        for ch in chapters:
            n += 1
            out.append(re.sub(r"^\s*Chapter\s+\S+", f"Chapter {n}", ch, count=1, flags=re.I).rstrip() + "\n\n")
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
    parts, n = [ten[: first.start()]], 0
    for _ in range(10):
        for ch in re.split(r"(?=^Chapter \d+)", ten[first.start() :], flags=re.M):
            if ch.strip():
                n += 1
                parts.append(re.sub(r"^Chapter \d+", f"Chapter {n}", ch, count=1))
    path = folder / "hundred-k.txt"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def make_story(words: int, folder: Path) -> Path:
    """About `words` words of the sample story's sentences, shuffled into 4-sentence paragraphs and chapters.

    Shuffling (seeded) makes every paragraph new text, so the cache cannot reuse a repeated line."""
    text = SAMPLE.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n") if len(p.split()) > 8 and "Chapter" not in p]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s and '"' not in s]
    rng = random.Random(1)
    chapters: list[str] = []
    n = 0
    while n < words:
        rng.shuffle(sentences)
        body = ["  ".join(sentences[i : i + 4]) for i in range(0, len(sentences) - 3, 4)]
        chapters.append(f"Chapter {len(chapters) + 1}\n\n" + "\n\n".join(body) + "\n")
        n += sum(len(b.split()) for b in body)
    path = folder / f"story-{words}.txt"
    path.write_text("Throughput Bench\n\n" + "\n".join(chapters), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------ full build


def run_build(book: str, words: int, story: Path, out: Path, engine: str, jobs: int | None, root: Path) -> Run:
    """A cold-cache `narrator build` of the checkout at `root`."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "narrator", "build", str(story), "-o", str(out), "--json", "--engine", engine]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    wall, done, tree, cpu = measure(cmd, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    summary = json.loads(done.stdout)
    RENDERED.append(int(summary["segments_rendered"]))
    roles: dict[str, float] = {}
    for pid, seconds in tree.cpu.items():
        roles[tree.role(pid)] = roles.get(tree.role(pid), 0.0) + seconds
    workers = [kb for pid, kb in tree.rss.items() if tree.role(pid) == "worker"]
    rss: dict[str, float] = {}
    for pid, kb in tree.rss.items():
        rss[tree.role(pid)] = max(rss.get(tree.role(pid), 0.0), kb / 1024)
    shutil.rmtree(out, ignore_errors=True)
    return Run(book, words, "build", wall, float(summary["audio_seconds"]), tree.peak_kb / 1024, cpu,
               max(workers, default=0) / 1024, roles, rss, tree.peak_pss_kb / 1024, tree.roles_at(tree.at_peak),
               tree.roles_at(tree.at_pss_peak))


RENDERED: list[int] = []


def run_baseline(book: str, words: int, story: Path, work: Path) -> Run:
    """espeak-ng in one voice to one WAV, then ffmpeg to MP3 with our settings."""
    sys.path.insert(0, str(ROOT))
    from narrator.export import MP3_BITRATE
    from narrator.synthesis import SAMPLE_RATE

    wav, mp3 = work / "baseline.wav", work / "baseline.mp3"
    text = work / "baseline.txt"
    text.write_text(story.read_text(encoding="utf-8", errors="replace"), encoding="utf-8")
    w1, _, t1, c1 = measure(["espeak-ng", "-v", BASELINE_VOICE, "-w", str(wav), "-f", str(text)])
    w2, _, t2, c2 = measure(["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-ar", str(SAMPLE_RATE),
                             "-c:a", "libmp3lame", "-b:a", MP3_BITRATE, str(mp3)])
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(mp3)],
                           capture_output=True, text=True, check=True)
    wav.unlink(missing_ok=True)
    return Run(book, words, "baseline", w1 + w2, float(probe.stdout.strip()), max(t1.peak_kb, t2.peak_kb) / 1024,
               c1 + c2, 0.0, {"espeak-ng": c1, "ffmpeg": c2}, peak_pss_mb=max(t1.peak_pss_kb, t2.peak_pss_kb) / 1024)


def build_bench(args: argparse.Namespace, books: list[tuple[str, Path]], work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for label, story in books:
        words = len(story.read_text(encoding="utf-8", errors="replace").split())
        builds: list[Run] = []
        bases: list[Run] = []
        for i in range(args.repeat):
            # Alternate build and baseline so a load change on the shared machine hits both alike.
            order = ("build", "baseline") if i % 2 == 0 else ("baseline", "build")
            for what in order:
                if what == "build":
                    builds.append(run_build(label, words, story, work / "out", args.engine, args.jobs,
                                            args.narrator_root.resolve()))
                    r = builds[-1]
                elif not args.no_baseline:
                    bases.append(run_baseline(label, words, story, work))
                    r = bases[-1]
                else:
                    continue
                at = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r.at_pss_peak.items()))
                print(f"  run {i + 1} {label} {r.what:8}: {r.wall_s:6.1f} s wall, {r.cpu_s:6.1f} s CPU, peak RSS "
                      f"{r.peak_rss_mb:5.0f} MB, peak PSS {r.peak_pss_mb:5.0f} MB{f' ({at})' if at else ''}, "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        for name, runs in (("narrator build", builds), ("espeak-ng + ffmpeg", bases)):
            if not runs:
                continue
            roles = sorted({k for r in runs for k in r.by_role})
            rows.append({"book": label, "words": words, "what": name, "engine": args.engine if runs is builds else "espeak-ng",
                         "wall_s": statistics.median(r.wall_s for r in runs),
                         "audio_s": statistics.median(r.audio_s for r in runs),
                         "rtf": statistics.median(r.rtf for r in runs),
                         "peak_rss_mb": statistics.median(r.peak_rss_mb for r in runs),
                         "peak_pss_mb": statistics.median(r.peak_pss_mb for r in runs),
                         "worker_rss_mb": max(r.worker_rss_mb for r in runs),
                         "cpu_s": statistics.median(r.cpu_s for r in runs),
                         "cpu_by_role": {k: statistics.median(r.by_role.get(k, 0.0) for r in runs) for k in roles},
                         "rss_by_role": {k: max(r.rss_by_role.get(k, 0.0) for r in runs) for k in roles},
                         "segments_rendered": RENDERED[-1] if runs is builds and RENDERED else None,
                         "runs": [asdict(r) for r in runs]})
        if builds and bases:
            rows.append({"book": label, "words": words, "what": "ratio build/baseline",
                         "ratio": statistics.median(b.wall_s / a.wall_s for b, a in zip(builds, bases, strict=True)),
                         "cpu_ratio": statistics.median(b.cpu_s / a.cpu_s for b, a in zip(builds, bases, strict=True))})
    print(f"\n{'book':<6} {'words':>7}  {'what':<20} {'wall s':>7} {'audio':>8} {'RTF':>6} {'x':>5} {'RSS MB':>7} {'PSS MB':>7} "
          f"{'worker MB':>9} {'CPU s':>6}")
    for r in rows:
        if "ratio" in r:
            print(f"{r['book']:<6} {r['words']:>7}  {r['what']:<20} {r['ratio']:>7.2f}   (goal <= 1.0; CPU ratio "
                  f"{r['cpu_ratio']:.2f})")
            continue
        audio = float(r["audio_s"])  # type: ignore[arg-type]
        roles = ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_by_role"].items() if v >= 0.05)  # type: ignore[union-attr]
        print(f"{r['book']:<6} {r['words']:>7}  {r['what']:<20} {r['wall_s']:>7.1f} "
              f"{int(audio // 3600)}:{int(audio % 3600 // 60):02d}:{int(audio % 60):02d} {r['rtf']:>6.3f} "
              f"{1 / r['rtf'] if r['rtf'] else 0:>4.0f}x {r['peak_rss_mb']:>7.0f} {r['peak_pss_mb']:>7.0f} "  # type: ignore[operator]
              f"{format(r['worker_rss_mb'], '.0f') if r['worker_rss_mb'] else '':>9} {r['cpu_s']:>6.1f}  (CPU s: {roles})"
              + (f" ({r['segments_rendered']} segments rendered)" if r.get("segments_rendered") else "")
              + ("; peak RSS MB of one: " + ", ".join(f"{k} {v:.0f}" for k, v in r["rss_by_role"].items() if v)  # type: ignore[union-attr]
                 if any(r["rss_by_role"].values()) else ""))  # type: ignore[union-attr]
    return rows


# -------------------------------------------------------------------------------------- synthesis only


class _PeakRss:
    """Samples VmHWM (peak RSS) of every descendant process: forkserver workers are grandchildren."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._cpu_before: dict[int, float] = {}  # the forkserver outlives a run: count only its new CPU
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _PeakRss:
        tree = Tree(os.getpid(), pss=False)
        tree.sample()
        self._cpu_before = dict(tree.cpu)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> float:
        """User + system seconds of the descendants while sampled (up to 0.25 s per worker can go unseen)."""
        return sum(max(0.0, t - self._cpu_before.get(pid, 0.0)) for pid, t in self.cpu.items())

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.25):
            tree = Tree(me, pss=False)
            tree.sample()
            for pid in tree.rss:
                if pid == me:
                    continue
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), tree.cpu[pid])
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]) * 1024)
                except OSError:
                    pass


def synthesis_once(story: Path, engine: str, jobs: int, alone: bool = False) -> tuple[float, float, int, float, float]:
    """(wall s, audio s, segments, peak RSS MB of the largest worker or this process, CPU s of all processes).

    With `alone`, Piper alone (benchmarks/piper_alone.py) speaks the same cue texts instead of narrator."""
    sys.path.insert(0, str(ROOT))
    from dataclasses import replace

    from narrator.cache import ClipCache
    from narrator.casting import Casting, Engines, cast
    from narrator.pipeline import make_script
    from narrator.synthesis import SAMPLE_RATE, plan, synthesize

    script = make_script(story, find_cast=False)
    engines = Engines(engine)
    voice = engines.get().narrator_voice()
    cues = [replace(c, voice=voice) for c in cast(script.lines, Casting(voice, voice, {}), script.chapters)]
    clips = plan(cues, engines)
    unique = list({c.key: c for c in clips}.values())
    with tempfile.TemporaryDirectory() as tmp:
        cache = ClipCache(Path(tmp))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with _PeakRss() as rss:
            started, main_cpu = time.monotonic(), time.thread_time()  # this thread only, not the sampler's
            if alone:
                from piper_alone import speak_all

                model = engines.get().models()[voice.id]  # type: ignore[attr-defined]
                wall, seconds = speak_all([c.cue.speech for c in unique], model.onnx, model.config, jobs,
                                          model.sample_rate)
            else:
                synthesize(clips, cache, engines, jobs)
                wall = time.monotonic() - started
                seconds = 0.0
            main_cpu = time.thread_time() - main_cpu
        if not alone:
            seconds = sum(cache.get(c.key, verify=False).samples for c in unique) / SAMPLE_RATE  # type: ignore[union-attr]
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        workers = list(rss.peaks.values())
        peak = max(workers) if jobs > 1 and workers else max(own, before * 1024)
    return wall, seconds, len(clips), peak / 1e6, rss.cpu_seconds() + main_cpu


def synthesis_bench(args: argparse.Namespace, story: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from narrator.synthesis import default_jobs

    jobs = args.jobs or default_jobs()
    base = ("piper-alone", jobs) if args.engine == "piper" else ("baseline", 1)
    layouts = [("ours", jobs)] + ([] if args.no_baseline else [base])
    load = os.getloadavg()[0]
    results: dict[str, list[tuple[float, float, int, float, float]]] = {name: [] for name, _ in layouts}
    for i in range(args.repeat):
        for name, n in layouts if i % 2 == 0 else layouts[::-1]:  # alternate order: load drifts
            r = synthesis_once(story, args.engine, n, alone=name == "piper-alone")
            results[name].append(r)
            print(f"run {i + 1} {name:11} jobs={n}: {r[0]:.1f} s wall, {r[4]:.1f} CPU s for {r[1]:.0f} s audio "
                  f"({r[2]} segments), RTF {r[0] / r[1]:.3f}, CPU/audio {r[4] / r[1]:.3f}, peak RSS {r[3]:.0f} MB, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\nsynthesis only, {args.engine}, about {args.words or 10_000} words, cores={default_jobs()}, "
          f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    rtfs = {}
    for name, n in layouts:
        rows = results[name]
        rtfs[name] = statistics.median(r[0] / r[1] for r in rows)
        print(f"  {name:11} jobs={n}: median RTF {rtfs[name]:.3f} ({1 / rtfs[name]:.1f}x real time), "
              f"median CPU s per audio s {statistics.median(r[4] / r[1] for r in rows):.3f}, "
              f"median audio {statistics.median(r[1] for r in rows) / 60:.1f} min, "
              f"max peak RSS {max(r[3] for r in rows):.0f} MB per {'worker' if n > 1 else 'process'}")
    if "baseline" in rtfs:
        print(f"  speed-up over one process: {rtfs['baseline'] / rtfs['ours']:.2f}x")
    if "piper-alone" in rtfs:
        # The same text, so the ratio of seconds is our pipeline's cost (trimming makes our audio a little shorter).
        pairs = list(zip(results["ours"], results["piper-alone"], strict=True))
        print(f"  ours / Piper alone, same text: wall {statistics.median(o[0] / b[0] for o, b in pairs):.3f}, "
              f"CPU {statistics.median(o[4] / b[4] for o, b in pairs):.3f} (medians of per-round ratios)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", default="pyttsx3", help="default engine of the build (narrator build --engine)")
    ap.add_argument("--words", type=int, help="one book of about this many words of the sample story, instead of "
                                              "the ~10k- and ~100k-word books")
    ap.add_argument("--only", choices=["10k", "100k"], help="one of the two books only")
    ap.add_argument("--repeat", "--runs", dest="repeat", type=int, default=1, help="runs per measurement; medians")
    ap.add_argument("--jobs", type=int, default=None, help="narrator --jobs (default: one per core)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline runs")
    ap.add_argument("--synthesis-only", action="store_true",
                    help="synthesis alone into a fresh cache, --jobs workers against one process")
    ap.add_argument("--nice", type=int, default=None,
                    help="run builds and baselines alike under `nice -n N` (N < 0 needs root): on a machine shared "
                         "with other work this approximates an idle one for both sides")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--narrator-root", type=Path, default=ROOT,
                    help="build with the narrator checkout here (e.g. an older commit, for before/after figures)")
    args = ap.parse_args()
    if args.nice is not None:
        NICE[:] = ["nice", "-n", str(args.nice)]
    info = machine()
    info["nice"] = str(args.nice) if args.nice is not None else "0"
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    with tempfile.TemporaryDirectory(prefix="narrator-bench-") as tmp:
        work = Path(tmp)
        if args.synthesis_only:
            synthesis_bench(args, make_story(args.words or 10_000, work))
            return
        print(f"narrator checkout: {args.narrator_root.resolve()}; engine {args.engine}")
        if args.words:
            books = [(f"{args.words}w", make_story(args.words, work))]
        else:
            books = [(label, make(work)) for label, make in (("10k", make_10k), ("100k", make_100k))
                     if not args.only or args.only == label]
        rows = build_bench(args, books, work)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "engine": args.engine, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
