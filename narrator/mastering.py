"""master: bring a chapter to its loudness target under a true-peak ceiling, with a faint room tone, as a stream.

A chapter is read twice, a few seconds at a time, and never held whole:

1. `measure` keeps, per ~1.6 ms block, the energy (plain and ramp-weighted, see `_Meter`) and the maximum of
   the true-peak envelope, and per 100 ms hop the ratio of K-weighted to plain energy (ITU-R BS.1770-4
   K-weighting applied to the hop's spectrum). That is ~11 bytes per ~35-sample block (`memory_per_sample`):
   an hour at 22.05 kHz needs ~25 MB of them, against 635 MB for one float64 copy of the hour.
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
MIN_SLOPE = 0.2            # the solve stops raising the gain once a dB of it buys less than this much loudness
MAX_STEP_DB = 3.0
LOUDNESS_TOLERANCE = 0.5
WINDOW_S = 0.05            # the decoded MP3's peaks are checked per 50 ms window   # LU: a delivered chapter this close to its loudness target has met it
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


def _quarter_kernels() -> np.ndarray:
    """Three 32-tap windowed sincs that estimate the signal a quarter, a half and three quarters of a sample after
    sample s from samples s-15 .. s+16 (BS.1770's 4x oversampling for the true peak), as rows."""
    t = np.arange(-15, 17, dtype=np.float64)
    rows = []
    for d in (0.25, 0.5, 0.75):
        h = np.sinc(t - d) * np.kaiser(t.size, 8.0)
        rows.append(h / h.sum())
    return np.array(rows, dtype=np.float32)


_QUARTERS = _quarter_kernels()


class LevelMeter:
    """Integrated loudness and true peak of a stream (the decoded MP3 a listener gets), fed in chunks of any size.

    Loudness: each 100 ms hop's K-weighted energy from its spectrum, as `measure` does. True peak: the samples and,
    around every sample within 3.5 dB of `near` (the ceiling), the 4x-oversampled values beside it. Between two
    samples the signal rises at most 3 dB over them below half the Nyquist frequency (a sine there, sampled 45
    degrees off its crest), and speech has little above it; skipping the quieter samples makes the check 4x
    cheaper (0.04 s against 0.17 s for a 2.5-minute chapter).
    """

    _BACK, _AHEAD = 16, 17  # the interpolation between s and s+1 reads s-15 .. s+16

    def __init__(self, sample_rate: int, near: float, watch: float | None = None) -> None:
        self.rate, self.hop = sample_rate, int(0.1 * sample_rate)
        self.window = int(WINDOW_S * sample_rate)
        self.watch = np.float32(watch if watch is not None else near)
        self.loud_windows: dict[int, float] = {}
        """Window number (of WINDOW_S seconds) -> its true peak (linear), for every window that reaches `watch`."""
        self.base = 0  # the stream position of the first sample not yet checked
        self.kw = k_power(sample_rate, self.hop).astype(np.float64)
        self.near = np.float32(near * 10 ** (-3.5 / 20))
        self.hops: list[np.ndarray] = []
        self.rest = np.zeros(0, np.float32)       # samples short of a whole hop
        self.context = np.zeros(self._BACK, np.float32)  # samples already checked, kept for the interpolation
        self.pending = np.zeros(0, np.float32)    # samples whose right-hand neighbours have not come yet
        self.peak = 0.0
        self.energy, self.count = 0.0, 0

    def feed(self, chunk: np.ndarray) -> None:
        x = chunk.astype(np.float32) * np.float32(1 / 32768)
        self.energy += float(np.dot(x, x))
        self.count += x.size
        frames = np.concatenate([self.rest, x])
        n = frames.size // self.hop
        if n:
            spectrum = np.fft.rfft(frames[: n * self.hop].reshape(n, self.hop).astype(np.float64), axis=1)
            self.hops.append((np.square(spectrum.real) + np.square(spectrum.imag)) @ self.kw)
        self.rest = frames[n * self.hop :]
        self._peaks(np.concatenate([self.pending, x]), final=False)

    def _peaks(self, x: np.ndarray, final: bool) -> None:
        if final:
            x = np.concatenate([x, np.zeros(self._AHEAD, np.float32)])
        ready = x.size - self._AHEAD  # samples whose interpolation window is complete
        if ready <= 0:
            self.pending = x if not final else np.zeros(0, np.float32)
            return
        u = np.concatenate([self.context, x])  # u[i + BACK] is x[i]
        self.peak = max(self.peak, float(np.max(np.abs(x[:ready]))))
        loud = np.flatnonzero(np.abs(x[:ready]) >= self.near)
        if loud.size:
            # Between s-1 and s, and between s and s+1, for every loud s.
            starts = np.unique(np.concatenate([loud - 1, loud]))
            between = np.abs(u[starts[:, None] + self._BACK + np.arange(-15, 17)[None, :]] @ _QUARTERS.T).max(axis=1)
            self.peak = max(self.peak, float(between.max()))
            at = np.concatenate([loud, starts])
            value = np.concatenate([np.abs(x[loud]), between])
            keep = value >= self.watch
            for w, v in zip(((self.base + at[keep]) // self.window).tolist(), value[keep].tolist(), strict=True):
                if v > self.loud_windows.get(w, 0.0):
                    self.loud_windows[w] = v
        self.context = u[ready : ready + self._BACK].copy()  # the last BACK samples checked
        self.base += ready
        self.pending = x[ready:] if not final else np.zeros(0, np.float32)

    def result(self) -> tuple[float, float, float]:
        """(integrated loudness in LUFS, true peak in dBTP, plain RMS in dBFS) of everything fed."""
        self._peaks(self.pending, final=True)
        hops = np.concatenate(self.hops) if self.hops else np.zeros(0)
        db = lambda v: 10 * math.log10(v) if v > 0 else float("-inf")  # noqa: E731
        return _gate_hops(hops, self.hop), db(self.peak**2), db(self.energy / max(self.count, 1))


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
    hold = max(1, sample_rate * _HOLD_MS // 1000 // block_size(sample_rate))
    return _least_within(_needed(block_peaks, ceiling), hold, hold, hold)


def _needed(peaks: np.ndarray, ceiling: float | np.ndarray) -> np.ndarray:
    """The gain each block's true peak needs to stay under the ceiling (1: no limiting)."""
    top = np.asarray(ceiling, dtype=np.float32)
    return np.minimum(np.float32(1.0), top / np.maximum(peaks.astype(np.float32), np.float32(1e-9)))


def _least_within(needed: np.ndarray, hold: int, before: int, after: int) -> np.ndarray:
    """Each block's limiter gain: the least gain any block within +-hold needs, so it covers the peaks of its
    neighbours too -- the look-ahead (the gain falls before a peak) and the hold (it recovers after it).

    `needed` starts `hold - before` blocks before the first block asked for and ends `hold - after` after the
    last; the missing neighbours (past the chapter's ends) need no limiting."""
    padded = np.pad(needed, (before, after), constant_values=1.0)
    n = padded.size - 2 * hold
    out = padded[:n].copy()
    for shift in range(1, 2 * hold + 1):
        np.minimum(out, padded[shift : shift + n], out=out)
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


# ------------------------------------------------------------------------------------------------ measure


@dataclass(frozen=True)
class Stats:
    """What `measure` keeps of a chapter: two numbers per ~1.6 ms block, never the samples.

    K-weighting enters as one ratio per 100 ms hop (K-weighted energy / energy, from the hop's spectrum): the
    limiter's gain changes over milliseconds, far slower than the filter's response, so a gain scales a hop's
    K-weighted energy as it scales its plain energy.
    """

    samples: int
    sample_rate: int
    step: int
    s0: np.ndarray
    """Energy of every complete block inside complete 100 ms hops (what the gating sees)."""
    k_ratio: np.ndarray
    """K-weighted energy over plain energy of every complete hop (1 for a silent hop)."""
    peaks: np.ndarray
    """Largest true-peak envelope value of every block (the last one may be partial)."""

    @property
    def blocks(self) -> int:
        return self.peaks.size

    @property
    def per_hop(self) -> int:
        return int(0.1 * self.sample_rate) // self.step


def measure(source: Source, samples: int, sample_rate: int) -> Stats:
    """Block energies, hop K-weighting ratios and block true peaks of a stream, in one read."""
    step, hop = block_size(sample_rate), int(0.1 * sample_rate)
    hops = samples // hop
    nb = hops * hop // step  # blocks inside complete hops
    s0 = np.zeros(nb, dtype=np.float32)
    ratio = np.ones(hops, dtype=np.float32)
    # float16 holds a peak to 0.1 % (0.01 dB) in half the memory; each is rounded up, so a peak never reads low.
    # Kept in float16 from the start: a float32 array and its conversion would triple the chapter's peak figures.
    peaks = np.zeros(-(-samples // step), dtype=np.float16)
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
    return Stats(samples, sample_rate, step, s0, ratio, peaks)


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
    peaks[blocks] = _half_up(np.maximum(peaks[blocks].astype(np.float32), np.maximum.reduceat(env, cuts)))


def _half_up(x: np.ndarray) -> np.ndarray:
    """float32 values as float16, one step up where rounding went down (a peak never reads low)."""
    half = x.astype(np.float16)
    low = half.astype(np.float32) < x
    half[low] = np.nextafter(half[low], np.float16(np.inf))
    return half


# -------------------------------------------------------------------------------------------------- solve


_SLICE_HOPS = 1024  # the solve walks the chapter ~100 s at a time: no chapter-sized float temporaries


class Labels:
    """The span number of every block (-1 outside spans), computed for any stretch of blocks from the spans alone.

    A block shared at a join goes to the later span. With `fill`, a block after a span keeps that span's number
    until the next one starts (the pause after a clip is silence, or the K-weighting's tail of that clip).
    Nothing is stored per block: a chapter-sized int16 array per kind of label cost 2 bytes a block for the
    whole of the solve and the render (~6 MB for a 40-minute chapter, three of them).
    """

    def __init__(self, spans: Sequence[tuple[int, int, int]], nblocks: int, step: int, fill: bool = False) -> None:
        ordered = sorted(spans)
        self.nblocks = nblocks
        self.lo = np.array([start // step for start, _, _ in ordered], dtype=np.int64)
        if fill:
            # A span's number runs on to where the next span starts, and covers at least its own first block.
            nxt = np.append(self.lo[1:], nblocks) if ordered else np.zeros(0, np.int64)
            self.hi = np.maximum(nxt, self.lo + 1)
        else:
            self.hi = np.array([-(-end // step) for _, end, _ in ordered], dtype=np.int64)
        self.who = np.array([who for *_, who in ordered], dtype=np.int16)
        self.top = int(self.who.max(initial=-1))
        """The largest span number (-1 without spans)."""

    def __getitem__(self, blocks: slice) -> np.ndarray:
        """The labels of a stretch of blocks, e.g. `lab[a:b]`, as int16."""
        a, b, _ = blocks.indices(self.nblocks)
        out = np.full(max(b - a, 0), -1, dtype=np.int16)
        # The spans reaching into [a, b), written in order so that a later span wins a shared block.
        for i in np.flatnonzero(self.hi[: np.searchsorted(self.lo, b, side="left")] > a):
            out[max(int(self.lo[i]), a) - a : min(int(self.hi[i]), b) - a] = self.who[i]
        return out


@dataclass(frozen=True)
class Gains:
    """What `render` applies, kept compact: the chapter gain, one gain per voice and per speaker, each block's
    labels and true peak. The per-block gain and the limiter's are computed from these for any stretch of
    blocks, the same way for the solve and for every rendered chunk."""

    sample_rate: int
    ceiling: float
    total_db: float
    voice_db: np.ndarray
    own_db: np.ndarray
    voice: Labels
    """Voice number of every block (forward-filled over pauses), -1 before the first clip."""
    speaker: Labels
    """Speaker number of every block, likewise."""
    peaks: np.ndarray
    loudness: float
    """The level reached, in the target's unit (LUFS, or dB RMS for an RMS target), before room tone."""
    local: tuple[tuple[int, int, float], ...] = ()
    """(first block, end block, factor): stretches where the ceiling is lowered by that factor (where the encoder's
    ringing lifted the decoded peaks over it on a first try)."""

    @property
    def step(self) -> int:
        return block_size(self.sample_rate)

    @property
    def hold(self) -> int:
        return max(1, self.sample_rate * _HOLD_MS // 1000 // self.step)

    def scale(self, a: int, b: int) -> np.ndarray:
        """Linear gain of blocks [a, b) (clipped to the chapter) before the limiter: chapter, voice, speaker."""
        a, b = max(a, 0), min(b, self.peaks.size)
        db = np.full(b - a, self.total_db, dtype=np.float32)
        for table, lab in ((self.voice_db, self.voice), (self.own_db, self.speaker)):
            if table.size:
                part = lab[a:b]
                db += np.where(part >= 0, table[np.maximum(part, 0)], np.float32(0.0))
        return np.power(np.float32(10.0), db / np.float32(20.0))

    def blocks(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(scale, limiter gain) of blocks [a, b): the limiter's is the least any block within +-hold needs."""
        n, h = self.peaks.size, self.hold
        lo, hi = max(a - h, 0), min(b + h, n)
        scale = self.scale(lo, hi)
        peaks = self.peaks[lo:hi].astype(np.float32) * scale
        ceiling: np.ndarray | float = self.ceiling
        if self.local:
            ceiling = np.full(hi - lo, self.ceiling, dtype=np.float32)
            for first, end, factor in self.local:
                if first < hi and end > lo:
                    ceiling[max(first, lo) - lo : min(end, hi) - lo] *= np.float32(factor)
        limiter = _least_within(_needed(peaks, ceiling), h, lo - (a - h), (b + h) - hi)
        return scale[a - lo : a - lo + (b - a)], limiter


def _ramp_power(b: np.ndarray, d: np.ndarray, step: int) -> np.ndarray:
    """Mean of (b + d k/step)^2 over a block's samples k: the power gain of a block whose gain ramps from b to b+d
    (the block's own power taken as even across its ~1.6 ms)."""
    m1 = np.float32((step - 1) / (2 * step))
    m2 = np.float32((step - 1) * (2 * step - 1) / (6 * step * step))
    return b * b + 2 * b * d * m1 + d * d * m2


class _Walk:
    """One pass of the solve over the chapter: hop energies (for the gating) and each speaker's K-weighted energy."""

    def __init__(self, stats: Stats, gains: Gains, gated: bool, speakers: Labels | None, spoken: Labels | None,
                 nspeakers: int) -> None:
        per_hop, nb = stats.per_hop, stats.s0.size
        self.hops = np.zeros(nb // per_hop)
        self.k_hops = np.zeros(nb // per_hop) if not gated else self.hops
        self.speaker_energy = np.zeros(nspeakers)
        width = _SLICE_HOPS * per_hop
        for a in range(0, nb, width):
            b = min(a + width, nb)
            scale, limiter = gains.blocks(a, b + 1)
            start = limiter[: b - a]
            power = stats.s0[a:b] * _ramp_power(start, limiter[1:] - start, stats.step) * np.square(scale[: b - a])
            k = power * np.repeat(stats.k_ratio[a // per_hop : b // per_hop], per_hop)
            self.hops[a // per_hop : b // per_hop] = (k if gated else power).reshape(-1, per_hop).sum(axis=1, dtype=np.float64)
            if not gated:
                self.k_hops[a // per_hop : b // per_hop] = k.reshape(-1, per_hop).sum(axis=1, dtype=np.float64)
            if speakers is not None and spoken is not None and nspeakers:
                mask = spoken[a:b] >= 0
                self.speaker_energy += np.bincount(speakers[a:b][mask], weights=k[mask], minlength=nspeakers)

    def level(self, stats: Stats, gated: bool) -> float:
        hop = int(0.1 * stats.sample_rate)
        if gated:
            return _gate_hops(self.hops, hop)
        total = float(self.hops.sum()) / (self.hops.size * hop) if self.hops.size else 0.0
        return 10 * np.log10(total) if total > 0 else float("-inf")


def measured_loudness(stats: Stats) -> float:
    """Integrated loudness (LUFS) of the measured audio as it is."""
    hops = stats.s0.reshape(-1, stats.per_hop).sum(axis=1, dtype=np.float64) * stats.k_ratio
    return _gate_hops(hops, int(0.1 * stats.sample_rate))


def voice_levels(stats: Stats, voices: Sequence[tuple[int, int, int]]) -> dict[int, float]:
    """Each voice's integrated loudness (LUFS) over its own blocks, joined in order (as if spoken back to back)."""
    lab = Labels(voices, stats.blocks, stats.step)
    per_hop, hop = stats.per_hop, int(0.1 * stats.sample_rate)
    hops: dict[int, list[np.ndarray]] = {v: [] for *_, v in voices}
    carry: dict[int, np.ndarray] = {v: np.zeros(0, np.float32) for v in hops}
    width = _SLICE_HOPS * per_hop
    for a in range(0, stats.s0.size, width):
        b = min(a + width, stats.s0.size)
        k = stats.s0[a:b] * np.repeat(stats.k_ratio[a // per_hop : b // per_hop], per_hop)
        for v in hops:
            # The voice's blocks, joined, cut into 100 ms hops; what is left over waits for the next slice.
            e = np.concatenate([carry[v], k[lab[a:b] == v]])
            whole = e.size // per_hop * per_hop
            hops[v].append(e[:whole].reshape(-1, per_hop).sum(axis=1, dtype=np.float64))
            carry[v] = e[whole:]
    return {v: _gate_hops(np.concatenate(parts), hop) if parts else float("-inf") for v, parts in hops.items()}


def solve(stats: Stats, settings: Mastering = Mastering(), speakers: Sequence[tuple[int, int, int]] = (),
          voices: Sequence[tuple[int, int, int]] = ()) -> Gains:
    """Gains that reach the loudness (or RMS) target with every true peak under the ceiling.

    `voices` lists (start sample, end sample, voice number) of the spoken stretches: each voice first gets one
    gain of its own that brings it to -26 LUFS (no pumping within a voice). `speakers` lists the same stretches
    by speaker: each speaker then gets a small correction, so that speakers stay equally loud *after* limiting
    (the limiter bites harder on a voice whose peaks stand further above its average).
    """
    ceiling = 10 ** ((settings.true_peak - _CODEC_MARGIN_DB) / 20)
    gated = settings.rms is None
    target = settings.loudness if gated else float(settings.rms)  # type: ignore[arg-type]
    step, nblocks = stats.step, stats.blocks
    voice_db = np.zeros(0, dtype=np.float32)
    if voices:
        levels = voice_levels(stats, voices)
        voice_db = np.array([VOICE_LOUDNESS - levels.get(v, VOICE_LOUDNESS) for v in range(max(v for *_, v in voices) + 1)])
        voice_db[~np.isfinite(voice_db)] = 0.0
        voice_db = voice_db.astype(np.float32)
    voice_lab = Labels(voices, nblocks, step, fill=True)
    speaker_lab = Labels(speakers, nblocks, step, fill=True)
    spoken = Labels(speakers, nblocks, step)
    count = np.zeros(speaker_lab.top + 1, dtype=np.int64)  # spoken blocks per speaker
    for a in range(0, stats.s0.size, _SLICE_HOPS * stats.per_hop):
        b = min(a + _SLICE_HOPS * stats.per_hop, stats.s0.size)
        count += np.bincount(speaker_lab[a:b][spoken[a:b] >= 0], minlength=count.size)
    own = np.zeros(count.size, dtype=np.float32)  # each speaker's correction in dB

    def gains(total: float, limit: bool, loudness: float = float("nan")) -> Gains:
        return Gains(stats.sample_rate, ceiling if limit else float("inf"), total, voice_db, own.copy(), voice_lab,
                     speaker_lab, stats.peaks, loudness)

    measured = _Walk(stats, gains(0.0, False), gated, None, None, 0).level(stats, gated)
    if not np.isfinite(measured) or nblocks == 0:
        return gains(0.0, False, measured)
    total, previous, after = target - measured, None, measured
    for attempt in range(12):
        walk = _Walk(stats, gains(total, True), gated, speaker_lab, spoken, count.size)
        after = walk.level(stats, gated)
        spread = 0.0
        if (count > 0).sum() > 1:
            has = count > 0
            level = np.full(count.size, np.nan)
            level[has] = 10 * np.log10(np.maximum(walk.speaker_energy[has], 1e-20) / (count[has] * step))
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
            slope = (after - previous[1]) / (total - previous[0])
            if slope < MIN_SLOPE and after < target and total > previous[0]:
                # Past here the limiter takes back most of every added dB: the target is out of reach under
                # this ceiling. Pushing on only flattens speech into a wall (a -14 LUFS target under -3 dBTP
                # asked for +52 dB and still stopped at -14.6): stop where a dB still buys MIN_SLOPE, and let
                # the caller say so.
                total = _wall(stats, lambda t: gains(t, True), total, gated)
                after = _Walk(stats, gains(total, True), gated, None, None, 0).level(stats, gated)
                break
            slope = min(1.0, max(MIN_SLOPE, slope))
        previous = (total, after)
        # At most 3 dB a step once limiting is measured: the next secant then measures the slope where the gain is,
        # so the wall (above) is found within a fraction of a LU rather than somewhere along one long jump.
        total += min((target - after) / slope, MAX_STEP_DB)
    return gains(float(total), True, float(after))


def _wall(stats: Stats, at: Callable[[float], Gains], beyond: float, gated: bool) -> float:
    """The largest chapter gain (to ~0.25 dB) at which one more dB still raises the level by MIN_SLOPE, searched
    below `beyond`, a gain already past that point. A first guess can land far past it (the unlimited level
    says nothing about the limiter), so the search is a bisection over the 32 dB below, not a walk back."""

    def slope(total: float) -> float:
        low, high = (_Walk(stats, at(t), gated, None, None, 0).level(stats, gated) for t in (total, total + 1.0))
        return high - low

    lo, hi = beyond - 32.0, beyond
    if slope(lo) < MIN_SLOPE:
        return lo
    while hi - lo > 0.25:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) >= MIN_SLOPE else (lo, mid)
    return lo


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
        first = pos // step
        count = -(-x.size // step)
        scale, limiter = gains.blocks(first, first + count + 1)  # one block more: where the last ramp heads
        x *= ramps(limiter, x.size, step, scale)
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
           speakers: Sequence[tuple[int, int, int]] = (), voices: Sequence[tuple[int, int, int]] = ()) -> np.ndarray:
    """Master int16 samples held in memory (previews, tests): `measure`, `solve` and `render` in one call.

    Returns the mastered int16 samples; chapters are streamed with `render` instead."""
    pcm = np.asarray(pcm, dtype=np.int16)
    source = array_source(pcm)
    stats = measure(source, pcm.size, sample_rate)
    gains = solve(stats, settings, speakers, voices)
    parts = list(render(source, pcm.size, sample_rate, gains, settings, seed))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def memory_per_sample() -> float:
    """Bytes mastering holds per sample of a chapter at its peak (the solve), for the encodes' memory budget."""
    # Per ~35-sample block: energy (float32) and peak (float16); labels come from the spans, and the solve's
    # float temporaries are per ~100 s slice.
    return (4 + 2) / 35
