"""check: measure finished MP3 files against the ACX/Audible submission rules, by decoding them."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3, BitrateMode

from narrator.errors import InputError, OutputError
from narrator.export import require_ffmpeg

SPEECH_DB = -50.0   # a 10 ms window louder than this is sound, not room tone
NOISE_WINDOW_S = 0.5


@dataclass(frozen=True)
class Rule:
    """One ACX rule applied to one file."""

    name: str
    passed: bool
    figure: str
    """What was measured, with its unit."""
    wanted: str
    """What ACX asks for."""


@dataclass(frozen=True)
class Report:
    """Every rule for one file."""

    path: Path
    rules: tuple[Rule, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules)

    def as_dict(self) -> dict[str, object]:
        return {"file": str(self.path), "passed": bool(self.passed),
                "rules": [{"rule": r.name, "passed": bool(r.passed), "measured": r.figure, "wanted": r.wanted} for r in self.rules]}


@dataclass(frozen=True)
class Levels:
    """Levels of decoded audio, in dB relative to full scale."""

    peak: float
    rms: float
    noise_floor: float
    head: float
    """Seconds before the first sound."""
    tail: float
    """Seconds after the last sound."""


def check_files(target: Path) -> list[Report]:
    """ACX reports for an MP3 file or every MP3 in a folder."""
    if target.is_dir():
        files = sorted(p for p in target.glob("*.mp3") if not p.name.startswith("."))
        if not files:
            raise InputError(f"{target} holds no MP3 files to check; give a build's output folder or an .mp3 file.")
    elif target.is_file():
        files = [target]
    else:
        raise InputError(f"{target} does not exist; give a build's output folder or an .mp3 file.")
    return [check_file(p) for p in files]


def check_file(path: Path) -> Report:
    """Decode one MP3 and apply each ACX rule."""
    try:
        info = MP3(path).info
    except Exception:
        raise InputError(f"{path} is not an MP3 file ACX would accept; check expects MP3 (build with --acx).") from None
    rate, x = decode(path)
    lv = levels(x, rate)
    kbps = info.bitrate // 1000
    cbr = info.bitrate_mode in (BitrateMode.CBR, BitrateMode.UNKNOWN) and _constant(path)
    rules = (
        Rule("sample rate", info.sample_rate == 44100, f"{info.sample_rate} Hz", "44100 Hz"),
        Rule("bitrate", kbps >= 192 and cbr, f"{kbps} kbps {'CBR' if cbr else 'VBR/ABR'}", ">= 192 kbps CBR"),
        Rule("channels", info.channels == 1, "mono" if info.channels == 1 else f"{info.channels} channels", "mono (recommended)"),
        Rule("peak", lv.peak <= -3.0, f"{lv.peak:.1f} dB", "<= -3.0 dB"),
        Rule("RMS", -23.0 <= lv.rms <= -18.0, f"{lv.rms:.1f} dB", "-23.0 to -18.0 dB"),
        Rule("noise floor", lv.noise_floor <= -60.0, _db(lv.noise_floor), "<= -60.0 dB"),
        Rule("head room tone", 0.5 <= lv.head <= 1.0, f"{lv.head:.2f} s", "0.5 to 1.0 s"),
        Rule("tail room tone", 1.0 <= lv.tail <= 5.0, f"{lv.tail:.2f} s", "1.0 to 5.0 s"),
        Rule("length", info.length <= 120 * 60, f"{info.length / 60:.1f} min", "<= 120 min"),
    )
    return Report(path, rules)


def decode(path: Path) -> tuple[int, np.ndarray]:
    """Decode any audio file to mono float samples with ffmpeg; returns (sample rate, samples)."""
    ffmpeg = require_ffmpeg()
    rate = _probe_rate(path)
    proc = subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
                           "-ac", "1", "-f", "f32le", "-"], capture_output=True, check=False)
    if proc.returncode != 0:
        raise OutputError(f"ffmpeg cannot decode {path}: {proc.stderr.decode('utf-8', 'replace').strip()[-200:]}")
    return rate, np.frombuffer(proc.stdout, dtype=np.float32)


def levels(x: np.ndarray, rate: int) -> Levels:
    """Peak, RMS, noise floor (quietest half second) and leading/trailing room tone of mono float audio."""
    if x.size == 0:
        return Levels(float("-inf"), float("-inf"), float("-inf"), 0.0, 0.0)
    x = x.astype(np.float64)
    peak = _to_db(float(np.max(np.abs(x))))
    rms = _to_db(float(np.sqrt(np.mean(x**2))))
    win = max(1, rate // 100)
    n = x.size // win
    frames = np.sqrt(np.mean(x[: n * win].reshape(n, win) ** 2, axis=1)) if n else np.zeros(0)
    loud = np.flatnonzero(frames > 10 ** (SPEECH_DB / 20))
    head = loud[0] * win / rate if loud.size else x.size / rate
    tail = (x.size - (loud[-1] + 1) * win) / rate if loud.size else x.size / rate
    per = max(1, int(NOISE_WINDOW_S * rate) // win)
    if n >= per:
        power = np.convolve(frames**2, np.ones(per) / per, mode="valid")
        noise = _to_db(float(np.sqrt(power.min())))
    else:
        noise = rms
    return Levels(peak, rms, noise, head, tail)


# The failing rules (by name, as check_file gives them) that a rebuild with `narrator build --acx` is there to
# fix. ("length" is not among them: no preset shortens a chapter.)
_FORMAT_RULES = {"sample rate", "bitrate"}
_LEVEL_RULES = {"channels", "peak", "RMS", "noise floor", "head room tone", "tail room tone"}


def format_report(reports: list[Report]) -> str:
    """The reports as text: one block per file, one PASS/FAIL line per rule."""
    out = []
    for r in reports:
        out.append(f"{'PASS' if r.passed else 'FAIL'}  {r.path}")
        for rule in r.rules:
            out.append(f"  {'PASS' if rule.passed else 'FAIL'}  {rule.name:<15} {rule.figure:<16} (ACX: {rule.wanted})")
    failed = sum(not r.passed for r in reports)
    out.append(f"{len(reports) - failed} of {len(reports)} files pass the ACX checks.")
    # A default build fails rate and bitrate by design (README: `make demo`, then `narrator check`): say what to do.
    broken = {rule.name for r in reports for rule in r.rules if not rule.passed}
    if broken & _FORMAT_RULES:
        out.append("Sample rate and bitrate are set at build time: rebuild with `narrator build --acx`.")
    elif broken & _LEVEL_RULES:
        out.append("Levels and room tone are set at build time: rebuild with `narrator build --acx`.")
    return "\n".join(out)


def _constant(path: Path) -> bool:
    # LAME's Info header (not Xing) marks a CBR file; mutagen reports it as CBR or, for older tags, UNKNOWN.
    with open(path, "rb") as f:
        head = f.read(256 * 1024)
    return b"Xing" not in head


def _probe_rate(path: Path) -> int:
    try:
        return int(MP3(path).info.sample_rate)
    except Exception:
        return 44100


def _to_db(v: float) -> float:
    return 20 * np.log10(v) if v > 0 else float("-inf")


def _db(v: float) -> str:
    return "-inf dB (digital silence)" if not np.isfinite(v) else f"{v:.1f} dB"
