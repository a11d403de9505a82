"""Mastering: loudness and true peak of real chapter MP3s (ffmpeg ebur128), voices levelled, and the maths on synthetic audio."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from narrator.mastering import DEFAULT_LOUDNESS, Mastering, limiter_gain, loudness, master, peak_envelope, true_peak

from ._book import built, decode, ebur128, needs_tools, vtt_cues, write_wav

RATE = 22050


def _speechlike(seconds: float, seed: int = 1) -> np.ndarray:
    """Bursts of harmonics with pauses: a crest factor like speech (peaks ~15-20 dB over RMS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) / k for k, f in enumerate((140, 280, 420, 1200, 2500), 1))
    gate = (np.sin(2 * np.pi * 0.7 * t) > -0.2).astype(float)
    clicks = (rng.random(t.size) > 0.999) * rng.uniform(-1, 1, t.size) * 4
    return (x * gate + clicks) * 0.05


@needs_tools
def test_mastering_every_chapter_at_target_loudness_under_true_peak_ceiling() -> None:
    book = built()
    for mp3 in book.mp3s:
        i, tp = ebur128(mp3)
        assert abs(i - DEFAULT_LOUDNESS) <= 1.0, f"{mp3.name}: {i} LUFS"
        assert tp <= -3.0, f"{mp3.name}: true peak {tp} dBTP"


@needs_tools
def test_mastering_speakers_within_2_db_of_each_other() -> None:
    """Each speaker's lines, cut from the decoded MP3 at the VTT cue times, measured by ebur128."""
    book = built()
    per_speaker: dict[str, list[np.ndarray]] = {}
    for mp3 in book.mp3s:
        x = decode(mp3, RATE)
        for start, end, who, _ in vtt_cues(mp3.with_suffix(".vtt")):
            per_speaker.setdefault(who, []).append(x[int(start * RATE) : int(end * RATE)])
    assert set(per_speaker) == {"Narrator", "Unknown speaker"}
    with tempfile.TemporaryDirectory() as tmp:
        levels = {who: ebur128(write_wav(np.concatenate(parts), RATE, Path(tmp) / f"{i}.wav"))[0]
                  for i, (who, parts) in enumerate(per_speaker.items())}
    assert max(levels.values()) - min(levels.values()) <= 2.0, levels


@needs_tools
def test_mastering_the_two_test_voices_really_differ_before_levelling() -> None:
    """Guards the test above: the raw voices differ by more than the 2 dB it allows."""
    levels = []
    for voice in ("gmw/en-us+whisper", "gmw/en-gb-x-rp+f2"):
        proc = subprocess.run(["espeak-ng", "-v", voice, "--stdout",
                               "The lamps were lit one by one along the row, and the street remembered its name."],
                              capture_output=True, check=True)
        x = np.frombuffer(proc.stdout[44:], dtype=np.int16).astype(np.float64) / 32768
        levels.append(loudness(x, RATE))
    assert abs(levels[0] - levels[1]) > 2.0, levels


def test_mastering_reaches_target_and_ceiling_on_synthetic_speech() -> None:
    x = np.round(_speechlike(20) * 32767).astype(np.int16)
    for target, ceiling in ((-18.0, -3.0), (-20.0, -6.0), (-16.0, -1.0)):
        out = master(x, RATE, Mastering(target, ceiling, room_tone=None)).pcm.astype(np.float64) / 32768
        assert abs(loudness(out, RATE) - target) < 0.3
        assert true_peak(out) <= ceiling


def test_mastering_limiter_gain_holds_the_ceiling_everywhere() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(RATE * 3) * 0.3
    env = peak_envelope(x)
    g = limiter_gain(env, 0.5, RATE)
    assert np.all(env * g <= 0.5 + 1e-9)
    assert g.max() <= 1.0 and g.min() > 0.0


def test_mastering_room_tone_level_and_silence_stays_silent_without_it() -> None:
    silence = np.zeros(RATE * 2, dtype=np.int16)
    with_tone = master(silence, RATE, Mastering(room_tone=-70.0)).pcm.astype(np.float64) / 32768
    rms_db = 20 * np.log10(np.sqrt(np.mean(with_tone**2)))
    assert -71.5 < rms_db < -68.5
    assert not master(silence, RATE, Mastering(room_tone=None)).pcm.any()
