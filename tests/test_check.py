"""check: the ACX preset passes `narrator check` (decoded figures); a default build fails it with the reasons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3

from narrator.check import levels

from ._book import built, decode, needs_tools

ROOT = Path(__file__).resolve().parent.parent


def _check(path: Path) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    proc = subprocess.run([sys.executable, "-m", "narrator", "check", str(path), "--json"], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else []


@needs_tools
def test_check_acx_build_passes_every_rule() -> None:
    book = built(acx=True)
    code, reports = _check(book.folder)
    assert code == 0, reports
    assert len(reports) == 2 and all(r["passed"] for r in reports)
    for mp3 in book.mp3s:
        info = MP3(mp3).info
        assert info.sample_rate == 44100 and info.bitrate == 192000
        x = decode(mp3, 44100)
        lv = levels(x, 44100)
        assert 0.5 <= lv.head <= 1.0 and 1.0 <= lv.tail <= 5.0
        assert lv.peak <= -3.0 and -23.0 <= lv.rms <= -18.0
        assert -75 < lv.noise_floor <= -60.0  # room tone, not digital silence


@needs_tools
def test_check_default_build_fails_on_rate_and_bitrate() -> None:
    code, reports = _check(built().mp3s[0])
    assert code == 1
    failed = {r["rule"] for r in reports[0]["rules"] if not r["passed"]}
    assert failed == {"sample rate", "bitrate"}


def test_check_levels_on_synthetic_audio() -> None:
    rate = 8000
    x = np.concatenate([np.zeros(rate // 2), np.full(rate, 0.5) * np.sign(np.sin(np.arange(rate))), np.zeros(2 * rate)])
    lv = levels(x, rate)
    assert lv.head == 0.5 and lv.tail == 2.0
    assert abs(lv.peak - 20 * np.log10(0.5)) < 0.01
    assert lv.noise_floor == float("-inf")


def test_check_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "narrator", "check", str(tmp_path / "nope")], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_check_report_says_how_to_fix_a_default_build() -> None:
    # The README's walk goes `make demo` then `narrator check`: a default build fails rate and bitrate by design,
    # and the report must say what to do about it rather than leave "0 of 2 files pass" to puzzle over.
    from narrator.check import Report, Rule, format_report

    rules = (Rule("sample rate", False, "22050 Hz", "44100 Hz"), Rule("bitrate", False, "64 kbps CBR", ">= 192 kbps CBR"),
             Rule("peak", True, "-4.0 dB", "<= -3.0 dB"))
    text = format_report([Report(Path("a.mp3"), rules)])
    assert text.splitlines()[-1] == "Sample rate and bitrate are set at build time: rebuild with `narrator build --acx`."
    passing = format_report([Report(Path("a.mp3"), rules[2:])])
    assert "--acx" not in passing
    loud = format_report([Report(Path("a.mp3"), (Rule("peak", False, "-1.0 dB", "<= -3.0 dB"),))])
    assert "--acx" in loud.splitlines()[-1]  # levels too are the preset's job
