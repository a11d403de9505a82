"""Shared fixtures: the sample story, a real build of it (once per session), and audio measurement."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# One BLAS thread, set before numpy loads: the suite's matrices are small, and a threaded OpenBLAS on a
# shared two-core machine spins instead of working (the scorer-fit tests took 10x longer with threads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest
from pydub import AudioSegment

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "stories" / "the-lamplighters-apprentice.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "pdnc"

needs_tools = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("espeak-ng")),
    reason="the end-to-end tests need ffmpeg and espeak-ng (make test installs them)",
)


@pytest.fixture(autouse=True, scope="session")
def _in_an_empty_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs in an empty current folder, not the repository: commands read voices/<slug>.toml and
    write output/ relative to it, so after the README's own first steps (`narrator cast` on the sample story)
    five tests failed on the cast file that wrote, and tests filled the user's output/ cache."""
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(here)


def decode(path: Path) -> tuple[np.ndarray, int]:
    """Decode an audio file with ffmpeg (through pydub) into float samples in -1..1 and its rate."""
    seg = AudioSegment.from_file(path).set_channels(1)
    x = np.array(seg.get_array_of_samples(), dtype=np.float64) / (1 << (8 * seg.sample_width - 1))
    return x, seg.frame_rate


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x**2)) + 1e-12))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample story built once with the real engine and ffmpeg; returns the book folder."""
    if not (shutil.which("ffmpeg") and shutil.which("espeak-ng")):
        pytest.skip("needs ffmpeg and espeak-ng")
    from narrator.pipeline import build

    out = tmp_path_factory.mktemp("build")
    result = build(SAMPLE, out, cast_path=None, engine="pyttsx3", jobs=2)
    assert result.chapters
    return result.chapters[0].file.parent
