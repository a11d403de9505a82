"""master: bring a chapter to its loudness target under a true-peak ceiling, with a faint room tone.

Loudness is ITU-R BS.1770 integrated loudness: pyloudnorm's K-weighting filter design, our own
vectorised 400 ms gating. `true_peak` (for reports and tests) is the peak of a 4x oversampled copy;
the limiter itself works from a cheaper 2x envelope with 1 dB to spare. Two-pass ffmpeg `loudnorm`
costs about a minute per hour of audio (tech brief, section 4), so the gain and the look-ahead
limiter run here on the PCM, and ffmpeg only encodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# scipy.signal and pyloudnorm take a second or more to import: they are imported where they are used,
# so `narrator script`, `cast` and `voices` (which import this module through assemble) stay quick.

DEFAULT_LOUDNESS = -18.0   # LUFS integrated: audiobook level, inside ACX's RMS window
DEFAULT_TRUE_PEAK = -3.0   # dBTP ceiling
ACX_RMS = -20.5            # ACX measures plain RMS over the file (-23..-18 dB): aim inside the window
ROOM_TONE_DB = -70.0       # RMS of the room tone mixed under the chapter; far below ACX's -60 dB noise floor
# MP3/AAC coding and resampling overshoot the ceiling we limit to, so the limiter aims a little lower.
_CODEC_MARGIN_DB = 1.0
_HOLD_MS = 8               # look-ahead/hold of the limiter: long enough not to distort a glottal pulse
_STEP_MS = 2               # the gain curve is computed on 2 ms blocks and interpolated: cheap and smooth


@dataclass(frozen=True)
class Mastering:
    """What mastering aims for."""

    loudness: float = DEFAULT_LOUDNESS
    """Integrated loudness target in LUFS."""
    true_peak: float = DEFAULT_TRUE_PEAK
    """True-peak ceiling in dBTP."""
    room_tone: float | None = ROOM_TONE_DB
    """RMS level of the room tone in dBFS, or None for digital silence between words."""
    rms: float | None = None
    """When set, aim at this whole-file RMS (dBFS) instead of the loudness (ACX's rule): a whispering
    or bright voice can be -18 LUFS yet -24 dB RMS."""


@dataclass(frozen=True)
class Mastered:
    """A mastered chapter: PCM and what was done to it."""

    pcm: np.ndarray
    """int16 mono samples."""
    gain_db: float
    """Chapter gain applied before limiting (dB)."""
    loudness: float
    """The level reached, in the target's unit (LUFS, or dB RMS for an RMS target), before room tone."""


def loudness(x: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of float samples in -1..1; -inf for silence or audio under 0.4 s."""
    return gated_loudness(k_weighted(x, sample_rate), sample_rate)


def k_weighted(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """The BS.1770 K-weighted signal (pyloudnorm's filter design, applied with scipy)."""
    import pyloudnorm
    from scipy.signal import lfilter

    b, a = np.ones(1), np.ones(1)
    for stage in pyloudnorm.Meter(sample_rate)._filters.values():
        b, a = np.convolve(b, stage.b), np.convolve(a, stage.a)
    # The two biquads as one 4th-order filter: one pass over the audio instead of two.
    return lfilter(b.astype(x.dtype), a.astype(x.dtype), x)


def gated_loudness(z: np.ndarray, sample_rate: int, gain: np.ndarray | None = None) -> float:
    """BS.1770 gated loudness of a K-weighted signal (optionally times a slow gain curve), vectorised."""
    hop = int(0.1 * sample_rate)
    n = z.size // hop
    if n < 4:
        return float("-inf")
    # Power summed per 100 ms hop (in float64, chunk by chunk: no chapter-sized float64 copies); a
    # 400 ms gating block with 75 % overlap is then the sum of 4 consecutive hops.
    hops = np.empty(n)
    chunk = hop * 600
    for a in range(0, n * hop, chunk):
        b = min(a + chunk, n * hop)
        part = z[a:b] if gain is None else z[a:b] * gain[a:b]
        hops[a // hop : b // hop] = np.square(part, dtype=np.float64).reshape(-1, hop).sum(axis=1)
    return _gate((hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * hop))


def _gate(mean_sq: np.ndarray) -> float:
    """BS.1770 gating over 400 ms block mean squares: absolute -70 LUFS, then relative -10 LU."""
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(np.maximum(mean_sq, 1e-20))
    kept = mean_sq[levels >= -70.0]
    if kept.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = mean_sq[(levels >= -70.0) & (levels >= relative)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def true_peak(x: np.ndarray) -> float:
    """True peak in dBTP of float samples in -1..1 (4x oversampled, as BS.1770 asks)."""
    if x.size == 0:
        return float("-inf")
    from scipy.signal import resample_poly

    peak = float(np.max(np.abs(resample_poly(x, 4, 1))))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def _half_sample_kernel() -> np.ndarray:
    """A 32-tap windowed sinc that estimates the signal half a sample away from each sample."""
    t = np.arange(-16, 16) + 0.5
    h = np.sinc(t) * np.kaiser(t.size, 8.0)
    return (h / h.sum()).astype(np.float32)


_HALF = _half_sample_kernel()


def peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per-sample peak envelope: each sample's magnitude or the interpolated one half a sample away.

    Oversampling 2x rather than BS.1770's 4x misses at most 1 - cos(pi f / 2 fs) of a peak: 0.6 dB at
    5 kHz in 22.05 kHz audio, where speech has little energy; the limiter aims 1 dB under the ceiling.
    """
    x = x.astype(np.float32, copy=False)
    env = np.abs(np.convolve(x, _HALF, mode="same"))
    np.maximum(env, np.abs(x), out=env)
    return env


def _block_peaks(x: np.ndarray, step: int) -> np.ndarray:
    env = peak_envelope(x)
    full = env.size // step * step
    peaks = env[:full].reshape(-1, step).max(axis=1)
    return np.append(peaks, env[full:].max()) if full < env.size else peaks


def block_size(sample_rate: int) -> int:
    """Samples per limiter block: about 2 ms, and a divisor of the 100 ms loudness hop."""
    hop, target = int(0.1 * sample_rate), max(1, sample_rate * _STEP_MS // 1000)
    return max(d for d in range(1, target + 1) if hop % d == 0)


def limiter_blocks(block_peaks: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """The limiter's gain per block: what the block's loudest true peak needs, held over +-8 ms."""
    from scipy.ndimage import minimum_filter1d

    needed = np.minimum(1.0, ceiling / np.maximum(block_peaks, 1e-9))
    step = block_size(sample_rate)
    # Each block's gain is the minimum over +-hold blocks, so it covers the peaks of its neighbours too.
    return minimum_filter1d(needed, size=2 * max(1, sample_rate * _HOLD_MS // 1000 // step) + 1)


def ramps(blocks: np.ndarray, n: int, step: int, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Per-sample gain: a straight ramp from each block's gain to the next one's, times a per-block scale."""
    # Every sample's gain mixes two block gains that both already cover any peak inside its block.
    ends = np.append(blocks, blocks[-1]).astype(np.float32)
    ramp = np.arange(step, dtype=np.float32) / np.float32(step)
    per_block = np.asarray(scale, dtype=np.float32).reshape(-1, 1)
    return ((ends[:-1, None] + np.diff(ends)[:, None] * ramp[None, :]) * per_block).ravel()[:n]


def limiter_gain(envelope: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """A look-ahead limiter's gain curve: it falls before each over-ceiling peak and recovers after it."""
    step = block_size(sample_rate)
    n = envelope.size
    if n == 0:
        return np.ones(0, dtype=np.float32)
    peaks = np.pad(envelope, (0, -n % step)).reshape(-1, step).max(axis=1)
    return ramps(limiter_blocks(peaks, ceiling, sample_rate), n, step)


def limit(x: np.ndarray, ceiling_db: float, sample_rate: int) -> np.ndarray:
    """Limit float samples to a true-peak ceiling in dBTP."""
    return x * limiter_gain(peak_envelope(x), 10 ** (ceiling_db / 20), sample_rate)


class _Meter:
    """Loudness (or RMS) of `signal * ramps(blocks)` for any block gains, without touching the samples again.

    Inside block i the gain is b_i + d_i * k/step, so the block's energy is
    b_i^2 * S0 + 2 b_i d_i * S1 + d_i^2 * S2 with S0, S1, S2 the plain, ramp- and ramp^2-weighted
    energies, computed once. Each trial gain then costs a pass over ~500 block values per second.
    """

    def __init__(self, signal: np.ndarray, sample_rate: int, gated: bool) -> None:
        self.step, self.hop, self.gated = block_size(sample_rate), int(0.1 * sample_rate), gated
        self.nb = (signal.size // self.hop) * self.hop // self.step
        power = np.square(signal[: self.nb * self.step], dtype=np.float32).reshape(self.nb, self.step)
        w = np.arange(self.step, dtype=np.float32) / np.float32(self.step)
        self.s0 = power.sum(axis=1, dtype=np.float64)
        self.s1 = (power @ w).astype(np.float64)
        self.s2 = (power @ (w * w)).astype(np.float64)

    def energy(self, blocks: np.ndarray | None, gain_db: float | np.ndarray) -> np.ndarray:
        """Energy of each complete block after a per-block gain (dB) and the limiter's block gains."""
        scale = 10 ** (np.asarray(gain_db, dtype=np.float64) / 10)
        if scale.ndim:
            scale = scale[: self.nb]
        if blocks is None:
            return self.s0 * scale
        b = blocks[: self.nb].astype(np.float64)
        d = np.diff(np.append(blocks, blocks[-1]))[: self.nb].astype(np.float64)
        return (b * b * self.s0 + 2 * b * d * self.s1 + d * d * self.s2) * scale

    def level(self, blocks: np.ndarray | None, gain_db: float | np.ndarray) -> float:
        """Integrated loudness (or RMS) in dB after the gains."""
        return self.level_of(self.energy(blocks, gain_db))

    def level_of(self, energy: np.ndarray) -> float:
        if self.nb == 0:
            return float("-inf")
        if not self.gated:
            total = float(energy.sum()) / (self.nb * self.step)
            return 10 * np.log10(total) if total > 0 else float("-inf")
        hops = energy.reshape(-1, self.hop // self.step).sum(axis=1)
        if hops.size < 4:
            return float("-inf")
        return _gate((hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop))


def master(pcm: np.ndarray, sample_rate: int, settings: Mastering = Mastering(), seed: int = 0,
           speakers: Sequence[tuple[int, int, int]] = ()) -> Mastered:
    """Gain to the loudness (or RMS) target, limit to the true-peak ceiling, re-aim, add room tone.

    `speakers` lists (start sample, end sample, speaker number) of the spoken stretches: then each
    speaker also gets a small gain of its own, so that speakers stay equally loud *after* limiting
    (the limiter bites harder on a voice whose peaks stand further above its average).
    """
    # float32 throughout: an hour-long chapter is 79 M samples, and every float64 copy would be 635 MB.
    x = pcm.astype(np.float32) / np.float32(32768.0)
    ceiling = 10 ** ((settings.true_peak - _CODEC_MARGIN_DB) / 20)
    gated = settings.rms is None
    target = settings.loudness if gated else float(settings.rms)  # type: ignore[arg-type]
    meter = _Meter(k_weighted(x, sample_rate) if gated else x, sample_rate, gated)
    # Speakers are balanced by loudness even when the chapter aims at an RMS (ACX): plain RMS would
    # leave a bright voice sounding louder than a dull one at the same RMS.
    balance = meter if gated or not speakers else _Meter(k_weighted(x, sample_rate), sample_rate, True)
    measured = meter.level(None, 0.0)
    total, after, blocks = 0.0, measured, None
    step = block_size(sample_rate)
    if np.isfinite(measured):
        peaks = _block_peaks(x, step)
        labels = _labels(speakers, peaks.size, step)
        count = np.bincount(labels[: meter.nb][labels[: meter.nb] >= 0], minlength=labels.max() + 1)
        own = np.zeros(count.size)  # each speaker's correction in dB
        total, previous = target - measured, None
        for attempt in range(12):
            gain_db = total + np.where(labels >= 0, own[np.maximum(labels, 0)], 0.0) if count.size else total
            blocks = limiter_blocks(peaks * 10 ** (np.asarray(gain_db) / 20), ceiling, sample_rate)
            energy = meter.energy(blocks, gain_db)
            after = meter.level_of(energy)
            if balance is not meter:
                energy = balance.energy(blocks, gain_db)
            spread = 0.0
            if (count > 0).sum() > 1:
                sums = np.bincount(labels[: meter.nb][labels[: meter.nb] >= 0],
                                   weights=energy[labels[: meter.nb] >= 0], minlength=count.size)
                spoken = count > 0
                level = np.full(count.size, np.nan)
                level[spoken] = 10 * np.log10(np.maximum(sums[spoken], 1e-20) / (count[spoken] * step))
                mean = float(np.average(level[spoken], weights=count[spoken]))
                spread = float(np.max(np.abs(level[spoken] - mean)))
            if (abs(after - target) < 0.05 and spread < 0.2) or attempt == 11:
                break
            if spread:
                own[spoken] += mean - level[spoken]
            # Limiting lowers the level (speech peaks sit ~20 dB over its RMS): raise the gain and retry,
            # by the secant through the last two tries (each dB of gain buys less than a dB of level).
            slope = 1.0
            if previous is not None and total != previous[0]:
                slope = min(1.0, max(0.2, (after - previous[1]) / (total - previous[0])))
            previous = (total, after)
            total += (target - after) / slope
        # In place: `x` is our own float copy, and a chapter-sized temporary is what memory is made of.
        x *= ramps(blocks, x.size, step, 10 ** (np.asarray(gain_db, dtype=np.float64) / 20))
    if settings.room_tone is not None:
        x += room_tone(x.size, settings.room_tone, seed)
    x *= np.float32(32768.0)
    np.round(x, out=x)
    out = np.clip(x, -32768, 32767, out=x).astype(np.int16)
    return Mastered(out, float(total), float(after))


def _labels(speakers: Sequence[tuple[int, int, int]], nblocks: int, step: int) -> np.ndarray:
    """Speaker number of each block (-1 for pauses); a block shared at a join goes to the later speaker."""
    labels = np.full(nblocks, -1, dtype=np.int64)
    for start, end, who in speakers:
        labels[start // step : -(-end // step)] = who
    return labels


def room_tone(n: int, level_db: float, seed: int = 0) -> np.ndarray:
    """Quiet, warm noise (white noise through a one-pole low-pass) at `level_db` RMS; reproducible per seed."""
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    # 7.3 s of noise, looped: at -70 dBFS a repeat is inaudible, and an hour of fresh noise costs seconds.
    length = min(n, 160_993)
    warm = lfilter([0.15], [1.0, -0.85], rng.standard_normal(length))  # rolls off the hiss of white noise
    warm *= 10 ** (level_db / 20) / (float(np.sqrt(np.mean(warm**2))) or 1.0)
    return np.resize(warm.astype(np.float32), n)
