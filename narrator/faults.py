"""Fault handling shared by synthesis and the pipeline: timeouts, failed-line records, stand-in tones, output checks."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrator.captions import VTT_DIGEST_NOTE
from narrator.errors import OutputError

DEFAULT_TIMEOUT = 120.0  # seconds for one engine call; eSpeak renders a long paragraph in well under a second
ATTEMPTS = 2             # one retry: transient engine faults recover, a bad line fails fast
TONE_MS = 600
_TONE_HZ = 440
FAILED_LIST = "failed.txt"  # in the cache folder: keys voiced by a stand-in tone, re-rendered on the next build


@dataclass(frozen=True)
class Failure:
    """A line the engine could not render, after every retry."""

    key: str
    where: str
    """"chapter 3, line 41"."""
    text: str
    reason: str

    def describe(self) -> str:
        return f"{self.where}: {self.text[:80]!r} ({self.reason})"


class EngineTimeout(Exception):
    """An engine call took longer than the timeout."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise EngineTimeout in this thread after `seconds` (only where signals can be used: the main thread)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise EngineTimeout(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def tone(sample_rate: int, ms: int = TONE_MS) -> np.ndarray:
    """A short, soft beep that stands in for a line the engine could not speak."""
    t = np.arange(sample_rate * ms // 1000) / sample_rate
    x = 0.25 * np.sin(2 * np.pi * _TONE_HZ * t)
    n = sample_rate * 20 // 1000
    ramp = np.linspace(0.0, 1.0, n)
    x[:n] *= ramp
    x[-n:] *= ramp[::-1]
    return (x * 32767).astype(np.int16)


def read_failed(cache_root: Path) -> set[str]:
    """Keys a previous --keep-going build replaced by a tone."""
    try:
        return set((cache_root / FAILED_LIST).read_text(encoding="utf-8").split())
    except OSError:
        return set()


def write_failed(cache_root: Path, keys: set[str]) -> None:
    """Record the keys voiced by a tone (atomically), or remove the record when there are none."""
    path = cache_root / FAILED_LIST
    if not keys:
        path.unlink(missing_ok=True)
        return
    cache_root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text("\n".join(sorted(keys)) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # after a failed write (a full disk) only; the rename took it otherwise


def prune_failed(cache_root: Path, book_keys: set[str]) -> None:
    """Forget stand-in tones for lines that are no longer in the book (the text changed): delete them."""
    failed = read_failed(cache_root)
    gone = failed - book_keys
    for key in gone:
        (cache_root / key[:2] / f"{key}.pcm").unlink(missing_ok=True)
    if gone:
        write_failed(cache_root, failed & book_keys)


def check_output_folder(folder: Path) -> None:
    """Fail early, with advice, when the book folder cannot be created or written to."""
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot create the output folder {folder}: {parent} is a file, not a folder. "
                                  "Choose another folder with -o.")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".narrator-write-test.{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise output_error(exc, folder) from None


# A caption cue this long is a sentence, not "Yes." or "Chapter 1", which any two stories may share.
_SENTENCE_CHARS = 30
_CLAUSE_CHARS = 10  # "said Ann." is in every other story; "Clover whispered." and "The bird flew." are not
_CUES_COMPARED = 400  # enough to tell two books apart; a novel's captions are read in milliseconds either way
SAME_STORY_SHARE = 0.2
"""At least this share of the book's sentences must be in the story for the build to count as the same story.
An edit keeps most sentences (a rewrite of four fifths counts as another story); two stories share almost none."""


def check_same_story(folder: Path, text: str, output: Path) -> bool:
    """Refuse to build into a folder that holds another story's book; True when its captions show it is this one's.

    The folder is named after the title, so two stories with the same title (or two untitled stories from
    stdin, both "Untitled story") met in one folder and the second build replaced the first's chapters. The
    captions a build writes beside every chapter (and beside the M4B) hold the book's text: when the story
    to build has almost none of it, the folder is another story's, and the user's finished book is kept.
    Refusing, rather than picking a folder of our own, keeps `output/<slug>/` where `narrator preview`,
    `narrator clean` and the next build of this story will look for it, and tells the user which is which.
    """
    every: list[str] = []
    for vtt in sorted(folder.glob("*.vtt")) if folder.is_dir() else []:
        try:
            lines = vtt.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        if not any(ln.startswith(VTT_DIGEST_NOTE) for ln in lines[:4]):
            continue  # not a file narrator wrote
        for ln in lines:
            if ln.startswith("<v ") and ">" in ln:
                every.append(ln.split(">", 1)[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    cues = [c for c in every if len(c) >= _SENTENCE_CHARS]
    # A short story's pieces may all be shorter than a sentence ('"Done," / Clover whispered.'): with none to
    # compare, a second untitled story from stdin replaced the first's chapter. Its clauses tell the two apart.
    cues = cues or [c for c in every if len(c) >= _CLAUSE_CHARS]
    if not cues:
        return False  # nothing to compare: not known to be this story's book
    sample = cues[:: max(1, len(cues) // _CUES_COMPARED)]
    # Compared as words: a heading's cue is said "Chapter 1. The Gate." where the text has "Chapter 1: The Gate",
    # so a short story edited and rebuilt, whose only long cues are headings, was taken for another story.
    story = _words(text)
    need, found = SAME_STORY_SHARE * len(sample), 0
    for cue in map(_words, sample):  # a search of the whole text per cue: stop once enough are found (every rebuild is that)
        found += cue.strip() != "" and cue in story
        if found >= need:
            return True
    raise OutputError(f"{folder} holds the audiobook of another story with the same title; build this one "
                      f"elsewhere with -o (e.g. -o {output / 'other'}), give it a title of its own, or delete "
                      f"{folder} first to replace that book.")


_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> str:
    """The words of a text, case-folded, one space apart and around: what two renderings of a line share."""
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def check_output_file(dest: Path, example: str) -> None:
    """Fail early, with advice, when `-o` names a folder, or a file whose folder cannot be written."""
    if dest.is_dir():
        raise OutputError(f"-o {dest} is a folder: give a file name, e.g. -o {dest / example}.")
    check_output_folder(dest.parent)  # says which part of the path is a file, or that the disk is read-only


def output_error(exc: OSError, where: Path) -> OutputError:
    """The OutputError for a failed write: disk full, read-only, or permissions."""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return OutputError(f"the disk is full while writing {where}; free some space (or choose another folder with -o) "
                           "and run the same command again: finished work is kept.")
    if exc.errno == errno.EROFS:
        return OutputError(f"cannot write {where}: the file system is read-only. Choose another folder with -o.")
    return OutputError(f"cannot write {where}: {exc.strerror or exc}. Check the folder's permissions or choose "
                       "another folder with -o.")


def encode_error(exc: Exception, dest: Path) -> OutputError:
    """The OutputError for a failed chapter encode: disk full when the disk is (nearly) full, else the error's words."""
    try:
        free = shutil.disk_usage(dest.parent).free
    except OSError:
        free = -1
    if 0 <= free < 64 * 1024 * 1024:
        return output_error(OSError(errno.ENOSPC, "No space left on device"), dest)
    detail = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
    return OutputError(f"could not encode {dest}: {detail[0][:200]}. Check that the output folder has free space "
                       "and that ffmpeg works (`ffmpeg -version`).")


# Every temporary name a build writes beside its chapters: an encode (".NN Title.123.part.mp3"), a caption
# or transcript file (".NN Title.vtt.123.part", captions.write_text), a cache write (".x.123.tmp").
_STALE = re.compile(r"^\.(?:.+\.(\d+)\.(?:part\.mp3|part|tmp)|rendering\.(\d+))$")


def sweep_stale_temps(folder: Path) -> int:
    """Delete temporary files left by a build that was killed (their writer process is gone)."""
    removed = 0
    if not folder.is_dir():
        return 0
    candidates = [*folder.glob(".*.part.mp3"), *folder.glob(".*.part"), *folder.glob(".*.tmp"), *folder.glob(".cache/.*"),
                  *folder.glob(".cache/*/.*.tmp")]
    for path in candidates:
        m = _STALE.match(path.name)
        if m and not alive(int(m.group(1) or m.group(2))):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie, which nobody may ever reap in a container, counts as dead)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True
