"""Assemble: pauses from structure and punctuation, in the documented order; the timeline matches the joined PCM."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from narrator.assemble import PACING, Timed, assemble, pause_between
from narrator.cache import ClipCache
from narrator.castfile import load_cast
from narrator.errors import CastError
from narrator.models import Clip, Cue, Line, Segment, Voice


def make_clip(text: str, *, scene: int = 1, paragraph: int = 0, role: str = "narrator", heading: bool = False,
              key: str = "k", samples: int = 0) -> Clip:
    seg = Segment(1, 0, scene, paragraph, 0, len(text), "narration", text, heading=heading)
    return Clip(Cue(Line(seg, None, "narration", 1.0), Voice("silent", role), text, role), key, samples, 22050)


def clip_at(text: str, start: int, samples: int, role: str = "narrator") -> Timed:
    return Timed(make_clip(text, role=role, samples=samples), start, start + samples)


def test_assemble_pause_order_comma_sentence_paragraph_speaker_scene_heading() -> None:
    p = PACING
    said = make_clip('"We can go,"', role="Mara")
    assert pause_between(said, make_clip("she said."), p) == p["comma"]
    assert pause_between(make_clip("He sat down. "), make_clip("x"), p) == p["sentence"]
    assert pause_between(make_clip("Wait —"), make_clip("x"), p) == p["comma"]
    assert pause_between(make_clip("A."), make_clip("B.", paragraph=1), p) == p["paragraph"]
    assert pause_between(make_clip("A."), make_clip('"B."', paragraph=1, role="Mara"), p) == p["speaker_change"]
    assert pause_between(make_clip("A."), make_clip("B.", scene=2, paragraph=1), p) == p["scene"]
    assert pause_between(make_clip("Chapter 1", heading=True, scene=0), make_clip("B."), p) == p["after_heading"]
    order = ["comma", "sentence", "paragraph", "speaker_change", "scene", "after_heading"]
    assert [p[k] for k in order] == sorted(p[k] for k in order)
    assert p["chapter_tail"] > p["scene"]


def test_assemble_timeline_matches_pcm_and_scenes(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    clips = []
    for i, (text, scene, para) in enumerate([("Chapter", 0, -1), ("One.", 1, 0), ("Two,", 1, 0), ("Three.", 2, 1)]):
        pcm = (np.ones(1000 + i * 100) * 3000).astype(np.int16)
        cache.put(f"key{i}", pcm.tobytes(), 22050, 0.01)
        clips.append(make_clip(text, scene=scene, paragraph=para, heading=i == 0, key=f"key{i}"))
    audio = assemble(clips, cache, 22050, {"chapter_head": 100, "chapter_tail": 200})
    for t in audio.timeline:
        assert np.all(audio.pcm[t.start : t.end] == 3000)
        assert audio.pcm[t.start - 1] == 0 and audio.pcm[t.end] == 0
    assert audio.timeline[0].start == 22050 * 100 // 1000
    assert audio.pcm.size - audio.timeline[-1].end == 22050 * 200 // 1000
    gaps = [b.start - a.end for a, b in zip(audio.timeline, audio.timeline[1:], strict=False)]
    assert gaps == [22050 * PACING[k] // 1000 for k in ("after_heading", "sentence", "scene")]
    assert audio.scene_starts == ((1, 0), (2, audio.timeline[3].start))


def test_assemble_cast_file_pacing_is_validated(tmp_path: Path) -> None:
    cast = tmp_path / "c.toml"
    cast.write_text("[pacing]\nscene = 2500\ncomma = 200\n", encoding="utf-8")
    assert load_cast(cast).pacing == {"scene": 2500, "comma": 200}
    cast.write_text("[pacing]\nsceen = 2500\n", encoding="utf-8")
    with pytest.raises(CastError, match="sceen"):
        load_cast(cast)
    cast.write_text("[pacing]\nscene = -5\n", encoding="utf-8")
    with pytest.raises(CastError, match="milliseconds"):
        load_cast(cast)


def test_assemble_clips_start_and_end_silent_so_joins_do_not_click() -> None:
    """Trimming cuts mid-waveform; the fades leave every clip's edges at (near) zero."""
    from narrator.synthesis import trim

    t = np.arange(22050) / 22050
    loud = (np.sin(2 * np.pi * 220 * t) * 20000).astype(np.int16)
    padded = np.concatenate([np.zeros(3000, np.int16), loud, np.zeros(3000, np.int16)])
    edges = trim(padded)
    assert edges.size > 20000
    assert abs(int(edges[0])) < 200 and abs(int(edges[-1])) < 200
    assert np.max(np.abs(np.diff(edges[:40].astype(int)))) < 2000, "the fade-in jumps"


def test_assemble_chunks_join_to_the_same_audio_whatever_their_size(tmp_path: Path) -> None:
    """The chapter is streamed from the cache in chunks: every size gives the same samples, each chunk but the last
    exactly that size (mastering relies on chunks starting on its block edges)."""
    cache = ClipCache(tmp_path)
    clips = []
    rng = np.random.default_rng(2)
    for i in range(6):
        cache.put(f"key{i}", rng.integers(-9000, 9000, 700 + 313 * i, dtype=np.int16).tobytes(), 22050, 0.01)
        clips.append(make_clip(f"Line {i}.", paragraph=i // 2, key=f"key{i}"))
    audio = assemble(clips, cache, 22050, {"chapter_head": 10, "chapter_tail": 20, "sentence": 3, "paragraph": 0})
    whole = np.concatenate(list(audio.chunks(audio.samples + 5)))
    assert whole.size == audio.samples
    for t in audio.timeline:
        assert np.array_equal(whole[t.start : t.end], np.frombuffer(cache.get(t.clip.key).pcm, dtype=np.int16))
    assert not whole[: audio.timeline[0].start].any() and not whole[audio.timeline[-1].end :].any()
    for size in (1, 35, 64, 1000, 2205):
        parts = list(audio.chunks(size))
        assert all(p.size == size for p in parts[:-1]) and 0 < parts[-1].size <= size
        assert np.array_equal(np.concatenate(parts), whole)


PACED = """The Two Rooms

Chapter 1

Wren opened the shutters and the room filled with grey light.

* * *

By noon the rain had stopped and the yard was loud with birds.

Chapter 2

Ada counted the jars on the shelf twice and wrote the number down.
"""


def test_a_pacing_change_re_encodes_only_the_chapters_that_pause_that_way(tmp_path: Path) -> None:
    """walk10: a new [pacing] scene pause re-encoded chapter 2 too, which has no scene break to pause at."""
    from typer.testing import CliRunner

    from narrator.cli import app

    story, cast = tmp_path / "rooms.txt", tmp_path / "rooms.toml"
    story.write_text(PACED, encoding="utf-8")
    cast.write_text("[pacing]\nscene = 1800\n", encoding="utf-8")
    runner = CliRunner()
    build = ["build", str(story), "-o", str(tmp_path / "out"), "--cast", str(cast), "--engine", "silent", "--jobs", "1"]
    assert runner.invoke(app, build).exit_code == 0
    cast.write_text("[pacing]\nscene = 2500\n", encoding="utf-8")
    again = runner.invoke(app, build)
    assert again.exit_code == 0, again.output
    assert "1 encoded, 1 up to date" in again.output, again.output
    assert re.search(r"wrote .*/01 ", again.output) and re.search(r"kept .*/02 ", again.output), again.output
