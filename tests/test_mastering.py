"""Mastering: loudness and true peak of real chapter MP3s (ffmpeg ebur128), voices levelled, and the maths on synthetic audio."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from narrator.mastering import (
    DEFAULT_LOUDNESS,
    DEFAULT_TRUE_PEAK,
    Mastering,
    limiter_gain,
    loudness,
    master,
    peak_envelope,
    true_peak,
)

from ._book import built, decode, ebur128, needs_tools, speechlike, vtt_cues, write_wav

RATE = 22050



@needs_tools
def test_mastering_every_chapter_at_target_loudness_under_true_peak_ceiling() -> None:
    book = built()
    for mp3 in book.mp3s:
        i, tp = ebur128(mp3)
        assert abs(i - DEFAULT_LOUDNESS) <= 1.0, f"{mp3.name}: {i} LUFS"
        assert tp <= -3.0, f"{mp3.name}: true peak {tp} dBTP"


@needs_tools
@pytest.mark.parametrize("acx", [False, True], ids=["default", "acx"])
def test_mastering_speakers_within_2_db_of_each_other(acx: bool) -> None:
    """Each speaker's lines, cut from the decoded MP3 at the VTT cue times, measured by ebur128."""
    book = built(acx)
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
    x = np.round(speechlike(20) * 32767).astype(np.int16)
    for target, ceiling in ((-18.0, -3.0), (-20.0, -6.0), (-16.0, -1.0)):
        out = master(x, RATE, Mastering(target, ceiling, room_tone=None)).astype(np.float64) / 32768
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
    with_tone = master(silence, RATE, Mastering(room_tone=-70.0)).astype(np.float64) / 32768
    rms_db = 20 * np.log10(np.sqrt(np.mean(with_tone**2)))
    assert -71.5 < rms_db < -68.5
    assert not master(silence, RATE, Mastering(room_tone=None)).any()


# ---- streaming: the chapter is measured and rendered a chunk at a time; chunk edges must not show


def test_mastering_k_weighting_is_bs1770_at_48k_and_the_same_response_at_other_rates() -> None:
    """Our biquads reproduce the standard's 48 kHz coefficients (ITU-R BS.1770-4, tables 1-2), agree with scipy's
    bilinear transform of the same analog prototype, and give the 48 kHz response at 22.05 and 44.1 kHz."""
    from scipy.signal import bilinear, sosfreqz

    from narrator.mastering import _analog_prototype, k_weighting

    standard = [[1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585],
                [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]]
    assert np.allclose(k_weighting(48000), standard, atol=1e-9)
    for rate in (22050, 44100):
        for row, (b, a) in zip(k_weighting(rate), [(s[:3], s[3:]) for s in standard], strict=True):
            f0, q, (n2, n1, n0) = _analog_prototype(b, a, 48000)
            w0 = 2 * rate * np.tan(np.pi * f0 / rate)
            bz, az = bilinear([n2, n1 * w0 / q, n0 * w0 * w0], [1.0, w0 / q, w0 * w0], rate)
            assert np.allclose(row, np.concatenate([bz, az]), atol=1e-9)
        freqs = [30.0, 100.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]
        ours = 20 * np.log10(np.abs(sosfreqz(k_weighting(rate), worN=freqs, fs=rate)[1]))
        ref = 20 * np.log10(np.abs(sosfreqz(np.array(standard), worN=freqs, fs=48000)[1]))
        assert np.max(np.abs(ours - ref)) < 0.05, (rate, ours - ref)


def test_mastering_streamed_measure_matches_the_one_shot_loudness_and_peaks() -> None:
    """The per-hop spectral K-weighting of `measure` gives the loudness of the time-domain filter over the whole
    signal, and its block peaks are the whole signal's envelope, block by block (chunk edges included)."""
    from narrator.mastering import (
        array_source,
        block_size,
        gated_loudness,
        k_weighted,
        measure,
        measured_loudness,
    )

    x = np.round(speechlike(23.3, seed=4) * 32767).astype(np.int16)  # not a whole number of chunks or hops
    stats = measure(array_source(x), x.size, RATE)
    one_shot = gated_loudness(k_weighted(x.astype(np.float64) / 32768, RATE), RATE)
    assert abs(measured_loudness(stats) - one_shot) < 0.05
    step = block_size(RATE)
    env = peak_envelope(x.astype(np.float32) / 32768)
    exact = np.pad(env, (0, -env.size % step)).reshape(-1, step).max(axis=1)
    assert np.all(stats.peaks >= exact) and np.allclose(stats.peaks, exact, rtol=2e-3, atol=1e-6)  # float16, up


def _edge_clicks(seconds: float, chunk: int) -> np.ndarray:
    """Speech-like audio with a full-scale click right before, on and after every chunk edge, and clicks ~5 blocks
    after some 100 ms edges (so the limiter's ramp toward them starts in the block before that edge)."""
    x = speechlike(seconds, seed=9) * 0.6
    for edge in range(chunk, x.size, chunk):
        x[edge - 3], x[edge], x[edge + 2] = 0.99, -0.99, 0.9
    hop = RATE // 10
    for k in (13, 27, 61, 88, 104):
        x[k * hop + 180] = -0.95
    return np.round(x * 32767).astype(np.int16)


def test_mastering_render_is_identical_whatever_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limiter state, envelope context, gain ramps and room tone carry across chunk edges: 100 ms, 700 ms and
    5 s chunks give the same samples (to the last bit but for float rounding: batched FFTs of other sizes sum
    in another order), and the limiter holds at the clicks put on the edges."""
    import narrator.mastering as m

    x = _edge_clicks(12.0, m.chunk_size(RATE))
    spans = [(0, x.size // 2, 0), (x.size // 2, x.size, 1)]
    outs = []
    for hops in (m.CHUNK_HOPS, 1, 7):
        monkeypatch.setattr(m, "CHUNK_HOPS", hops)
        outs.append(m.master(x, RATE, Mastering(), seed=3, speakers=spans, voices=spans))
    assert outs[0].size == x.size
    for other in outs[1:]:
        diff = np.abs(outs[0].astype(np.int32) - other)
        assert diff.max() <= 1 and np.count_nonzero(diff) < x.size // 1000
    assert true_peak(outs[0].astype(np.float64) / 32768) <= DEFAULT_TRUE_PEAK
    # The limiter's gain never jumps: where the input is loud enough to tell, output/input moves at most from full
    # gain to none over one ~1.6 ms block, never in one sample. (A speaker's own gain steps where the speaker
    # changes, which in a chapter is a pause: not tested here.)
    y = m.master(x, RATE, Mastering(room_tone=None)).astype(np.float64) / 32768
    loud = np.abs(x) > 300
    gain = y[loud] / (x[loud] / 32768)
    steps = np.abs(np.diff(gain))[np.diff(np.flatnonzero(loud)) == 1]
    assert steps.max() <= gain.max() / m.block_size(RATE) * 1.05 + 0.01


@needs_tools
def test_mastering_streamed_into_ffmpeg_decodes_at_target_with_peaks_held_at_chunk_edges(tmp_path: Path) -> None:
    """The real path: chunks rendered straight into ffmpeg's stdin; the decoded MP3 is measured by ebur128 and by
    the one-shot meter, and the audio around every chunk edge is the in-memory master's."""
    import narrator.mastering as m
    from narrator.export import _encode_mp3

    x = _edge_clicks(16.0, m.chunk_size(RATE))
    settings = Mastering(room_tone=None)
    stats = m.measure(m.array_source(x), x.size, RATE)
    gains = m.solve(stats, settings)
    dest = tmp_path / "edges.mp3"
    _encode_mp3(m.render(m.array_source(x), x.size, RATE, gains, settings), RATE, dest, "64k", None)
    integrated, peak = ebur128(dest)
    assert abs(integrated - DEFAULT_LOUDNESS) <= 1.0 and peak <= DEFAULT_TRUE_PEAK
    # What the streamed solve promised is what the one-shot meter finds on the whole rendered signal. (Within
    # 0.25 LU on this torture signal: the solve scales each 100 ms hop's K-weighted energy as a whole, and here
    # the limiter cuts full-scale broadband clicks far more than the speech beside them. On eSpeak chapters
    # the two agree within 0.01 LU.)
    ref = master(x, RATE, settings).astype(np.float64) / 32768
    assert abs(loudness(ref, RATE) - gains.loudness) < 0.25
    # LAME's delay shifts the decoded audio; align on the cross-correlation peak. The 64 kbit/s coding lowers this
    # signal by ~0.5 dB everywhere (its clicks lose their top octave), so each edge's speech, 10-50 ms either side,
    # is compared with that offset measured in the middle of the chunks: an edge must not stand out.
    y = decode(dest, RATE)
    lag = int(np.argmax(np.correlate(y[: RATE * 2], ref[:RATE], mode="valid")))

    def offset(lo: int, hi: int) -> float | None:
        a, b = ref[lo:hi], y[lag + lo : lag + hi]
        rms = np.sqrt(np.mean(a**2))
        return float(20 * np.log10(np.sqrt(np.mean(b**2)) / rms)) if rms > 0.01 else None

    chunk = m.chunk_size(RATE)
    middles = [o for c in range(chunk // 2, x.size - chunk // 2, RATE // 2) if (o := offset(c - 900, c)) is not None]
    usual = float(np.median(middles))
    edges = [o for e in range(chunk, x.size, chunk) for lo, hi in ((-1100, -200), (200, 1100))
             if (o := offset(e + lo, e + hi)) is not None]
    assert len(middles) > 10 and edges
    assert max(abs(o - usual) for o in edges) < 0.3, (usual, edges)
