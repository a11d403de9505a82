"""The cast file: a round trip keeps every hand edit, and every mistake is one clear error."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import tomlkit
from typer.testing import CliRunner

from narrator.castfile import cover_path, load_cast
from narrator.cli import app
from narrator.errors import CastError, NarratorError

from .conftest import needs_tools
from .support_editloop import STORY, use_fixture_attribution

runner = CliRunner()


def _cast(path: Path) -> None:
    result = runner.invoke(app, ["cast", str(STORY), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 0, result.output


def test_castfile_cast_writes_every_character_with_a_voice(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "cast.toml"
    _cast(path)
    data = tomllib.loads(path.read_text())
    assert set(data["characters"]) == {"Mira", "Tobin", "Pip"}
    voices = [data["narrator"]["voice"], data["unknown"]["voice"], *(t["voice"] for t in data["characters"].values())]
    assert len(set(voices)) == len(voices)
    assert data["characters"]["Mira"]["gender"] == "female"
    assert load_cast(path).characters["Tobin"].setting.voice == data["characters"]["Tobin"]["voice"]


def test_castfile_cast_leaves_out_characters_who_never_speak(tmp_path):
    # Wenna is named (and found) but given no line: no voice to choose, so no entry; the user is told. Once
    # the user adds her to the file, a rerun keeps her.
    story = tmp_path / "story.txt"
    story.write_text('The Test - A. Writer\n\nChapter 1\n\nMara and Tobin waited for Wenna at the gate. Wenna had '
                     'promised to come.\n\n"She is late," said Tobin.\n\n"She is always late," said Mara. "Wenna keeps '
                     'her own clock."\n\nWenna never came.\n', encoding="utf-8")
    path = tmp_path / "cast.toml"
    result = runner.invoke(app, ["cast", str(story), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 0, result.output
    assert set(tomllib.loads(path.read_text())["characters"]) == {"Mara", "Tobin"}
    assert "not cast, no lines: Wenna" in result.output
    path.write_text(path.read_text() + '\n[characters."Wenna"]\nvoice = "female3"\n')
    result = runner.invoke(app, ["cast", str(story), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 0, result.output
    assert "Wenna" in tomllib.loads(path.read_text())["characters"] and "not cast" not in result.output


def test_castfile_round_trip_keeps_hand_edits_and_comments(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch, {"Mira": "female", "Tobin": "male"})
    path = tmp_path / "cast.toml"
    _cast(path)
    text = path.read_text()
    mira = tomllib.loads(text)["characters"]["Mira"]["voice"]
    tobin = tomllib.loads(text)["characters"]["Tobin"]["voice"]
    edited = text.replace(f'voice = "{mira}"', 'voice = "female5"  # my pick: warmer than the default', 1)
    edited = edited.replace("[narrator]", "# I like a slower narrator\n[narrator]", 1).replace("rate = 170", "rate = 150", 1)
    edited += ('\n[[overrides]]\n# the stranger is a new character\nid = "2:2"\nspeaker = "Stranger"\n'
               '\n[characters."Stranger"]\ngender = "male"\nrate = 140\n')
    edited = edited.replace("[lexicon]", '[lexicon]\n"Tobin" = "Toe bin"', 1)
    path.write_text(edited)
    # The story gains a character the person has not seen; cast runs again.
    use_fixture_attribution(monkeypatch, {"Mira": "female", "Tobin": "male", "Pip": "unknown"})
    _cast(path)
    after = path.read_text()
    assert after.startswith(edited.rstrip("\n").split("[lexicon]")[0].rstrip("\n")[:200])
    for kept in ('voice = "female5"  # my pick: warmer than the default', "# I like a slower narrator", "rate = 150",
                 "# the stranger is a new character", 'id = "2:2"', '"Tobin" = "Toe bin"', "rate = 140"):
        assert kept in after
    data = tomllib.loads(after)
    assert data["characters"]["Tobin"]["voice"] == tobin
    assert set(data["characters"]) == {"Mira", "Tobin", "Stranger", "Pip"}
    assert after.count("[characters.Mira]") + after.count('[characters."Mira"]') == 1
    assert load_cast(path).characters["Pip"].setting.voice not in {"female5", tobin}


def test_castfile_cast_does_not_re_add_a_merged_alias(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "cast.toml"
    _cast(path)
    # The person decides Pip is Mira's nickname: deletes Pip's table and lists it as an alias.
    doc = tomlkit.parse(path.read_text())
    del doc["characters"]["Pip"]
    doc["characters"]["Mira"]["aliases"] = ["Pip"]
    path.write_text(tomlkit.dumps(doc))
    _cast(path)
    assert "[characters.Pip]" not in path.read_text()
    script = runner.invoke(app, ["script", str(STORY), "--cast", str(path), "--engine", "silent"])
    assert script.exit_code == 0, script.output
    assert "Late is late" in next(r for r in script.output.splitlines() if "Late is late" in r and "Mira" in r)


BASE = """
[narrator]
voice = "narrator"

[characters."Mira"]
voice = "female1"
aliases = ["Mi"]
gender = "female"
"""

ERRORS = [
    ("colour = 3\n", "unknown key 'colour' in top-level table; valid keys: characters, lexicon, narrator"),
    ('[unknown]\nvoyce = "x"\n', "unknown key 'voyce' in [unknown]; valid keys: engine, length_scale"),
    ('[story]\ntitle = 3\n', "[story] title must be text"),
    ('[story]\nsubtitle = "x"\n', "unknown key 'subtitle' in [story]; valid keys: author, cover, description, title"),
    ('[characters."Tobin"]\nvoice = "male1"\nhair = "grey"\n', "unknown key 'hair' in [characters.\"Tobin\"]"),
    ('[characters."Tobin"]\nrate = 900\n', "rate must be a whole number from 80 to 450, not 900"),
    ('[characters."Tobin"]\npitch = "high"\n', "pitch must be a whole number from 0 to 100"),
    # eSpeak takes whole numbers: a fraction failed at render time as an engine error on a story line.
    ('[characters."Tobin"]\nrate = 165.5\n', "rate must be a whole number from 80 to 450, not 165.5"),
    ('[characters."Tobin"]\npitch = 45.5\n', "pitch must be a whole number from 0 to 100, not 45.5"),
    ('[characters."Tobin"]\nvolume = true\n', "volume must be a number from 0 to 2, not True"),
    ('[characters."Tobin"]\ngender = "robot"\n', "gender must be one of female, male, unknown, not 'robot'"),
    ('[characters."Tobin"]\naliases = "Tob"\n', "aliases must be a list of names"),
    ('[characters."Tobin"]\naliases = ["Mi"]\n', "alias 'Mi' of \"Tobin\" already names \"Mira\""),
    ('[characters."Tobin"]\nengine = "festival"\n', "unknown engine 'festival'; valid engines: "),
    ('[[overrides]]\nchapter = 1\nstarts = "Late"\n', "[[overrides]] #1 needs speaker"),
    ('[[overrides]]\nspeaker = "Mira"\n', "[[overrides]] #1 needs the line"),
    ('[[overrides]]\nid = "seven"\nspeaker = "Mira"\n', 'id must be a line id like "2:14"'),
    ('[[overrides]]\nchapter = 0\nstarts = "Late"\nspeaker = "Mira"\n', "chapter must be a chapter number"),
    ('[[overrides]]\nchapter = 1\nbegins = "Late"\nspeaker = "Mira"\n', "unknown key 'begins' in [[overrides]] #1"),
    ('[lexicon]\nMira = 3\n', "[lexicon] 'Mira' must be text"),
    ('[pacing]\nbreath = 100\n', "unknown key 'breath' in [pacing]; valid keys: "),
    ('[pacing]\nscene = -5\n', "[pacing] scene is a pause in milliseconds"),
    ("[narrator\n", "not valid TOML"),
    # tomllib says "Cannot declare ('characters', 'Tobin') twice"; say it as it is written in the file.
    ('[characters.Tobin]\nrate = 150\n[characters."Tobin"]\nrate = 160\n',
     '[characters."Tobin"] is written twice (first at line 9); merge the two tables into one'),
    ('[characters."Tobin"]\nrate = 150\nrate = 160\n', "rate is set twice in the same table; keep one of them"),
]


@pytest.mark.parametrize(("extra", "message"), ERRORS, ids=[m[:30] for _, m in ERRORS])
def test_castfile_rejects_each_mistake_naming_file_and_key(tmp_path, extra, message):
    path = tmp_path / "bad.toml"
    path.write_text(BASE + extra if not extra.startswith("colour") else extra + BASE)
    with pytest.raises(CastError) as info:
        load_cast(path)
    text = str(info.value)
    assert text.startswith(f"{path}:"), text
    assert message in text, text


def test_castfile_error_points_at_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BASE + '\n[characters."Tobin"]\nvoice = "male1"\nrate = 900\n')
    with pytest.raises(CastError, match=rf"^{path}:12: "):
        load_cast(path)


def test_castfile_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(CastError, match="narrator cast STORY"):
        load_cast(tmp_path / "nope.toml")


class _Run:
    """What `narrator` would print and exit with (cli.main turns a NarratorError into both)."""

    def __init__(self, args: list[str]) -> None:
        result = runner.invoke(app, args)
        exc = result.exception
        if isinstance(exc, NarratorError):
            self.exit_code, self.output = exc.exit_code, f"{result.output}error: {exc}"
        else:
            assert exc is None or isinstance(exc, SystemExit), result.exc_info
            self.exit_code, self.output = result.exit_code, result.output


def _script(path: Path, cast_text: str) -> _Run:
    path.write_text(cast_text)
    return _Run(["script", str(STORY), "--cast", str(path), "--engine", "silent"])


def test_castfile_override_for_unknown_character_lists_the_valid_ones(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    result = _script(tmp_path / "c.toml", '[[overrides]]\nid = "2:2"\nspeaker = "Stranger"\n')
    assert result.exit_code == 3
    assert "speaker 'Stranger' is not a character; valid speakers: Mira, Pip, Tobin, narrator, unknown" in result.output


def test_castfile_override_that_matches_no_line_is_an_error(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    result = _script(tmp_path / "c.toml", '[[overrides]]\nchapter = 2\nstarts = "I want to sell"\nspeaker = "Mira"\n')
    assert result.exit_code == 3
    assert "chapter 2 starts 'I want to sell' matches no line" in result.output
    assert f"{tmp_path / 'c.toml'}:1:" in result.output


def test_castfile_override_that_matches_several_lines_asks_for_more(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    result = _script(tmp_path / "c.toml", '[[overrides]]\nstarts = "The"\nspeaker = "narrator"\n')
    assert result.exit_code == 3
    assert "matches 3 lines (1:4, 1:7, 2:1)" in " ".join(result.output.split())


def test_castfile_unknown_voice_id_suggests_close_ones(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    path.write_text('[characters."Mira"]\nvoice = "femal2"\n')
    result = _Run(["cast", str(STORY), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 3
    text = " ".join(result.output.split())
    assert f"{path}:2: [characters.\"Mira\"] voice 'femal2' is not a silent voice. Did you mean female2" in text
    assert "narrator voices --engine silent" in text


@needs_tools
def test_castfile_voice_of_another_engine_says_which_and_how_to_keep_it(tmp_path, monkeypatch):
    # `narrator cast` writes voices without an engine: a cast made with one engine stopped a build with another
    # (`narrator cast story.txt`, then `narrator build story.txt --engine piper`) at "'gmw/en-GB-x-rp' is not a
    # piper voice", with no word that it is an eSpeak voice or of the one-line fix.
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    assert _Run(["cast", str(STORY), "-o", str(path), "--engine", "silent"]).exit_code == 0
    result = _Run(["preview", str(STORY), "--chapter", "1", "--cast", str(path), "--engine", "pyttsx3",
                   "-o", str(tmp_path / "p.wav")])
    assert result.exit_code == 3
    text = " ".join(result.output.split())
    assert "is a silent voice, not a pyttsx3 voice" in text and 'add engine = "silent" to the table' in text
    assert text.startswith(f"error: {path}:") and not (tmp_path / "p.wav").exists()


@pytest.mark.parametrize("table", ["narrator", "unknown", 'characters."Mira"'])
def test_castfile_unknown_voice_points_at_the_voice_line_not_the_header(tmp_path, monkeypatch, table):
    # Issue 8 asks for file, line and key: the line is the `voice =` line, which here sits below
    # other keys and a comment, and a later table's `voice =` must not be taken for it.
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    path.write_text(f'[{table}]\nrate = 150\n# my own pick\n\nvoice = "femal2"\n\n[characters."Tobin"]\nvoice = "male1"\n')
    result = _Run(["build", str(STORY), "--cast", str(path), "--engine", "silent", "-o", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert f"{path}:5: [{table}] voice 'femal2' is not a silent voice" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.mp3"))


@pytest.mark.parametrize("encode", [
    lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),  # Notepad's "UTF-8 with BOM"
    lambda t: t.encode("utf-16"),                   # Notepad's "Unicode"
], ids=["utf-8-bom", "utf-16"])
def test_castfile_byte_order_marks_are_read(tmp_path, encode):
    path = tmp_path / "c.toml"
    path.write_bytes(encode('[characters."Zoë"]\nvoice = "female1"\nrate = 150\n'))
    assert load_cast(path).characters["Zoë"].setting.rate == 150


def test_castfile_not_utf8_names_the_line_and_cast_keeps_the_file(tmp_path, monkeypatch):
    # Read with errors="replace", "Zoë" became "Zo\ufffd" silently; `narrator cast` raised a traceback.
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    data = '[narrator]\nrate = 150\n\n[characters."Zoë"]\nrate = 150\n'.encode("cp1252")
    path.write_bytes(data)
    with pytest.raises(CastError, match=rf"^{path}:4: not UTF-8 text \(byte 0xEB\); save the cast file as UTF-8"):
        load_cast(path)
    result = _Run(["cast", str(STORY), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 3 and "not UTF-8" in result.output
    assert path.read_bytes() == data


@pytest.mark.parametrize(("text", "line"), [
    ('# my cast\n\ncharacters = { Mira = { voice = "femal2" } }\n\n[narrator]\nrate = 150\n', 3),
    ('[narrator]\nrate = 150\n\n[characters]\nTobin = { voice = "male1" }\nMira = { voice = "femal2" }\n', 6),
    ('[narrator]\nrate = 150\n\n[characters]\nMira.gender = "female"\nMira.voice = "femal2"\n', 6),
    # A word list above [characters] that names her is not her table.
    ('[lexicon]\n"Aunt Mira" = "Aunt Meera"\n\n[characters]\nMira = { voice = "femal2" }\n', 5),
])
def test_castfile_inline_and_dotted_tables_get_a_line_too(tmp_path, monkeypatch, text, line):
    # Without a [characters."Mira"] header the message said "c.toml:0:".
    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    path.write_text(text)
    result = _Run(["build", str(STORY), "--cast", str(path), "--engine", "silent", "-o", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert f"{path}:{line}: [characters.\"Mira\"] voice 'femal2'" in " ".join(result.output.split())


def test_castfile_dotted_keys_of_a_name_with_a_dot_get_their_own_line(tmp_path):
    # "Mr. Hale" holds a dot of its own: the key `"Mr. Hale".rate` is his, on line 3, not the table's first line.
    path = tmp_path / "c.toml"
    path.write_text('[characters]\n"Mr. Hale".gender = "male"\n"Mr. Hale".rate = 5\n')
    with pytest.raises(CastError, match=rf"^{path}:3: rate must be a whole number"):
        load_cast(path)


def test_castfile_folder_is_not_called_missing(tmp_path):
    with pytest.raises(CastError, match=r"is a folder: give the path of a \.toml file"):
        load_cast(tmp_path)


def test_castfile_story_cover_that_is_not_there_is_an_error_when_it_is_used(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[story]\ntitle = "T"\ncover = "art/cover.jpg"\n')
    cast = load_cast(path)  # reading the file is fine: script, cast and preview never use the cover
    with pytest.raises(CastError, match=rf"^{path}:3: \[story\] cover 'art/cover.jpg' not found"):
        cover_path(cast)
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    assert cover_path(load_cast(path)) == tmp_path / "art" / "cover.jpg"  # relative to the cast file, not the cwd


def test_castfile_character_not_in_the_story_is_a_warning(tmp_path, monkeypatch):
    import warnings

    from narrator.pipeline import make_script
    from narrator.reader import NarratorWarning

    use_fixture_attribution(monkeypatch)
    path = tmp_path / "c.toml"
    path.write_text('[characters."Mria"]\nrate = 150\n\n'          # a misspelt Mira: never named, no line
                    '[characters."Tob"]\naliases = ["Tobin"]\n\n'  # named through its alias
                    '[characters."Stranger"]\ngender = "male"\n\n'  # not named, but an override gives a line
                    '[characters."Rain"]\nrate = 150\n\n'  # written in the story (never as a speaker): not misspelt
                    '[[overrides]]\nid = "2:2"\nspeaker = "Stranger"\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_script(STORY, path)
    said = [str(w.message) for w in caught if issubclass(w.category, NarratorWarning)]
    assert len(said) == 1, said
    assert said[0].startswith(f'{path}: "Mria" (line 1) is not in this story and speaks no line')


@pytest.mark.parametrize(("table", "key"), [('id = "seven"\nspeaker = "Mira"\n', "id"),
                                            ('speaker = "Mira"\nchapter = 0\nstarts = "Late"\n', "chapter"),
                                            ('speaker = "Mira"\nchapter = 1\nstarts = ""\n', "starts")])
def test_castfile_override_error_points_at_the_keys_line_not_the_tables(tmp_path, table, key):
    """walk10: every [[overrides]] mistake pointed at the [[overrides]] line, however far below the key was."""
    path = tmp_path / "bad.toml"
    text = BASE + "\n[[overrides]]\n# who says the late line\n" + table
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(f"{key} ="))
    with pytest.raises(CastError, match=rf"^{re.escape(str(path))}:{line}: \[\[overrides\]\] #1 {key}"):
        load_cast(path)
