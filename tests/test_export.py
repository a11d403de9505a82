"""Export: scene CHAP/CTOC frames read back by ffprobe, transcript, tags, playlist, digest-driven rebuilds, options."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import ID3

from narrator.errors import InputError
from narrator.export import delivery

from ._book import built, ffprobe_chapters, needs_tools, vtt_cues


@needs_tools
def test_export_one_chap_frame_per_scene_in_order_at_scene_starts() -> None:
    book = built()
    first, second = book.mp3s
    chapters = ffprobe_chapters(first)
    assert [c[2] for c in chapters] == ["Scene 1", "Scene 2"]
    cues = vtt_cues(first.with_suffix(".vtt"))
    scene2 = next(c for c in cues if c[3].startswith("Morning"))
    assert chapters[0][0] == pytest.approx(0.0, abs=0.06)
    assert chapters[1][0] == pytest.approx(scene2[0], abs=0.06)  # ffmpeg may shift by the encoder delay
    assert chapters[0][1] == pytest.approx(chapters[1][0], abs=0.001)
    tags = ID3(first)
    assert tags.getall("CTOC")[0].child_element_ids == sorted(tags.getall("CTOC")[0].child_element_ids)
    assert [c[2] for c in ffprobe_chapters(second)] == ["Chapter 2: Oil"]  # one scene: one marker, the chapter


@needs_tools
def test_export_transcript_in_uslt_and_book_tags() -> None:
    tags = ID3(built().mp3s[1])
    text = tags.getall("USLT")[0].text
    assert text.splitlines()[0] == "Chapter 2. Oil."  # the heading as the narrator announces it
    assert '"Light the last one," she said. "Then we go home."' in text
    assert str(tags["TRCK"]) == "2/2" and str(tags["TALB"]) == "The Bell Test" and str(tags["TPE1"]) == "Tess Ter"
    assert tags.getall("APIC")[0].mime == "image/jpeg"


@needs_tools
def test_export_playlist_lists_chapters_in_order() -> None:
    book = built()
    m3u = (book.folder / f"{book.folder.name}.m3u").read_text(encoding="utf-8").splitlines()
    assert m3u[0] == "#EXTM3U"
    assert [ln for ln in m3u if not ln.startswith("#")] == [p.name for p in book.mp3s]
    assert all((book.folder / ln).is_file() for ln in m3u if not ln.startswith("#"))


@needs_tools
def test_export_rebuild_keeps_files_until_loudness_changes(tmp_path: Path) -> None:
    from narrator.pipeline import build

    from ._book import write_story

    story, cast = write_story(tmp_path)
    out = tmp_path / "out"
    first = build(story, out, cast, "pyttsx3", 2, delivery=delivery("mp3"))
    again = build(story, out, cast, "pyttsx3", 2, delivery=delivery("mp3"))
    assert not any(c.encoded for c in again.chapters)
    louder = build(story, out, cast, "pyttsx3", 2, delivery=delivery("mp3", loudness=-16))
    assert all(c.encoded for c in louder.chapters)
    srt = build(story, out, cast, "pyttsx3", 2, delivery=delivery("mp3", loudness=-16, srt=True))
    assert not any(c.encoded for c in srt.chapters)
    assert all(c.file.with_suffix(".srt").is_file() for c in srt.chapters), "captions added without re-encoding"
    assert not list(first.chapters[0].file.parent.glob(".*part*")), "temporary files left behind"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"formats": "ogg"}, "unknown format"),
    ({"formats": ""}, "unknown format"),
    ({"loudness": -5.0}, "out of range"),
    ({"true_peak": 2.0}, "out of range"),
    ({"acx": True, "true_peak": -1.0}, "-3 dB"),
    ({"formats": "m4b", "acx": True}, "--acx"),
])
def test_export_delivery_options_rejected_with_one_clear_message(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        delivery(**kwargs)  # type: ignore[arg-type]


def test_export_delivery_defaults() -> None:
    d = delivery("MP3, m4b")
    assert d.formats == ("mp3", "m4b") and d.mastering.loudness == -18.0 and d.mastering.true_peak == -3.0
    acx = delivery("mp3", acx=True)
    assert acx.mp3_bitrate == "192k" and acx.out_rate == 44100 and -23 <= (acx.mastering.rms or 0) <= -18


@needs_tools
def test_export_cli_bad_format_is_one_line_and_nonzero(tmp_path: Path) -> None:
    import subprocess
    import sys

    from ._book import write_story

    root = Path(__file__).resolve().parent.parent
    story, _ = write_story(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "narrator", "build", str(story), "-o", str(tmp_path / "o"),
                           "--format", "mp3,ogg"], capture_output=True, text=True, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown format ogg" in proc.stderr
    assert not (tmp_path / "o").exists(), "nothing is written for a rejected option"


def test_export_every_mastering_choice_changes_the_build_digest() -> None:
    """Loudness, ceiling, room tone and the ACX preset all change the bytes, so each must re-encode."""
    variants = [delivery("mp3"), delivery("mp3", loudness=-20), delivery("mp3", true_peak=-4),
                delivery("mp3", room_tone=False), delivery("mp3", acx=True)]
    prints = [str(d.fingerprint()) for d in variants]
    assert len(set(prints)) == len(prints)
    assert delivery("mp3", room_tone=False).mastering.room_tone is None
    assert str(delivery("mp3", srt=True).fingerprint()) == prints[0], "captions do not change the MP3"


def test_export_a_chapter_of_more_than_255_scenes_keeps_every_scene_marker(tmp_path: Path) -> None:
    # ID3's table of contents counts its entries in one byte: a chapter of 300 scenes failed the whole build
    # ("could not encode ...: bytes must be in range(0, 256)").
    from mutagen.id3 import CHAP, CTOC, CTOCFlags

    from narrator.export import _add_chapters

    marks = [(f"Scene {n}", n * 1000, n * 1000 + 900) for n in range(300)]
    tags = ID3()
    _add_chapters(tags, marks)
    tags.save(tmp_path / "tags.id3", v2_version=4)
    saved = ID3(tmp_path / "tags.id3")
    tocs = {f.element_id: f for f in saved.getall("CTOC")}
    chaps = {f.element_id: f for f in saved.getall("CHAP")}

    def walk(element_id: str) -> list[str]:  # the scene titles a player reaches from the top table, in order
        if element_id in chaps:
            return [str(chaps[element_id].sub_frames["TIT2"])]
        return [t for child in tocs[element_id].child_element_ids for t in walk(child)]

    top = [f for f in tocs.values() if f.flags & CTOCFlags.TOP_LEVEL]
    assert len(top) == 1 and all(len(f.child_element_ids) <= 255 for f in tocs.values())
    assert walk(top[0].element_id) == [title for title, _, _ in marks]
    assert isinstance(next(iter(chaps.values())), CHAP) and isinstance(top[0], CTOC)
