"""The Makefile's developer targets leave the user's audiobooks alone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_clean_removes_tool_caches_but_keeps_finished_books(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    book = tmp_path / "output" / "my-story"
    (book / ".cache" / "ab").mkdir(parents=True)
    chapter = book / "01 Chapter One.mp3"
    chapter.write_bytes(b"ID3 a finished chapter")
    (book / ".cache" / "ab" / "abcd.pcm").write_bytes(b"segment")
    made = [tmp_path / ".pytest_cache" / "v", tmp_path / ".ruff_cache" / "x", tmp_path / "narrator" / "__pycache__" / "m.pyc"]
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"tool output")
    # VENV points at a folder that is not there: clean must not need (or build) a virtual environment.
    done = subprocess.run(["make", "-s", "clean", "VENV=none"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert chapter.read_bytes() == b"ID3 a finished chapter"
    assert (book / ".cache" / "ab" / "abcd.pcm").exists()  # the user's segment cache: `narrator clean` is for that
    assert not any(path.exists() for path in made)
