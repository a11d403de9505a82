"""A person edits the cast file by hand: every edit does what it says, every slip gets one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrator import cli
from narrator.cli import app
from narrator.errors import CastError
from narrator.pipeline import make_script

from .conftest import SAMPLE

runner = CliRunner()

HOUSE = """The Quiet House - Ada Vale

Chapter 1: Arrival

"Is anyone home?" Ada called.

"Only me," said Tom. "And the mice."

"Then open the door," Ada said.
"""

FERRY = """The Night Ferry - Hal Moss

Chapter 1: The River

"How much to cross?" asked Nell.

"Four pence," Osric said.

"Then take me over," said Nell.
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _cast_for(story: Path, dest: Path) -> Path:
    result = runner.invoke(app, ["cast", str(story), "-o", str(dest), "--engine", "silent"])
    assert result.exit_code == 0, result.output
    return dest


def test_cast_file_of_another_story_is_an_error_naming_both_titles(tmp_path: Path) -> None:
    # The Quiet House's cast given to The Night Ferry: its [story] title would have titled the ferry's book "The
    # Quiet House" (and put it in that book's folder), and its overrides would have moved ferry lines to Ada.
    house, ferry = _write(tmp_path / "house.txt", HOUSE), _write(tmp_path / "ferry.txt", FERRY)
    cast = _cast_for(house, tmp_path / "house.toml")
    with cast.open("a", encoding="utf-8") as f:
        f.write('\n[[overrides]]\nid = "1:3"\nspeaker = "Ada"\n')
    with pytest.raises(CastError) as err:
        make_script(ferry, cast)
    message = str(err.value)
    assert '"The Quiet House"' in message and '"The Night Ferry"' in message
    assert "Ada" in message and "Tom" in message and "--cast" in message


def _main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """The program as a person runs it: exit code and standard error."""
    monkeypatch.setattr("sys.argv", ["narrator", *args])
    with pytest.raises(SystemExit) as info:
        cli.main()
    return int(info.value.code or 0), capsys.readouterr().err


def test_cast_of_another_story_leaves_that_file_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    house, ferry = _write(tmp_path / "house.txt", HOUSE), _write(tmp_path / "ferry.txt", FERRY)
    cast = _cast_for(house, tmp_path / "house.toml")
    before = cast.read_bytes()
    for command in (["cast", str(ferry), "-o", str(cast)], ["script", str(ferry), "--cast", str(cast)]):
        code, err = _main(capsys, monkeypatch, *command, "--engine", "silent")
        assert code == 3, err
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err
    assert cast.read_bytes() == before  # `narrator cast` did not fold the ferry's characters into the house's file


def test_a_retitled_story_with_its_own_characters_is_not_another_story(tmp_path: Path) -> None:
    # [story] title is there to override the story's own title: with the story's characters, it is this story's.
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    cast.write_text(cast.read_text(encoding="utf-8").replace('title = "The Quiet House"', 'title = "A House, Quiet"'),
                    encoding="utf-8")
    assert make_script(house, cast).story.title == "A House, Quiet"


def _retitle_table(cast: Path, old: str, new: str) -> None:
    text = cast.read_text(encoding="utf-8")
    assert f"[characters.{old}]" in text
    cast.write_text(text.replace(f"[characters.{old}]", f'[characters."{new}"]'), encoding="utf-8")


def test_a_renamed_table_names_the_character_it_left_without_a_voice(tmp_path: Path) -> None:
    # Renaming [characters.Ada] to "Ada Marsh" gave Ada an automatic voice again, with a warning that "Ada Marsh" is
    # not in the story and no word of which character lost its settings, nor of how to rename one.
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    _retitle_table(cast, "Ada", "Ada Marsh")
    with pytest.warns(UserWarning) as caught:
        make_script(house, cast)
    said = " ".join(str(w.message) for w in caught)
    assert '"Ada Marsh"' in said and 'Did you mean "Ada"' in said and 'aliases = ["Ada"]' in said


def test_a_table_renamed_with_the_storys_name_as_alias_keeps_its_lines(tmp_path: Path) -> None:
    # What that warning tells a person to do works: the lines, and the table's voice, are the new name's.
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    _retitle_table(cast, "Ada", "Ada Marsh")
    cast.write_text(cast.read_text(encoding="utf-8").replace('[characters."Ada Marsh"]\n',
                                                             '[characters."Ada Marsh"]\naliases = ["Ada"]\n'),
                    encoding="utf-8")
    script = make_script(house, cast)
    assert {ln.speaker for ln in script.lines if ln.segment.kind == "dialogue"} == {"Ada Marsh", "Tom"}


def test_merging_by_alias_while_the_other_table_stays_says_to_delete_that_table(tmp_path: Path) -> None:
    # The natural first try at merging Tom into Ada: his name in her aliases. The error said only that the name
    # "already names" Tom; it now says what to do, with the line of the table to delete.
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    text = cast.read_text(encoding="utf-8")
    cast.write_text(text.replace("[characters.Ada]\n", '[characters.Ada]\naliases = ["Tom"]\n'), encoding="utf-8")
    tom_line = 1 + cast.read_text(encoding="utf-8").splitlines().index("[characters.Tom]")
    with pytest.raises(CastError) as err:
        make_script(house, cast)
    message = str(err.value)
    assert f'[characters."Tom"] (line {tom_line})' in message and "delete" in message
    text = cast.read_text(encoding="utf-8")
    start = text.index("[characters.Tom]")
    end = text.find("\n[", start + 1)
    cast.write_text(text[:start] + (text[end + 1:] if end != -1 else ""), encoding="utf-8")
    script = make_script(house, cast)  # done as it says, the merge works: every line is Ada's
    assert {ln.speaker for ln in script.lines if ln.segment.kind == "dialogue"} == {"Ada"}


def test_script_doubtful_says_how_to_fix_its_first_line_in_the_cast_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The list said which lines to doubt but not what to do about one: the fix (an [[overrides]] table with the
    # line's id, in the cast file this story uses) is now shown for the first line, on stderr so a pipe gets rows.
    story = _write(tmp_path / "sample.txt", SAMPLE.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    code, err = _main(capsys, monkeypatch, "script", str(story), "--doubtful")
    assert code == 0
    cast = Path("voices") / "the-lamplighters-apprentice.toml"
    assert "[[overrides]]" in err and "narrator cast" in err  # no cast file yet: say how to make one
    _cast_for(story, cast)
    monkeypatch.setattr("sys.argv", ["narrator", "script", str(story), "--doubtful"])
    with pytest.raises(SystemExit):
        cli.main()
    captured = capsys.readouterr()
    first = captured.out.split()[0]  # the most doubtful line's id, e.g. 2:10
    assert f'id = "{first}"' in captured.err and str(cast) in captured.err
    assert "[[overrides]]" not in captured.out


def test_cast_updates_a_linked_cast_file_through_its_link(tmp_path: Path) -> None:
    # A cast file kept elsewhere (a synced folder) and linked into voices/: `narrator cast` replaced the link with a
    # copy, so the user's link was gone and the file it pointed at never got the new characters.
    house = _write(tmp_path / "house.txt", HOUSE)
    real = tmp_path / "synced" / "house.toml"
    real.parent.mkdir()
    real.write_text('[narrator]\nvoice = "narrator"   # mine\n', encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "house-link.toml"
    link.symlink_to(real)
    _cast_for(house, link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "[characters.Ada]" in real.read_text(encoding="utf-8") and "# mine" in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o777 == 0o600  # its permissions are the user's too


def test_cast_with_nothing_new_leaves_the_file_untouched(tmp_path: Path) -> None:
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    before = cast.stat()
    _cast_for(house, cast)
    after = cast.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


WRAPPED = """The Quiet House - Ada Vale

Chapter 1: Arrival

"Is anyone home?" Ada called.

"Only me," said Tom. "And the mice. They don\u2019t
pay rent either."

"Then open the door," Ada said.
"""


@pytest.mark.parametrize("starts", [
    '"And the mice. They don\u2019t pay rent',  # copied from `narrator script`, its opening quote and all
    "And the mice. They don't pay",             # typed: a straight apostrophe for the story's curly one
    "And the mice.  They",                       # two spaces
])
def test_override_starts_matches_the_line_as_narrator_script_shows_it(tmp_path: Path, starts: str) -> None:
    # `starts` matched only the raw source: a line hard-wrapped in the file (as `narrator script` prints it, on one
    # line), or copied with its opening quote, or typed with a straight apostrophe, "matched no line".
    story = _write(tmp_path / "wrapped.txt", WRAPPED)
    cast = _cast_for(story, tmp_path / "wrapped.toml")
    with cast.open("a", encoding="utf-8") as f:
        f.write(f"\n[[overrides]]\nchapter = 1\nstarts = {json.dumps(starts)}\nspeaker = \"Ada\"\n")
    script = make_script(story, cast)
    hit = [ln for ln in script.lines if ln.evidence == "override"]
    assert len(hit) == 1 and hit[0].speaker == "Ada" and hit[0].segment.text.startswith('"And the mice.')


@pytest.mark.parametrize(("written", "meant"), [("Narrator", None), ("UNKNOWN", None), ("tom", "Tom")])
def test_override_speaker_in_another_case_is_the_speaker_it_names(tmp_path: Path, written: str, meant: str | None) -> None:
    # `speaker = "Narrator"` (as the cast table prints "(narrator)", capitalised as a name) was "not a character".
    house = _write(tmp_path / "house.txt", HOUSE)
    cast = _cast_for(house, tmp_path / "house.toml")
    with cast.open("a", encoding="utf-8") as f:
        f.write(f'\n[[overrides]]\nid = "1:0"\nspeaker = "{written}"\n')
    script = make_script(house, cast)
    hit = next(ln for ln in script.lines if ln.segment.id == "1:0")
    assert hit.evidence == "override" and hit.speaker == meant
    assert hit.segment.kind == ("narration" if written.lower() == "narrator" else "dialogue")
