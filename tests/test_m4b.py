"""M4B: one file for the book, a chapter per chapter (ffprobe), cover, audiobook tags, level like the MP3s."""

from __future__ import annotations

import json
import subprocess

import pytest
from mutagen.mp4 import MP4

from ._book import built, decode, ebur128, ffprobe_chapters, needs_tools


@needs_tools
def test_m4b_chapters_match_the_chapter_files() -> None:
    book = built()
    m4b = book.folder / f"{book.folder.name}.m4b"
    chapters = ffprobe_chapters(m4b)
    assert [c[2] for c in chapters] == ["Chapter 1: Bells", "Chapter 2: Oil"]
    first_len = decode(book.mp3s[0]).size / 22050
    assert chapters[1][0] == pytest.approx(first_len, abs=0.1)
    total = decode(m4b).size / 22050
    assert chapters[1][1] == pytest.approx(total, abs=0.1)


@needs_tools
def test_m4b_tags_cover_and_loudness() -> None:
    book = built()
    m4b = book.folder / f"{book.folder.name}.m4b"
    tags = MP4(m4b).tags
    assert tags is not None
    assert tags["©nam"] == ["The Bell Test"] and tags["©ART"] == ["Tess Ter"] and tags["stik"] == [2]
    assert tags["covr"] and bytes(tags["covr"][0]).startswith(b"\xff\xd8")
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(m4b)],
                                      capture_output=True, text=True, check=True).stdout)
    assert [s["codec_name"] for s in probe["streams"] if s["codec_type"] == "audio"] == ["aac"]
    i, tp = ebur128(m4b)
    assert abs(i + 18.0) <= 1.0 and tp <= -3.0


@needs_tools
def test_m4b_captions_follow_the_whole_book() -> None:
    """The book's VTT holds every chapter's cues; chapter 2's first cue sits after chapter 2's marker."""
    from ._book import vtt_cues

    book = built()
    m4b = book.folder / f"{book.folder.name}.m4b"
    cues = vtt_cues(m4b.with_suffix(".vtt"))
    per_chapter = [vtt_cues(p.with_suffix(".vtt")) for p in book.mp3s]
    assert len(cues) == sum(len(c) for c in per_chapter)
    start2 = ffprobe_chapters(m4b)[1][0]
    first2 = cues[len(per_chapter[0])]
    assert first2[3].startswith("Chapter 2")
    assert first2[0] == pytest.approx(start2 + per_chapter[1][0][0], abs=0.01)
    x = decode(m4b)
    from ._book import window_db

    # ffmpeg's MP4 edit list hides the AAC priming samples, so the same windows as for the MP3s apply.
    assert window_db(x, 22050, first2[0], first2[0] + 0.10) > -52
    assert window_db(x, 22050, first2[0] - 0.20, first2[0] - 0.06) < -55


@needs_tools
def test_m4b_only_json_points_every_chapter_into_the_book(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With --format m4b no chapter MP3 is written, so the summary must not name one: each chapter names the book."""
    from typer.testing import CliRunner

    from narrator.cli import app

    from ._book import write_story

    story, cast = write_story(tmp_path)
    res = CliRunner().invoke(app, ["build", str(story), "--cast", str(cast), "-o", str(tmp_path / "out"),
                                   "--format", "m4b", "--json", "-j", "2"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    m4b = summary["m4b"]
    assert [c["file"] for c in summary["chapters"]] == [m4b, m4b]
    assert not list((tmp_path / "out").rglob("*.mp3"))
    marks = ffprobe_chapters(tmp_path / m4b if not m4b.startswith("/") else m4b)
    assert [c["start"] for c in summary["chapters"]] == pytest.approx([m[0] for m in marks], abs=0.05)


@needs_tools
def test_m4b_long_unicode_chapter_title_is_cut_between_characters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from narrator.export import Delivery, Tags, write_m4b

    title = "Chapter 1: " + "夜の物語" * 21  # 263 bytes: more than the chapter list's 255
    dest = tmp_path / "book.m4b"
    write_m4b([(title, lambda: iter([np.zeros(22050, dtype=np.int16)]))], 22050, dest, Tags("B", "B", "A", 1, 1),
              "digest", Delivery(formats=("m4b",)))
    marks = MP4(dest).chapters
    assert marks is not None and len(list(marks)) == 1
    assert title.startswith(next(iter(marks)).title) and len(next(iter(marks)).title) > 80
