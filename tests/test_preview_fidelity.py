"""What a preview plays is what the build will say: the same voices, the same pauses, the same level."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator import cli
from narrator.errors import InputError
from narrator.mastering import DEFAULT_LOUDNESS, DEFAULT_TRUE_PEAK
from narrator.pipeline import build, make_script, preview

from ._book import ebur128
from .conftest import SAMPLE, needs_tools

STORY = """The Quiet House - Ada Vale

Chapter 1: Arrival

"Is anyone home?" Ada called.

"Only me," said Tom.

"Then open the door," Ada said.

"It was never locked," said Tom.
"""


def _story(tmp_path: Path) -> Path:
    path = tmp_path / "quiet.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


def test_preview_uses_the_cast_files_pacing(tmp_path: Path) -> None:
    # A [pacing] change is heard in the preview before anyone builds: the preview used the built-in pauses,
    # so a user who lengthened speaker_change heard nothing new until the whole book was built.
    story = _story(tmp_path)
    plain, slow = tmp_path / "plain.toml", tmp_path / "slow.toml"
    plain.write_text("[narrator]\nvoice = \"narrator\"\n", encoding="utf-8")
    slow.write_text("[narrator]\nvoice = \"narrator\"\n\n[pacing]\nspeaker_change = 4800\n", encoding="utf-8")
    out = tmp_path / "out"
    _, before = preview(story, 1, 1, cast_path=plain, engine="silent", output=out)
    _, after = preview(story, 1, 1, cast_path=slow, engine="silent", output=out)
    # Three changes of speaker between paragraphs, each 4 s longer.
    assert after - before == pytest.approx(3 * 4.0, abs=0.05)


def test_preview_of_a_whole_chapter_lasts_as_long_as_the_built_chapter(tmp_path: Path) -> None:
    # Same lines, same pauses: only the head and tail room tone (the build's, trimmed for a preview) differ.
    story = _story(tmp_path)
    cast = tmp_path / "cast.toml"
    cast.write_text("[pacing]\nspeaker_change = 2000\nsentence = 900\nchapter_head = 750\nchapter_tail = 3000\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    last = max(ln.segment.index for ln in make_script(story, cast).lines)
    _, previewed = preview(story, 1, lines=(0, last), cast_path=cast, engine="silent", output=out)  # heading too
    built = build(story, out, cast_path=cast, engine="silent").chapters[0].seconds
    assert built - previewed == pytest.approx((750 + 3000 - 200 - 500) / 1000, abs=0.1)


@needs_tools
def test_preview_mp3_is_measured_after_encoding_like_a_chapter(tmp_path: Path) -> None:
    # A chapter MP3 is decoded and measured after encoding, and aimed up by what LAME takes off (-0.45 dB at
    # 64 kbps); the preview MP3 was not, and came out at -18.4 LUFS for a -18 target on the sample story's scene.
    out = tmp_path / "out"
    mp3, wav = tmp_path / "scene.mp3", tmp_path / "scene.wav"
    preview(SAMPLE, 1, 2, engine="pyttsx3", out_file=mp3, output=out)
    preview(SAMPLE, 1, 2, engine="pyttsx3", out_file=wav, output=out)
    lufs, peak = ebur128(mp3)
    assert abs(lufs - DEFAULT_LOUDNESS) <= 0.25, lufs
    assert abs(lufs - ebur128(wav)[0]) <= 0.25  # the MP3 sounds as loud as the WAV preview of the same scene
    assert peak <= DEFAULT_TRUE_PEAK
    assert not mp3.with_suffix(".vtt").exists()  # a preview is one file: no captions written beside it


TWO_CHAPTERS = STORY + """
Chapter 2: Morning

"Breakfast," said Tom.

"Already?" Ada asked.

"The mice ate yours," said Tom.
"""


def _rendered(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.pcm"))


def test_preview_speaker_renders_only_that_characters_lines_across_the_book(tmp_path: Path) -> None:
    # After changing one character's voice a person wants to hear that character: --speaker Tom plays his lines
    # from every chapter (a name or alias, any case), and renders nobody else's.
    story = tmp_path / "two.txt"
    story.write_text(TWO_CHAPTERS, encoding="utf-8")
    out = tmp_path / "out"
    tom = [ln for ln in make_script(story).lines if ln.speaker == "Tom"]
    assert {ln.segment.chapter for ln in tom} == {1, 2}
    dest, seconds = preview(story, None, speaker="tom", engine="silent", output=out)
    assert dest.is_file() and seconds > 0
    assert _rendered(out) == len({ln.segment.text for ln in tom})


def test_preview_speaker_in_one_chapter_and_unknown_names(tmp_path: Path) -> None:
    story = tmp_path / "two.txt"
    story.write_text(TWO_CHAPTERS, encoding="utf-8")
    out = tmp_path / "out"
    preview(story, 2, speaker="Ada", engine="silent", output=out)
    assert _rendered(out) == 1  # "Already?": Ada's one line in chapter 2
    with pytest.raises(InputError, match=r"'Bob' is not a speaker of this story: .*Ada, Tom"):
        preview(story, None, speaker="Bob", engine="silent", output=out)
    with pytest.raises(InputError, match="Ada has no line in chapter 2 lines 0-1"):  # the heading and Tom's line
        preview(story, 2, lines=(0, 1), speaker="Ada", engine="silent", output=out)


def test_cli_preview_speaker_is_one_line_and_exit_2_for_a_name_the_story_lacks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    story = tmp_path / "two.txt"
    story.write_text(TWO_CHAPTERS, encoding="utf-8")
    base = ["narrator", "preview", str(story), "--engine", "silent", "--output-dir", str(tmp_path / "out")]
    for extra, code in ((["--speaker", "Tom"], 0), (["--speaker", "Bob"], 2), (["--speaker", "unknown"], 2)):
        monkeypatch.setattr("sys.argv", [*base, *extra])
        with pytest.raises(SystemExit) as info:
            cli.main()
        err = capsys.readouterr().err
        assert int(info.value.code or 0) == code, err
        if code:
            assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert "the unknown speaker has no line in the story" in err


def test_preview_of_scene_one_opens_with_the_chapter_heading_as_the_book_does(tmp_path: Path) -> None:
    # In the chapter MP3 the heading opens the first scene (its marker starts at 0): the preview of scene 1 left the
    # heading out, so how a chapter title is read (and the pause after it) was never heard before building.
    story = _story(tmp_path)
    out = tmp_path / "out"
    script = make_script(story)
    assert any(ln.segment.heading for ln in script.lines)
    last = max(ln.segment.index for ln in script.lines if ln.segment.scene == 1)
    _, scene = preview(story, 1, 1, engine="silent", output=out)
    _, from_heading = preview(story, 1, lines=(0, last), engine="silent", output=out)
    assert scene == pytest.approx(from_heading, abs=0.01)
