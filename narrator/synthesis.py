"""synthesize: render every cue that is not cached yet, in parallel, one engine per worker process."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrator.cache import ClipCache, cache_key
from narrator.casting import Engines
from narrator.engines.espeak import resample
from narrator.errors import EngineError, NarratorError
from narrator.models import Clip, Cue, Voice
from narrator.normalize import split_for_engine

SAMPLE_RATE = 22050
_TRIM_THRESHOLD = 0.004  # ~ -48 dBFS: below this an engine's lead/trail is silence
_KEEP_MS = 15            # keep a breath of the original edge so consonants are not clipped
_FADE_MS = 6             # a short fade where trimming cut mid-waveform: no clicks at joins
_PIECE_PAUSE_MS = 220    # between sentence pieces of one long segment

Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class _Task:
    key: str
    speech: str
    voice: Voice
    where: str
    """"chapter 3, line 41" for error messages."""


def plan(cues: Sequence[Cue], engines: Engines) -> list[Clip]:
    """The Clip (cache key) of every cue; nothing is rendered."""
    versions: dict[str, str] = {}
    per_voice: dict[Voice, str] = {}
    clips = []
    for cue in cues:
        name = cue.voice.engine
        if name not in versions:
            versions[name] = engines.get(name).version()
        version = versions[name]
        # Engines whose voices are data files (Piper models) add the file's hash, so a replaced file re-renders.
        voice_version = getattr(engines.get(name), "voice_version", None)
        if voice_version is not None:
            if cue.voice not in per_voice:
                per_voice[cue.voice] = voice_version(cue.voice)
            version = per_voice[cue.voice]
        clips.append(Clip(cue, cache_key(cue.speech, cue.voice, version), 0, SAMPLE_RATE))
    return clips


def synthesize(clips: Sequence[Clip], cache: ClipCache, engines: Engines, jobs: int,
               progress: Progress | None = None, on_done: Callable[[str], None] | None = None) -> int:
    """Render the clips missing from the cache; returns how many were rendered."""
    todo: dict[str, _Task] = {}
    for clip in clips:
        if clip.key not in todo and not cache.has(clip.key):
            seg = clip.cue.line.segment
            todo[clip.key] = _Task(clip.key, clip.cue.speech, clip.cue.voice, f"chapter {seg.chapter}, line {seg.id}")
    done_keys = {c.key for c in clips} - set(todo)
    for key in done_keys:
        if on_done:
            on_done(key)
    total, finished, seconds = len(todo), 0, 0.0
    if not todo:
        return 0
    tasks = list(todo.values())
    if jobs <= 1 or len(tasks) < 24:
        # Small jobs (a preview) render in this process: starting workers would cost more than the work.
        worker = _Worker(engines.default, cache.root)
        for task in tasks:
            samples = worker.render(task)
            finished, seconds = finished + 1, seconds + samples / SAMPLE_RATE
            if progress:
                progress(finished, total, seconds)
            if on_done:
                on_done(task.key)
        return total
    batch = max(4, min(64, len(tasks) // (jobs * 8) or 4))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init_worker,
                             initargs=(engines.default, str(cache.root), _worker_env(jobs))) as pool:
        pending: dict[Future[list[tuple[str, int]]], list[_Task]] = {}
        for i in range(0, len(tasks), batch):
            chunk = tasks[i : i + batch]
            pending[pool.submit(_render_batch, chunk)] = chunk
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in ready:
                pending.pop(fut)
                try:
                    results = fut.result()
                except NarratorError:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
                for key, samples in results:
                    finished, seconds = finished + 1, seconds + samples / SAMPLE_RATE
                    if on_done:
                        on_done(key)
                if progress:
                    progress(finished, total, seconds)
    return total


def _context() -> mp.context.BaseContext:
    # Never fork a process that may hold an initialised eSpeak: its worker thread does not survive fork.
    return mp.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")


_WORKER: _Worker | None = None


def _init_worker(default_engine: str, cache_root: str, env: dict[str, str] | None = None) -> None:
    global _WORKER
    os.environ.update(env or {})
    _WORKER = _Worker(default_engine, Path(cache_root))


def _worker_env(jobs: int) -> dict[str, str]:
    """Settings a worker needs: narrator's variables as they are now (a forkserver may predate them),
    and the thread count per engine so that workers x threads = cores (measured fastest for Piper)."""
    env = {k: v for k, v in os.environ.items() if k.startswith("NARRATOR_")}
    env["NARRATOR_ENGINE_THREADS"] = str(max(1, default_jobs() // max(1, jobs)))
    return env


def _render_batch(tasks: list[_Task]) -> list[tuple[str, int]]:
    assert _WORKER is not None
    return [(t.key, _WORKER.render(t)) for t in tasks]


class _Worker:
    """Holds this process's engines and writes rendered clips into the cache."""

    def __init__(self, default_engine: str, cache_root: Path) -> None:
        self.engines = Engines(default_engine)
        self.cache = ClipCache(cache_root)

    def render(self, task: _Task) -> int:
        engine = self.engines.get(task.voice.engine)
        pieces = []
        for attempt in range(2):
            try:
                pieces = [engine.synthesize(p, task.voice) for p in split_for_engine(task.speech)]
                break
            except NarratorError as exc:
                if attempt == 1:
                    raise EngineError(f"{task.where}: the {engine.name} engine failed on {task.speech[:80]!r}: {exc}") from None
            except Exception as exc:  # an engine bug must still name the line it failed on
                if attempt == 1:
                    raise EngineError(f"{task.where}: the {engine.name} engine failed on {task.speech[:80]!r}: "
                                      f"{type(exc).__name__}: {exc}") from None
        gap = np.zeros(SAMPLE_RATE * _PIECE_PAUSE_MS // 1000, dtype=np.int16)
        parts: list[np.ndarray] = []
        for audio in pieces:
            audio = resample(audio, SAMPLE_RATE)
            x = trim(np.frombuffer(audio.pcm, dtype=np.int16))
            if x.size:
                parts.extend((x, gap))
        pcm = np.concatenate(parts[:-1]) if parts else np.zeros(0, dtype=np.int16)
        ms = float(np.mean((pcm.astype(np.float64) / 32768.0) ** 2)) if pcm.size else 0.0
        self.cache.put(task.key, pcm.tobytes(), SAMPLE_RATE, ms)
        return int(pcm.size)


def trim(x: np.ndarray) -> np.ndarray:
    """Cut an engine's leading and trailing silence, keeping a short margin, with fades at both ends."""
    if x.size == 0:
        return x
    loud = np.flatnonzero(np.abs(x) > _TRIM_THRESHOLD * 32768)
    if loud.size == 0:
        return x[:0]
    keep = SAMPLE_RATE * _KEEP_MS // 1000
    y = x[max(0, loud[0] - keep) : min(x.size, loud[-1] + keep + 1)].astype(np.float32)
    n = min(SAMPLE_RATE * _FADE_MS // 1000, y.size // 2)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        y[:n] *= ramp
        y[-n:] *= ramp[::-1]
    return y.astype(np.int16)


def default_jobs() -> int:
    """One worker per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
