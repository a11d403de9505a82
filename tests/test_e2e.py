"""End to end on the real eSpeak NG and ffmpeg: the sample story becomes tagged, decodable chapter MP3s."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from narrator.chapters import split_chapters
from narrator.cli import app
from narrator.pipeline import make_script
from narrator.reader import read_story

from .conftest import SAMPLE, decode, needs_tools, rms_db

pytestmark = [needs_tools]


def test_e2e_one_decodable_mp3_per_chapter_with_plausible_duration(sample_build: Path) -> None:
    story = read_story(SAMPLE)
    chapters = split_chapters(story)
    files = sorted(sample_build.glob("*.mp3"))
    assert [f.name for f in files] == ["01 Chapter One - The Unlit Street.mp3", "02 Chapter 2 - Ash and Oil.mp3"]
    for chapter, f in zip(chapters, files, strict=True):
        x, rate = decode(f)
        minutes = len(x) / rate / 60
        words = sum(len(story.text[p.start : p.end].split()) for p in chapter.paragraphs)
        assert 100 <= words / minutes <= 250, f"{f.name}: {words} words in {minutes:.2f} min"
        assert rms_db(x) > -35  # real speech, not silence


def test_e2e_tags_read_back(sample_build: Path) -> None:
    files = sorted(sample_build.glob("*.mp3"))
    for n, f in enumerate(files, start=1):
        tags = ID3(f)
        assert tags.version[:2] == (2, 4)
        assert str(tags["TALB"]) == "The Lamplighter's Apprentice"
        assert str(tags["TPE1"]) == "Wren Halloway" and str(tags["TPE2"]) == "Wren Halloway"
        assert str(tags["TRCK"]) == f"{n}/{len(files)}"
        assert str(tags["TCON"]) == "Audiobook"
        assert "lamps of a city" in str(tags.getall("COMM")[0])
        assert MP3(f).info.sample_rate == 22050
    assert str(ID3(files[0])["TIT2"]) == "Chapter One: The Unlit Street"


def test_e2e_characters_have_distinct_voices_in_script_and_audio(tmp_path: Path) -> None:
    script = make_script(SAMPLE, find_cast=False)
    from narrator.casting import Engines, assign_voices, cast
    from narrator.synthesis import SAMPLE_RATE, _Task, _Worker

    casting = assign_voices(script.characters, script.lines, Engines("pyttsx3"), None)
    cues = cast(script.lines, casting, script.chapters)
    by_role: dict[str, list] = {}
    for cue in cues:
        by_role.setdefault(cue.role, []).append(cue)
    speakers = [r for r in by_role if r not in ("narrator", "unknown")]
    assert len(speakers) >= 3, f"expected at least three speaking characters, got {speakers}"
    voices = {casting.characters[s].id for s in speakers} | {casting.narrator.id}
    assert len(voices) == len(speakers) + 1, "narrator and each character need a voice of their own"
    # The same sentence in two characters' voices renders to different audio.
    worker = _Worker("pyttsx3", tmp_path)
    a, b = (casting.characters[s] for s in speakers[:2])
    worker.render(_Task("a" * 64, "The lamps are lit on Candle Row tonight.", a, "test"))
    worker.render(_Task("b" * 64, "The lamps are lit on Candle Row tonight.", b, "test"))
    pa, pb = (worker.cache.get(k).pcm for k in ("a" * 64, "b" * 64))
    assert pa != pb
    la, lb = len(pa) / 2 / SAMPLE_RATE, len(pb) / 2 / SAMPLE_RATE
    assert la > 1.0 and lb > 1.0


def test_e2e_unchanged_rebuild_renders_and_encodes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["build", str(SAMPLE), "-o", str(tmp_path), "--json", "--jobs", "2"]
    first = json.loads(runner.invoke(app, args).stdout.strip().splitlines()[-1])
    again = json.loads(runner.invoke(app, args).stdout.strip().splitlines()[-1])
    assert first["segments_rendered"] > 0 and again["segments_rendered"] == 0
    assert again["segments_reused"] == first["segments_rendered"] + first["segments_reused"]
    assert [c["file"] for c in again["chapters"]] == [c["file"] for c in first["chapters"]]
    assert abs(sum(c["seconds"] for c in again["chapters"]) - first["audio_seconds"]) < 1.0
    assert not list(tmp_path.rglob("*.part.mp3"))


def test_e2e_preview_renders_one_scene(tmp_path: Path) -> None:
    dest = tmp_path / "nested" / "p.mp3"
    # --output-dir: the preview's segment cache goes there, not into the repository's output/ folder.
    result = CliRunner().invoke(app, ["preview", str(SAMPLE), "--chapter", "1", "--scene", "2", "-o", str(dest),
                                      "--output-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    x, rate = decode(dest)
    seconds = len(x) / rate
    assert 20 < seconds < 120  # scene 2 only: far shorter than the chapter
    assert np.max(np.abs(x)) > 0.1
