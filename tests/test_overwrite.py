"""Nothing the user already has is overwritten by a command that did not make it: another story's book, a cast file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrator.cli import app
from narrator.errors import NarratorError

from .conftest import needs_tools

runner = CliRunner()

# Two made-up stories that share a title (and so a folder name) but not a sentence.
FIRST = """The Visit

Chapter 1

Maren carried the lantern down to the boathouse while the tide was still going out.
"Hold it higher," said Jory, who was already untying the rope from the post.
The water slapped against the hull and the gulls complained about the hour.
"""
SECOND = """The Visit

Chapter 1

The train to the mountain village left twelve minutes late on a cold Tuesday morning.
"You brought the wrong map again," said Petra, unfolding it across both of their knees.
Outside, the orchards gave way to pine forest and then to grey scree below the pass.
"""


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["build", *args, "--engine", "silent", "--jobs", "1"], input=stdin)


def refusal(result) -> str:  # type: ignore[no-untyped-def]
    """The one line `narrator` prints for a refused command (a NarratorError: main() prints its message alone)."""
    assert result.exit_code != 0 and isinstance(result.exception, NarratorError), result.output
    message = str(result.exception)
    assert "\n" not in message
    return message


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@needs_tools
def test_build_refuses_a_folder_holding_another_storys_book(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FIRST)
    (tmp_path / "b.txt").write_text(SECOND)
    out = tmp_path / "books"
    assert run(str(tmp_path / "a.txt"), "-o", str(out)).exit_code == 0
    book = out / "the-visit"
    before = snapshot(book)
    assert any(name.endswith(".mp3") for name in before)
    second = run(str(tmp_path / "b.txt"), "-o", str(out))
    message = refusal(second)
    assert "another story" in message and "-o" in message
    assert snapshot(book) == before  # the first story's chapters are untouched


@needs_tools
def test_build_refuses_a_second_untitled_story_from_stdin(tmp_path: Path) -> None:
    body = lambda s: s.split("\n", 2)[2]  # noqa: E731 - the stories without their title line
    assert run("-", "-o", str(tmp_path), stdin=body(FIRST)).exit_code == 0
    (book,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    before = snapshot(book)
    second = run("-", "-o", str(tmp_path), stdin=body(SECOND))
    assert "another story" in refusal(second)
    assert snapshot(book) == before


@needs_tools
def test_build_refuses_a_second_short_untitled_story_from_stdin(tmp_path: Path) -> None:
    # Every piece of a very short story is under a sentence's 30 characters, so there was nothing to compare
    # and the second story's chapter replaced the first's. Rebuilding the first (edited) is still allowed.
    first = 'The shed was quiet. "Done," Wren whispered. "Done at last."\n\nThe kite flew.\n'
    assert run("-", "-o", str(tmp_path), stdin=first).exit_code == 0
    (book,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    before = snapshot(book)
    assert "another story" in refusal(run("-", "-o", str(tmp_path), stdin='"Hello," said Ann.\n'))
    assert snapshot(book) == before
    again = run("-", "-o", str(tmp_path), stdin=first.replace("The kite flew.", "The kite flew away."))
    assert again.exit_code == 0, again.output


@needs_tools
def test_build_still_rebuilds_a_short_story_whose_long_cues_are_headings(tmp_path: Path) -> None:
    # A tiny story's only cues of 10+ characters are its headings, said "Chapter 2. B." where the text has
    # "Chapter 2: B": compared as written, the edited story (a chapter renamed) counted as another story.
    story = tmp_path / "s.txt"
    story.write_text('Shrink\n\nChapter 1: A\n\n"One," said Ann.\n\nChapter 2: B\n\n"Two," said Ann.\n')
    assert run(str(story), "-o", str(tmp_path / "out")).exit_code == 0
    story.write_text(story.read_text().replace("Chapter 2: B", "Chapter 2: Bee"))
    again = run(str(story), "-o", str(tmp_path / "out"))
    assert again.exit_code == 0, again.output


@needs_tools
def test_build_still_rebuilds_the_same_story_after_an_edit(tmp_path: Path) -> None:
    story = tmp_path / "a.txt"
    story.write_text(FIRST)
    assert run(str(story), "-o", str(tmp_path / "books")).exit_code == 0
    story.write_text(FIRST.replace("still going out", "on the turn").replace("Hold it higher", "Higher, please"))
    again = run(str(story), "-o", str(tmp_path / "books"))
    assert again.exit_code == 0, again.output
    assert "1 encoded" in again.output


@needs_tools
def test_build_removes_its_own_chapters_the_story_no_longer_has(tmp_path: Path) -> None:
    # A chapter renamed or dropped left its old MP3 and captions beside the new ones: a player listing the folder
    # played "02 Chapter 2 - B", "02 Chapter 2 - Bee" and the stale "03". Files narrator did not sign stay.
    story = tmp_path / "s.txt"
    story.write_text('Shrink\n\nChapter 1: A\n\n"One," said Ann.\n\nChapter 2: B\n\n"Two," said Ann.\n\n'
                     'Chapter 3: C\n\n"Three," said Ann.\n')
    out = tmp_path / "out"
    assert run(str(story), "-o", str(out), "--srt").exit_code == 0
    book = out / "shrink"
    (book / "07 My own recording.mp3").write_bytes(b"\xff\xfb\x90\x00" + bytes(400))
    story.write_text('Shrink\n\nChapter 1: A\n\n"One," said Ann.\n\nChapter 2: Bee\n\n"Two," said Ann.\n')
    with pytest.warns(UserWarning, match=r"removed 2 chapter files .*: 02 Chapter 2 - B\.mp3, 03 Chapter 3 - C\.mp3"):
        again = run(str(story), "-o", str(out), "--srt")
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in book.iterdir() if p.is_file()) == [
        "01 Chapter 1 - A.mp3", "01 Chapter 1 - A.srt", "01 Chapter 1 - A.vtt", "02 Chapter 2 - Bee.mp3",
        "02 Chapter 2 - Bee.srt", "02 Chapter 2 - Bee.vtt", "07 My own recording.mp3", "shrink.m3u"]
    for vtt in book.glob("*.vtt"):  # without its captions the folder is not known to be this story's book:
        vtt.unlink()                 # the old chapter may be another story's of the same title, and stays
    story.write_text(story.read_text().replace("Chapter 2: Bee", "Chapter 2: Bees"))
    assert run(str(story), "-o", str(out)).exit_code == 0
    assert (book / "02 Chapter 2 - Bee.mp3").exists() and (book / "02 Chapter 2 - Bees.mp3").exists()


@needs_tools
def test_default_preview_is_not_in_the_book_folder_where_apps_list_tracks(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FIRST)
    out = tmp_path / "books"
    done = runner.invoke(app, ["preview", str(tmp_path / "a.txt"), "--engine", "silent", "--output-dir", str(out)])
    assert done.exit_code == 0, done.output
    book = out / "the-visit"
    assert not [p.name for p in book.iterdir() if p.is_file()]  # nothing an audiobook app could take for a chapter
    (wav,) = book.rglob("*.wav")
    assert wav.parent.name.startswith(".") and str(wav) in " ".join(done.output.split())
    assert runner.invoke(app, ["clean", "-o", str(out)]).exit_code == 0
    assert not wav.exists()  # a preview is throwaway audio: `narrator clean` removes it with the segment cache


def cli(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


CAST = """[narrator]
voice = "narrator"

[characters.Jory]
voice = "male3"
"""
LEXICON = '# how to say words\n[lexicon]\nJory = "Jorry"\n'


def test_script_refuses_to_overwrite_a_file_that_is_not_a_script(tmp_path: Path) -> None:
    story = tmp_path / "a.txt"
    story.write_text(FIRST)
    cast = tmp_path / "a.toml"
    cast.write_text(CAST)
    other = tmp_path / "b.txt"
    other.write_text(SECOND)
    for extra in ((), ("--format", "jsonl"), ("--source",)):
        message = refusal(cli("script", str(story), *extra, "-o", str(cast)))
        assert str(cast) in message and "-o" in message
    assert "not a script" in refusal(cli("script", str(story), "-o", str(other)))
    assert cast.read_text() == CAST and other.read_text() == SECOND


def test_script_replaces_its_own_output(tmp_path: Path) -> None:
    story = tmp_path / "a.txt"
    story.write_text(FIRST)
    dest = tmp_path / "a.script.txt"
    for extra in ((), (), ("--format", "jsonl"), ("--format", "jsonl"), ("--source",), ()):
        done = cli("script", str(story), *extra, "-o", str(dest))
        assert done.exit_code == 0, done.output
    assert "Maren" in dest.read_text()
    dest.write_text("")  # an empty file holds nothing to lose
    assert cli("script", str(story), "-o", str(dest)).exit_code == 0 and dest.read_text()


def test_cast_refuses_to_turn_a_lexicon_into_a_cast_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    story = tmp_path / "a.txt"
    story.write_text(FIRST)
    lexicon = tmp_path / "words.toml"
    lexicon.write_text(LEXICON)
    message = refusal(cli("cast", str(story), "--engine", "silent", "-o", str(lexicon)))
    assert "not a cast file" in message and str(lexicon) in message
    assert lexicon.read_text() == LEXICON
    # The shared lexicon, reached by the default path of a story titled "Lexicon".
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "lexicon.toml").write_text(LEXICON)
    story.write_text(FIRST.replace("The Visit", "Lexicon"))
    assert "not a cast file" in refusal(cli("cast", str(story), "--engine", "silent"))
    assert (tmp_path / "voices" / "lexicon.toml").read_text() == LEXICON


def test_cast_still_updates_a_cast_file(tmp_path: Path) -> None:
    story = tmp_path / "a.txt"
    story.write_text(FIRST)
    cast = tmp_path / "a.toml"
    cast.write_text(CAST)
    done = cli("cast", str(story), "--engine", "silent", "-o", str(cast))
    assert done.exit_code == 0, done.output
    assert cast.read_text().startswith(CAST.splitlines()[0]) and 'voice = "male3"' in cast.read_text()


@needs_tools
def test_preview_replaces_its_own_file_but_never_a_chapter_or_another_wav(tmp_path: Path) -> None:
    import wave

    (tmp_path / "a.txt").write_text(FIRST)
    out = tmp_path / "books"
    build = cli("build", str(tmp_path / "a.txt"), "--engine", "silent", "-o", str(out))
    assert build.exit_code == 0, build.output
    (chapter,) = (out / "the-visit").glob("*.mp3")
    before = chapter.read_bytes()
    recording = tmp_path / "mine.wav"
    with wave.open(str(recording), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\1\0" * 800)
    mine = recording.read_bytes()
    for target in (chapter, recording):
        refused = cli("preview", str(tmp_path / "a.txt"), "--chapter", "1", "--engine", "silent",
                      "--output-dir", str(out), "-o", str(target))
        assert "is not a preview narrator wrote" in refusal(refused)
    assert chapter.read_bytes() == before and recording.read_bytes() == mine
    for name in ("p.wav", "p.mp3"):  # a preview may replace the preview it wrote last time
        for _ in range(2):
            done = cli("preview", str(tmp_path / "a.txt"), "--chapter", "1", "--engine", "silent",
                       "--output-dir", str(out), "-o", str(tmp_path / name))
            assert done.exit_code == 0, done.output
    with wave.open(str(tmp_path / "p.wav")) as w:  # the signature chunk after the audio leaves a valid WAV
        assert w.getnframes() > 0 and w.getframerate() == 22050


def test_a_second_build_of_the_same_book_at_once_says_another_build_is_writing_it(tmp_path: Path) -> None:
    """walk10: two builds into one folder at once; the second stopped with 'audio ... changed in the cache during the
    build; run the build again', after sweeping the first one's temporary files. Now it stops before touching
    anything and says why. The first build is stood in for by holding its lock here."""
    import fcntl

    story = tmp_path / "visit.txt"
    story.write_text(FIRST, encoding="utf-8")
    assert run(str(story), "-o", str(tmp_path / "out")).exit_code == 0
    lock = tmp_path / "out" / "the-visit" / ".cache" / "build.lock"
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        second = run(str(story), "-o", str(tmp_path / "out"))
        assert second.exit_code != 0
        message = str(second.exception) if second.exception else second.output
        assert "another narrator build is writing" in message, message
    assert run(str(story), "-o", str(tmp_path / "out")).exit_code == 0  # released: the next build runs
