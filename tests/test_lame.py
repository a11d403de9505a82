"""The in-process MP3 encoder: the same audio as ffmpeg's, exact length, ffmpeg where LAME is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from narrator import lame
from narrator.export import _encode_mp3, _encode_mp3_ffmpeg

RATE = 22050


def _speechlike(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE))
    voiced = np.sin(2 * np.pi * 140 * t / RATE) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t / RATE))
    return (voiced * 9000 + rng.standard_normal(t.size) * 400).astype(np.int16)


def _chunks(x: np.ndarray, size: int = 40_000) -> list[np.ndarray]:
    return [x[i : i + size] for i in range(0, x.size, size)]


def _decode(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16)


needs_lame = pytest.mark.skipif(lame.load() is None, reason="no libmp3lame shared library on this system")


@needs_lame
def test_in_process_mp3_decodes_to_the_same_samples_as_ffmpegs(tmp_path: Path) -> None:
    x = _speechlike(7.3)
    ours, theirs = tmp_path / "ours.mp3", tmp_path / "ffmpeg.mp3"
    _encode_mp3(_chunks(x), RATE, ours, "64k", None)
    _encode_mp3_ffmpeg(_chunks(x), RATE, theirs, "64k", None)
    a, b = _decode(ours), _decode(theirs)
    # The Info frame carries LAME's delay and padding: without it the decoded audio is 1,368 samples longer.
    assert a.size == x.size == b.size
    assert np.array_equal(a, b)


@needs_lame
def test_in_process_mp3_is_constant_bit_rate_at_the_input_rate(tmp_path: Path) -> None:
    dest = tmp_path / "c.mp3"
    _encode_mp3([*_chunks(_speechlike(3.0)), np.zeros(0, np.int16)], RATE, dest, "64k", None)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,bit_rate,channels",
                            "-of", "default=nw=1", str(dest)], capture_output=True, text=True, check=True).stdout
    assert probe.split() == ["codec_name=mp3", f"sample_rate={RATE}", "channels=1", "bit_rate=64000"]


def test_without_the_lame_library_ffmpeg_encodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lame, "load", lambda: None)
    calls: list[str] = []
    monkeypatch.setattr(lame, "encode", lambda *a: calls.append("lame"))
    dest = tmp_path / "f.mp3"
    x = _speechlike(2.0)
    _encode_mp3(_chunks(x), RATE, dest, "64k", None)
    assert not calls and _decode(dest).size == x.size


@needs_lame
def test_the_master_copy_gets_every_sample_the_encoder_got(tmp_path: Path) -> None:
    x = _speechlike(2.5)
    raw = tmp_path / "master.raw"
    _encode_mp3(_chunks(x, 9_999), RATE, tmp_path / "t.mp3", "64k", None, tee=raw)
    assert np.array_equal(np.fromfile(raw, dtype=np.int16), x)


def test_chunks_made_ahead_arrive_in_order_and_errors_reach_the_encoder() -> None:
    from narrator.export import _ahead

    parts = [np.full(10, i, np.int16) for i in range(7)]
    assert [int(c[0]) for c in _ahead(iter(parts))] == list(range(7))

    def failing():  # type: ignore[no-untyped-def]
        yield parts[0]
        raise RuntimeError("mastering failed")

    got = []
    with pytest.raises(RuntimeError, match="mastering failed"):
        for c in _ahead(failing()):
            got.append(c)
    assert len(got) == 1


def test_an_encoder_that_stops_early_stops_the_chunk_maker() -> None:
    import threading

    from narrator.export import _ahead

    closed = threading.Event()

    def endless():  # type: ignore[no-untyped-def]
        try:
            while True:
                yield np.zeros(10, np.int16)
        finally:
            closed.set()

    ahead = _ahead(endless())
    next(ahead)
    ahead.close()  # the encoder failed (disk full, Ctrl-C): the producer thread must end and close its source
    assert closed.wait(2.0)
    assert not any(t.name == "master-ahead" for t in threading.enumerate())
