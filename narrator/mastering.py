"""master: bring a chapter to its loudness target under a true-peak ceiling, with a faint room tone, as a stream.

A chapter is read twice, a few seconds at a time, and never held whole:

1. `measure` keeps, per ~1.6 ms block, the energy (plain and ramp-weighted, see `_Meter`) and the maximum of
   the true-peak envelope, and per 100 ms hop the ratio of K-weighted to plain energy (ITU-R BS.1770-4
   K-weighting applied to the hop's spectrum). That is ~20 bytes per block: an hour of audio needs ~40 MB
   of them, against 635 MB for one float64 copy of the hour.
2. `solve` works on those figures alone: per-voice levelling, the chapter gain, the look-ahead limiter's
   gain per block and each speaker's correction after limiting.
3. `render` reads the audio again and applies the per-block gains (ramped between blocks), adds room tone and
   yields int16 chunks that go straight into ffmpeg's stdin.

The limiter's look-ahead is a minimum over neighbouring blocks, computed in step 2 on the whole chapter's
block array, so it is the same whether the audio is cut into chunks or not. Two-pass ffmpeg `loudnorm` costs
about a minute per hour of audio (tech brief, section 4); this costs a few seconds. Only numpy runs in a
build: scipy (for the time-domain filter and 4x true peak that tests and reports use) is imported lazily.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_LOUDNESS = -18.0   # LUFS integrated: audiobook level, inside ACX's RMS window
DEFAULT_TRUE_PEAK = -3.0   # dBTP ceiling
ACX_RMS = -20.5            # ACX measures plain RMS over the file (-23..-18 dB): aim inside the window
ROOM_TONE_DB = -70.0       # RMS of the room tone mixed under the chapter; far below ACX's -60 dB noise floor
VOICE_LOUDNESS = -26.0     # LUFS each voice is levelled to before the chapter gain: headroom for ~20 dB peaks
# MP3/AAC coding and resampling overshoot the ceiling we limit to, so the limiter aims a little lower.
_CODEC_MARGIN_DB = 1.0
_HOLD_MS = 8               # look-ahead/hold of the limiter: long enough not to distort a glottal pulse
_STEP_MS = 2               # the gain curve is computed on ~2 ms blocks and interpolated: cheap and smooth
CHUNK_HOPS = 50            # samples per streamed chunk, in 100 ms loudness hops: 5 s, ~0.9 MB of float32
_TONE_LOOP = 160_993       # 7.3 s of room tone, looped: at -70 dBFS a repeat is inaudible

# ITU-R BS.1770-4, table 1 and 2: the K-weighting filter's two biquads at 48 kHz (b0, b1, b2), (1, a1, a2).
_BS1770_48K = (
    ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585)),
    ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621)),
)


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
    """A mastered chapter held in memory (previews and tests; chapters are streamed with `render`)."""

    pcm: np.ndarray
    """int16 mono samples."""
    gain_db: float
    """Chapter gain applied before limiting (dB)."""
    loudness: float
    """The level reached, in the target's unit (LUFS, or dB RMS for an RMS target), before room tone."""


# A re-readable audio source: called with a chunk size, it yields the int16 samples in order, in chunks of
# exactly that size but the last. Mastering calls it twice (measure, render).
Source = Callable[[int], Iterable[np.ndarray]]


# ---------------------------------------------------------------------------------------------- K-weighting


@functools.lru_cache(maxsize=8)
def k_weighting(sample_rate: int) -> np.ndarray:
    """The BS.1770-4 K-weighting filter for `sample_rate` as second-order sections (rows b0 b1 b2 1 a1 a2).

    The standard gives the two biquads at 48 kHz only. Each is undone into its analog prototype (corner
    frequency, Q and numerator weights, reading the bilinear transform backwards) and transformed again at
    `sample_rate`, pre-warped at the corner, so the response matches the 48 kHz filter's at every frequency
    both rates carry. At 48 kHz this gives back the standard's coefficients. (The transform is written out
    rather than taken from scipy.signal, whose import costs ~70 MB and a second in every build.)
    """
    sections = []
    for b, a in _BS1770_48K:
        f0, q, (n2, n1, n0) = _analog_prototype(b, a, 48000)
        k = math.tan(math.pi * f0 / sample_rate)  # the pre-warped corner, w0 / (2 fs)
        norm = 1 + k / q + k * k
        sections.append([(n2 + n1 * k / q + n0 * k * k) / norm, 2 * (n0 * k * k - n2) / norm,
                         (n2 - n1 * k / q + n0 * k * k) / norm, 1.0, 2 * (k * k - 1) / norm, (1 - k / q + k * k) / norm])
    return np.array(sections)


def _analog_prototype(b: Sequence[float], a: Sequence[float], fs: int) -> tuple[float, float, tuple[float, float, float]]:
    """(corner Hz, Q, numerator weights) of the analog biquad (n2 s^2 + n1 (w0/Q) s + n0 w0^2) / (s^2 + (w0/Q) s + w0^2)
    whose pre-warped bilinear transform at `fs` is the digital biquad b/a (a[0] == 1)."""
    # With K = tan(pi f0 / fs), the transform's denominator is (1 + K/Q + K^2) normalised; its sums at z = 1
    # and z = -1 give K^2 and the normaliser, and the numerator's sums give the weights the same way.
    _, a1, a2 = a
    k2 = (1 + a1 + a2) / (1 - a1 + a2)
    norm = 4 / (1 - a1 + a2)
    k_over_q = norm - 1 - k2
    k = math.sqrt(k2)
    n2 = (b[0] - b[1] + b[2]) * norm / 4
    n0 = (b[0] + b[1] + b[2]) * norm / 4 / k2
    n1 = (b[0] - b[2]) * norm / 2 / k_over_q
    return math.atan(k) * fs / math.pi, k / k_over_q, (n2, n1, n0)


def k_power(sample_rate: int, n: int) -> np.ndarray:
    """|K(f)|^2 at the n-point real DFT's frequencies, times the DFT's Parseval weights (1/n, doubled for the
    bins that stand for a negative frequency too): `|rfft(x)|^2 @ k_power` is the energy of K-weighted x."""
    z = np.exp(-1j * np.pi * np.arange(n // 2 + 1) * 2 / n)
    power = np.ones(z.size)
    for sec in k_weighting(sample_rate):
        power *= np.abs(np.polyval(sec[2::-1], z) / np.polyval(sec[:2:-1], z)) ** 2
    weights = np.full(z.size, 2.0 / n)
    weights[0] = 1.0 / n
    if n % 2 == 0:
        weights[-1] = 1.0 / n
    return (power * weights).astype(np.float32)


def k_weighted(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """The K-weighted signal of float samples, filtered in the time domain (tests and reports; `measure` weights
    each 100 ms hop's spectrum instead)."""
    from scipy.signal import sosfilt

    return sosfilt(k_weighting(sample_rate), x)


def loudness(x: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of float samples in -1..1; -inf for silence or audio under 0.4 s."""
    return gated_loudness(k_weighted(x, sample_rate), sample_rate)


def gated_loudness(z: np.ndarray, sample_rate: int) -> float:
    """BS.1770 gated loudness of a K-weighted signal."""
    hop = int(0.1 * sample_rate)
    n = z.size // hop
    if n < 4:
        return float("-inf")
    hops = np.square(z[: n * hop], dtype=np.float64).reshape(n, hop).sum(axis=1)
    return _gate_hops(hops, hop)


def _gate_hops(hops: np.ndarray, hop: int) -> float:
    """Gated loudness from the energy of consecutive 100 ms hops: a 400 ms block (75 % overlap) is 4 hops."""
    if hops.size < 4:
        return float("-inf")
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
    """True peak in dBTP of float samples in -1..1 (4x oversampled, as BS.1770 asks; for tests and reports)."""
    if x.size == 0:
        return float("-inf")
    from scipy.signal import resample_poly

    peak = float(np.max(np.abs(resample_poly(x, 4, 1))))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


# ------------------------------------------------------------------------------------------- peak envelope


def _half_sample_kernel() -> np.ndarray:
    """A 32-tap windowed sinc that estimates the signal half a sample away from each sample."""
    t = np.arange(-16, 16) + 0.5
    h = np.sinc(t) * np.kaiser(t.size, 8.0)
    return (h / h.sum()).astype(np.float32)


_HALF = _half_sample_kernel()
_HALF_LAG = _HALF.size // 2  # the midpoint after sample s is known once sample s + 16 has been read


def peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per-sample peak envelope: each sample's magnitude or the interpolated one half a sample after it.

    Oversampling 2x rather than BS.1770's 4x misses at most 1 - cos(pi f / 2 fs) of a peak: 0.6 dB at
    5 kHz in 22.05 kHz audio, where speech has little energy; the limiter aims 1 dB under the ceiling.
    """
    x = x.astype(np.float32, copy=False)
    padded = np.concatenate([np.zeros(_HALF.size - 1, np.float32), x, np.zeros(_HALF_LAG, np.float32)])
    mid = np.abs(np.convolve(padded, _HALF, mode="valid"))[_HALF_LAG:]
    return np.maximum(mid, np.abs(x))


def block_size(sample_rate: int) -> int:
    """Samples per limiter block: about 2 ms, and a divisor of the 100 ms loudness hop."""
    hop, target = int(0.1 * sample_rate), max(1, sample_rate * _STEP_MS // 1000)
    return max(d for d in range(1, target + 1) if hop % d == 0)


def chunk_size(sample_rate: int) -> int:
    """Samples per streamed chunk: whole loudness hops, so chunks start on block and hop edges."""
    return int(0.1 * sample_rate) * CHUNK_HOPS


def limiter_blocks(block_peaks: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """The limiter's gain per block: what the block's loudest true peak needs, held over +-8 ms."""
    needed = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(block_peaks, np.float32(1e-9)))
    hold = max(1, sample_rate * _HOLD_MS // 1000 // block_size(sample_rate))
    # Each block's gain is the minimum over +-hold blocks, so it covers the peaks of its neighbours too: this is
    # the look-ahead (the gain falls before a peak) and the hold (it recovers after it).
    padded = np.pad(needed.astype(np.float32), hold, constant_values=1.0)
    out = padded[: needed.size].copy()
    for shift in range(1, 2 * hold + 1):
        np.minimum(out, padded[shift : shift + needed.size], out=out)
    return out


def ramps(blocks: np.ndarray, n: int, step: int, scale: np.ndarray | float = 1.0, first: int = 0) -> np.ndarray:
    """Per-sample gain of samples [first*step, first*step + n): a straight ramp from each block's limiter gain to
    the next one's, times the block's scale. Chunks that start on block edges get the same values as one call."""
    # Every sample's gain mixes two block gains that both already cover any peak inside its block.
    count = -(-n // step)
    ends = blocks[first : first + count + 1].astype(np.float32)
    if ends.size < count + 1:
        ends = np.append(ends, ends[-1])
    ramp = np.arange(step, dtype=np.float32) / np.float32(step)
    per_block = np.asarray(scale, dtype=np.float32)
    per_block = per_block[first : first + count] if per_block.ndim else per_block
    return ((ends[:-1, None] + np.diff(ends)[:, None] * ramp[None, :]) * np.reshape(per_block, (-1, 1))).ravel()[:n]


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


# ------------------------------------------------------------------------------------------------ measure


@dataclass(frozen=True)
class Stats:
    """What `measure` keeps of a chapter: a few numbers per ~1.6 ms block, never the samples.

    Energies are of the signal itself, per block: plain (s0), ramp-weighted (s1) and ramp^2-weighted (s2), see
    `_Meter`. K-weighting enters as one ratio per 100 ms hop (K-weighted energy / energy, from the hop's
    spectrum): the limiter's gain changes over milliseconds, far slower than the filter's response, so a gain
    scales a hop's K-weighted energy as it scales its plain energy.
    """

    samples: int
    sample_rate: int
    step: int
    s0: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    """Energies of every complete block inside complete 100 ms hops (what the gating sees)."""
    k_ratio: np.ndarray
    """K-weighted energy over plain energy of every complete hop (1 for a silent hop)."""
    peaks: np.ndarray
    """Largest true-peak envelope value of every block (the last one may be partial)."""

    @property
    def blocks(self) -> int:
        return self.peaks.size

    def k_energy(self) -> np.ndarray:
        """K-weighted energy of each complete block."""
        return self.s0 * np.repeat(self.k_ratio, int(0.1 * self.sample_rate) // self.step)


def measure(source: Source, samples: int, sample_rate: int) -> Stats:
    """Block energies, hop K-weighting ratios and block true peaks of a stream, in one read."""
    step, hop = block_size(sample_rate), int(0.1 * sample_rate)
    hops = samples // hop
    nb = hops * hop // step  # blocks inside complete hops
    s0, s1, s2 = (np.zeros(nb, dtype=np.float32) for _ in range(3))
    ratio = np.ones(hops, dtype=np.float32)
    peaks = np.zeros(-(-samples // step), dtype=np.float32)
    ramp = np.arange(step, dtype=np.float32) / np.float32(step)
    kw = k_power(sample_rate, hop)
    tail = np.zeros(_HALF.size - 1, dtype=np.float32)  # the last 31 samples read, for the interpolation
    pos = 0
    for chunk in source(chunk_size(sample_rate)):
        if pos % hop:
            raise ValueError("measure: only the last chunk may end inside a 100 ms hop")
        x = chunk.astype(np.float32) * np.float32(1 / 32768)
        h0, n = pos // hop, min(x.size // hop, hops - pos // hop)
        if n > 0:
            framed = x[: n * hop].reshape(n, hop)
            blocks = np.square(framed).reshape(-1, step)
            b0, b1 = pos // step, pos // step + blocks.shape[0]
            s0[b0:b1] = blocks.sum(axis=1)
            s1[b0:b1] = blocks @ ramp
            s2[b0:b1] = blocks @ (ramp * ramp)
            spectrum = np.fft.rfft(framed, axis=1)
            k_e = (np.square(spectrum.real) + np.square(spectrum.imag)) @ kw
            plain_e = s0[b0:b1].reshape(n, -1).sum(axis=1)
            ratio[h0 : h0 + n] = np.where(plain_e > 0, k_e / np.maximum(plain_e, np.float32(1e-30)), 1.0)
        u = np.concatenate([tail, x])
        _envelope_into(peaks, u, pos - _HALF_LAG, step)
        tail = u[-tail.size :].copy()
        pos += x.size
    if pos != samples:
        raise ValueError(f"the audio source gave {pos} samples, {samples} expected")
    # The midpoints after the last 16 samples: read 16 more (silent) samples past the end.
    _envelope_into(peaks, np.concatenate([tail, np.zeros(_HALF_LAG, np.float32)]), pos - _HALF_LAG, step,
                   limit=samples)
    return Stats(samples, sample_rate, step, s0, s1, s2, ratio, peaks)


def _envelope_into(peaks: np.ndarray, u: np.ndarray, first: int, step: int, limit: int | None = None) -> None:
    """Fold the envelope of samples [first, first + len(u) - 31) into the block peaks.

    u holds the 31 samples before the new ones and the new ones; the interpolated midpoint after sample s needs
    samples s-15 .. s+16, so this call can place samples up to 16 before the end of what was read.
    """
    mid = np.abs(np.convolve(u, _HALF, mode="valid"))
    env = np.maximum(mid, np.abs(u[_HALF_LAG - 1 : _HALF_LAG - 1 + mid.size]))
    start = max(first, 0)
    end = first + env.size if limit is None else min(first + env.size, limit)
    if end <= start:
        return
    env = env[start - first : end - first]
    # Block edges inside [start, end): reduceat takes each block's maximum in one call.
    edges = np.arange(-(-start // step) * step, end, step)
    cuts = np.concatenate([[0], edges - start]) if edges.size == 0 or edges[0] != start else edges - start
    blocks = (cuts + start) // step  # distinct: only the first may already hold a value from the previous call
    peaks[blocks] = np.maximum(peaks[blocks], np.maximum.reduceat(env, cuts))


# -------------------------------------------------------------------------------------------------- solve


class _Meter:
    """Loudness (or RMS) of `signal * ramps(blocks) * scale` for any block gains, from the block energies alone.

    Inside block i the gain is b_i + d_i * k/step, so the block's energy is
    b_i^2 * S0 + 2 b_i d_i * S1 + d_i^2 * S2 with S0, S1, S2 the plain, ramp- and ramp^2-weighted
    energies, measured once (times the hop's K ratio for loudness). Each trial gain then costs a pass over
    ~600 block values per second of audio.
    """

    def __init__(self, stats: Stats, gated: bool) -> None:
        self.stats, self.gated = stats, gated
        self.step, self.hop, self.nb = stats.step, int(0.1 * stats.sample_rate), stats.s0.size
        self.weight = np.repeat(stats.k_ratio, self.hop // self.step) if gated else None

    def energy(self, blocks: np.ndarray | None, scale_sq: np.ndarray | float) -> np.ndarray:
        """Energy of each complete block after a per-block power gain and the limiter's block gains."""
        st, nb = self.stats, self.nb
        s = scale_sq[:nb] if isinstance(scale_sq, np.ndarray) else np.float32(scale_sq)
        if blocks is None:
            e = st.s0 * s
        else:
            b = blocks[:nb]
            d = np.diff(blocks[: nb + 1], append=blocks[-1])[:nb]
            e = b * b * st.s0
            e += 2 * b * d * st.s1
            e += d * d * st.s2
            e *= s
        return e * self.weight if self.weight is not None else e

    def level_of(self, energy: np.ndarray) -> float:
        """Integrated loudness (or RMS) in dB of block energies."""
        if self.nb == 0:
            return float("-inf")
        if not self.gated:
            total = float(energy.sum(dtype=np.float64)) / (self.nb * self.step)
            return 10 * np.log10(total) if total > 0 else float("-inf")
        return _gate_hops(energy.reshape(-1, self.hop // self.step).sum(axis=1, dtype=np.float64), self.hop)


@dataclass(frozen=True)
class Gains:
    """What `render` applies: a linear gain per block (chapter, voice and speaker gains) and the limiter's."""

    scale: np.ndarray
    limiter: np.ndarray
    gain_db: float
    loudness: float


def labels(spans: Sequence[tuple[int, int, int]], nblocks: int, step: int, fill: bool = False) -> np.ndarray:
    """The span number of each block (-1 outside spans); a block shared at a join goes to the later span.

    With `fill`, a block after a span keeps that span's number until the next one starts (the pause after a
    clip is silence, or the K-weighting's tail of that clip)."""
    out = np.full(nblocks, -1, dtype=np.int16)
    for start, end, who in spans:
        out[start // step : -(-end // step)] = who
    if fill:
        # Forward fill: each block takes the label of the last labelled block at or before it.
        last = np.maximum.accumulate(np.where(out >= 0, np.arange(nblocks, dtype=np.int32), -1))
        out = np.where(last >= 0, out[np.maximum(last, 0)], -1).astype(np.int16)
    return out


def voice_levels(stats: Stats, voices: Sequence[tuple[int, int, int]]) -> dict[int, float]:
    """Each voice's integrated loudness (LUFS) over its own blocks, joined in order (as if spoken back to back)."""
    lab = labels(voices, stats.blocks, stats.step)[: stats.s0.size]
    energy = stats.k_energy()
    per_hop = int(0.1 * stats.sample_rate) // stats.step
    levels = {}
    for v in sorted({who for *_, who in voices}):
        e = energy[lab == v]
        e = e[: e.size // per_hop * per_hop].reshape(-1, per_hop).sum(axis=1, dtype=np.float64)
        levels[v] = _gate_hops(e, int(0.1 * stats.sample_rate))
    return levels


def solve(stats: Stats, settings: Mastering = Mastering(), speakers: Sequence[tuple[int, int, int]] = (),
          voices: Sequence[tuple[int, int, int]] = ()) -> Gains:
    """Per-block gains that reach the loudness (or RMS) target with every true peak under the ceiling.

    `voices` lists (start sample, end sample, voice number) of the spoken stretches: each voice first gets one
    gain of its own that brings it to -26 LUFS (no pumping within a voice). `speakers` lists the same stretches
    by speaker: each speaker then gets a small correction, so that speakers stay equally loud *after* limiting
    (the limiter bites harder on a voice whose peaks stand further above its average).
    """
    ceiling = 10 ** ((settings.true_peak - _CODEC_MARGIN_DB) / 20)
    gated = settings.rms is None
    target = settings.loudness if gated else float(settings.rms)  # type: ignore[arg-type]
    step, nblocks = stats.step, stats.blocks
    meter = _Meter(stats, gated)
    # Speakers are balanced by loudness even when the chapter aims at an RMS (ACX): plain RMS would
    # leave a bright voice sounding louder than a dull one at the same RMS.
    balance = meter if gated else _Meter(stats, True)
    base = np.zeros(nblocks, dtype=np.float32)  # dB per block before the chapter gain: the voice levelling
    if voices:
        levels = voice_levels(stats, voices)
        voice_db = np.array([VOICE_LOUDNESS - levels.get(v, VOICE_LOUDNESS) for v in range(max(v for *_, v in voices) + 1)])
        voice_db[~np.isfinite(voice_db)] = 0.0
        lab = labels(voices, nblocks, step, fill=True)
        base = np.where(lab >= 0, voice_db.astype(np.float32)[np.maximum(lab, 0)], np.float32(0.0))
        del lab
    measured = meter.level_of(meter.energy(None, _power(base)))
    if not np.isfinite(measured) or nblocks == 0:
        return Gains(_power(base / 2), np.ones(nblocks, dtype=np.float32), 0.0, measured)
    fill_lab = labels(speakers, nblocks, step, fill=True)
    spoken = labels(speakers, nblocks, step)[: meter.nb]
    mask = spoken >= 0
    spoken = spoken[mask]
    count = np.bincount(spoken, minlength=int(fill_lab.max()) + 1) if speakers else np.zeros(0, int)
    own = np.zeros(count.size, dtype=np.float32)  # each speaker's correction in dB
    total, previous, after = target - measured, None, measured
    for attempt in range(12):
        gain_db = base + np.float32(total)
        if count.size:
            gain_db += np.where(fill_lab >= 0, own[np.maximum(fill_lab, 0)], np.float32(0.0))
        scale_sq = _power(gain_db)
        del gain_db
        blocks = limiter_blocks(stats.peaks * np.sqrt(scale_sq), ceiling, stats.sample_rate)
        after = meter.level_of(meter.energy(blocks, scale_sq))
        spread = 0.0
        if (count > 0).sum() > 1:
            sums = np.bincount(spoken, weights=balance.energy(blocks, scale_sq)[mask], minlength=count.size)
            has = count > 0
            level = np.full(count.size, np.nan)
            level[has] = 10 * np.log10(np.maximum(sums[has], 1e-20) / (count[has] * step))
            mean = float(np.average(level[has], weights=count[has]))
            spread = float(np.max(np.abs(level[has] - mean)))
        if (abs(after - target) < 0.05 and spread < 0.2) or attempt == 11:
            break
        if spread:
            own[has] += (mean - level[has]).astype(np.float32)
        # Limiting lowers the level (speech peaks sit ~20 dB over its RMS): raise the gain and retry,
        # by the secant through the last two tries (each dB of gain buys less than a dB of level).
        slope = 1.0
        if previous is not None and total != previous[0]:
            slope = min(1.0, max(0.2, (after - previous[1]) / (total - previous[0])))
        previous = (total, after)
        total += (target - after) / slope
    return Gains(np.sqrt(scale_sq), blocks, float(total), float(after))


def _power(db: np.ndarray) -> np.ndarray:
    """10^(dB/10) in float32 (a power ratio from dB)."""
    return np.power(np.float32(10.0), db.astype(np.float32) / np.float32(10.0))


# ------------------------------------------------------------------------------------------------- render


def render(source: Source, samples: int, sample_rate: int, gains: Gains, settings: Mastering = Mastering(),
           seed: int = 0) -> Iterator[np.ndarray]:
    """The mastered stream: int16 chunks of the source with the gains, the limiter and the room tone applied."""
    step = block_size(sample_rate)
    tone = _tone_loop(samples, settings.room_tone, seed) if settings.room_tone is not None else None
    pos = 0
    for chunk in source(chunk_size(sample_rate)):
        x = chunk.astype(np.float32)  # int16 scale throughout: no rescaling back and forth
        if chunk.size % step and pos + chunk.size != samples:
            raise ValueError("render: a chunk that is not the last must hold whole blocks")
        x *= ramps(gains.limiter, x.size, step, gains.scale, first=pos // step)
        if tone is not None:
            x += _loop_slice(tone, pos, x.size)
        np.round(x, out=x)
        np.clip(x, -32768, 32767, out=x)
        yield x.astype(np.int16)
        pos += chunk.size


def _tone_loop(samples: int, level_db: float, seed: int) -> np.ndarray:
    """The room tone's noise loop, in int16 units."""
    return room_tone(min(samples, _TONE_LOOP), level_db, seed) * np.float32(32768.0)


def _loop_slice(loop: np.ndarray, start: int, n: int) -> np.ndarray:
    """Samples [start, start + n) of `loop` repeated forever."""
    if loop.size == 0:
        return np.zeros(n, dtype=np.float32)
    first = start % loop.size
    if first + n <= loop.size:
        return loop[first : first + n]
    return np.resize(np.roll(loop, -first), n)


def room_tone(n: int, level_db: float, seed: int = 0) -> np.ndarray:
    """Quiet, warm noise (white noise through a one-pole low-pass) at `level_db` RMS; reproducible per seed."""
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    rng = np.random.default_rng(seed)
    length = min(n, _TONE_LOOP)  # looped: an hour of fresh noise would cost seconds
    # White noise through a one-pole low-pass (y[n] = 0.15 x[n] + 0.85 y[n-1]) rolls off its hiss; the pole's
    # response is written out to 120 taps (0.85^120 ~ 3e-9), so numpy does it without scipy.
    warm = np.convolve(rng.standard_normal(length), 0.15 * 0.85 ** np.arange(120))[:length]
    warm *= 10 ** (level_db / 20) / (float(np.sqrt(np.mean(warm**2))) or 1.0)
    return np.resize(warm.astype(np.float32), n)


# ---------------------------------------------------------------------------------------------- in memory


def array_source(pcm: np.ndarray) -> Source:
    """A Source over an int16 array in memory."""

    def chunks(size: int) -> Iterator[np.ndarray]:
        for a in range(0, pcm.size, size):
            yield pcm[a : a + size]

    return chunks


def master(pcm: np.ndarray, sample_rate: int, settings: Mastering = Mastering(), seed: int = 0,
           speakers: Sequence[tuple[int, int, int]] = (), voices: Sequence[tuple[int, int, int]] = ()) -> Mastered:
    """Master int16 samples held in memory (previews, tests): `measure`, `solve` and `render` in one call."""
    pcm = np.asarray(pcm, dtype=np.int16)
    source = array_source(pcm)
    stats = measure(source, pcm.size, sample_rate)
    gains = solve(stats, settings, speakers, voices)
    parts = list(render(source, pcm.size, sample_rate, gains, settings, seed))
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    return Mastered(out, gains.gain_db, gains.loudness)


def memory_per_sample() -> float:
    """Bytes mastering holds per sample of a chapter at its peak (the solve), for the encodes' memory budget."""
    # Per ~35-sample block: s0, s1, s2, peaks, K weight, scale, limiter, base dB and the solve's temporaries,
    # about 16 float32 values, and two int16 label arrays.
    return (16 * 4 + 2 * 2) / 35
