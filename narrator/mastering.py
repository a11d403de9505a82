"""master: bring a chapter to its loudness target under a true-peak ceiling, with a faint room tone.

Loudness is ITU-R BS.1770 integrated loudness (pyloudnorm's K-weighted, gated meter); true peak is
the sample peak of a 4x oversampled copy. Two-pass ffmpeg `loudnorm` costs about a minute per hour of
audio, so the gain and a look-ahead limiter run here on the PCM, and ffmpeg only encodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d
from scipy.signal import lfilter, resample_poly

DEFAULT_LOUDNESS = -18.0   # LUFS integrated: audiobook level, inside ACX's RMS window
DEFAULT_TRUE_PEAK = -3.0   # dBTP ceiling
ACX_LOUDNESS = -20.0       # mid-window of ACX's -23..-18 dB RMS rule (eSpeak speech: RMS about 1 dB under LUFS)
ROOM_TONE_DB = -70.0       # RMS of the room tone mixed under the chapter; far below ACX's -60 dB noise floor
# MP3/AAC coding and resampling overshoot the ceiling we limit to, so the limiter aims a little lower.
_CODEC_MARGIN_DB = 1.0
_HOLD_MS = 8               # look-ahead/hold of the limiter: long enough not to distort a glottal pulse
_STEP_MS = 2               # the gain curve is computed on 2 ms blocks and interpolated: cheap and smooth


def _interpolators() -> list[np.ndarray]:
    """Windowed-sinc kernels that estimate the signal 1/4, 2/4 and 3/4 of a sample later."""
    taps = np.arange(-8, 8)
    kernels = []
    for k in (1, 2, 3):
        t = taps + k / 4
        h = np.sinc(t) * np.kaiser(taps.size, 6.0)
        kernels.append(h / h.sum())
    return kernels


_INTERPOLATORS = _interpolators()
_MIN_BLOCK_S = 0.4         # BS.1770 gating blocks are 400 ms: shorter audio has no integrated loudness


@dataclass(frozen=True)
class Mastering:
    """What mastering aims for."""

    loudness: float = DEFAULT_LOUDNESS
    """Integrated loudness target in LUFS."""
    true_peak: float = DEFAULT_TRUE_PEAK
    """True-peak ceiling in dBTP."""
    room_tone: float | None = ROOM_TONE_DB
    """RMS level of the room tone in dBFS, or None for digital silence between words."""


@dataclass(frozen=True)
class Mastered:
    """A mastered chapter: PCM and what was done to it."""

    pcm: np.ndarray
    """int16 mono samples."""
    gain_db: float
    """Make-up gain applied before limiting."""
    loudness: float
    """Integrated loudness after mastering (LUFS), as measured here."""


def loudness(x: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of float samples in -1..1; -inf for silence or audio under 0.4 s."""
    return gated_loudness(k_weighted(x, sample_rate), sample_rate)


def k_weighted(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """The BS.1770 K-weighted signal (pyloudnorm's filter design, applied with scipy)."""
    for stage in pyloudnorm.Meter(sample_rate)._filters.values():
        x = lfilter(stage.b, stage.a, x)
    return x


def gated_loudness(z: np.ndarray, sample_rate: int, gain: np.ndarray | None = None) -> float:
    """BS.1770 gated loudness of a K-weighted signal (optionally times a slow gain curve), vectorised."""
    block, hop = int(0.4 * sample_rate), int(0.1 * sample_rate)
    if z.size < block:
        return float("-inf")
    power = np.square(z if gain is None else z * gain)
    csum = np.concatenate(([0.0], np.cumsum(power)))
    starts = np.arange(0, z.size - block + 1, hop)
    mean_sq = (csum[starts + block] - csum[starts]) / block
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
    peak = float(np.max(np.abs(resample_poly(x, 4, 1))))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per-sample true-peak envelope: the largest magnitude at the sample and 3 points after it (4x)."""
    env = np.abs(x)
    for h in _INTERPOLATORS:
        # mode="same" centres each 16-tap kernel, so output n estimates x at n + k/4.
        np.maximum(env, np.abs(np.convolve(x, h, mode="same")), out=env)
    return env


def limiter_gain(envelope: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """A look-ahead limiter's gain curve: it falls before each over-ceiling peak and recovers after it."""
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9))
    if needed.size == 0 or needed.min() >= 1.0:
        return np.ones_like(needed)
    step = max(1, sample_rate * _STEP_MS // 1000)
    n = needed.size
    blocks = np.pad(needed, (0, -n % step), constant_values=1.0).reshape(-1, step).min(axis=1)
    # Each block's gain is the minimum over +-hold blocks; straight lines between block centres then
    # never rise above the gain a peak needs, because both ends of its segment already include it.
    blocks = minimum_filter1d(blocks, size=2 * (_HOLD_MS // _STEP_MS) + 1)
    centres = np.arange(blocks.size) * step + (step - 1) / 2
    return np.interp(np.arange(n), centres, blocks)


def limit(x: np.ndarray, ceiling_db: float, sample_rate: int) -> np.ndarray:
    """Limit float samples to a true-peak ceiling in dBTP."""
    return x * limiter_gain(peak_envelope(x), 10 ** (ceiling_db / 20), sample_rate)


def master(pcm: np.ndarray, sample_rate: int, settings: Mastering = Mastering(), seed: int = 0) -> Mastered:
    """Gain to the loudness target, limit to the true-peak ceiling, re-aim, add room tone."""
    x = pcm.astype(np.float64) / 32768.0
    ceiling = 10 ** ((settings.true_peak - _CODEC_MARGIN_DB) / 20)
    # Both the K-filter and the peak envelope are linear in the input, so each is computed once and
    # every trial gain is a multiplication, not another pass over the audio.
    z = k_weighted(x, sample_rate)
    measured = gated_loudness(z, sample_rate)
    total, curve, after = 0.0, None, measured
    if np.isfinite(measured):
        env = peak_envelope(x)
        total = settings.loudness - measured
        for _ in range(4):
            curve = limiter_gain(env * 10 ** (total / 20), ceiling, sample_rate)
            after = gated_loudness(z, sample_rate, curve) + total
            if abs(after - settings.loudness) < 0.1:
                break
            # Limiting lowers loudness (speech peaks sit ~20 dB over its RMS): raise the gain and retry.
            total += settings.loudness - after
        y = x * (10 ** (total / 20)) * (curve if curve is not None else 1.0)
    else:
        y = x
    if settings.room_tone is not None:
        y = y + room_tone(y.size, settings.room_tone, seed)
    out = np.clip(np.round(y * 32768.0), -32768, 32767).astype(np.int16)
    return Mastered(out, total, after)


def room_tone(n: int, level_db: float, seed: int = 0) -> np.ndarray:
    """Quiet, warm noise (white noise through a one-pole low-pass) at `level_db` RMS; reproducible per seed."""
    if n == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    warm = lfilter([0.15], [1.0, -0.85], white)  # rolls off the hiss that makes digital noise sound cheap
    rms = float(np.sqrt(np.mean(warm**2))) or 1.0
    return warm * (10 ** (level_db / 20) / rms)
