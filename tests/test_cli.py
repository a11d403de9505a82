"""Every command through typer's CliRunner, including the error paths (one line, non-zero exit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrator.cli import app
from narrator.errors import CastError, InputError, OutputError

from .conftest import SAMPLE, needs_tools

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_cli_script_jsonl_contract() -> None:
    result = run("script", str(SAMPLE), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    source = SAMPLE.read_bytes().decode("utf-8-sig")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and {r["kind"] for r in rows} == {"narration", "dialogue"}
    for r in rows:
        assert set(r) == {"chapter", "start", "end", "kind", "speaker", "evidence", "confidence", "text"}
        assert source[r["start"] : r["end"]] == r["text"]
        assert 0.0 <= r["confidence"] <= 1.0
    assert any(r["evidence"] == "explicit" and r["speaker"] == "Tobin" for r in rows)


def test_cli_script_text_and_source() -> None:
    text = run("script", str(SAMPLE))
    assert text.exit_code == 0 and "(narrator)" in text.stdout and "Tobin" in text.stdout
    src = run("script", str(SAMPLE), "--source")
    assert src.stdout == SAMPLE.read_text(encoding="utf-8")


def test_cli_script_writes_file(tmp_path: Path) -> None:
    dest = tmp_path / "deep" / "s.jsonl"
    assert run("script", str(SAMPLE), "-f", "jsonl", "-o", str(dest)).exit_code == 0
    assert dest.read_text().count("\n") > 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("script", "missing.txt"), "no such file"),
        (("script", str(SAMPLE), "--format", "xml"), "unknown format"),
        (("script", str(SAMPLE), "--engine", "festival"), "unknown engine 'festival'"),
        (("build", str(SAMPLE), "--engine", "festival", "-o", "/tmp/narrator-never"), "unknown engine"),
        (("preview", str(SAMPLE), "--chapter", "9"), "chapter 9 does not exist"),
        (("voices", "--engine", "nope"), "unknown engine"),
    ],
)
def test_cli_errors_are_one_line_and_nonzero(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert message in str(result.exception) if result.exception else message in result.output


def test_cli_main_prints_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from narrator import cli

    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    monkeypatch.setattr("sys.argv", ["narrator", "script", str(bad)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "PNG image" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@needs_tools
def test_cli_voices_json_and_table() -> None:
    result = run("voices", "--json")
    voices = json.loads(result.stdout)
    assert any(v["id"] == "gmw/en-US+f3" and v["gender"] == "female" for v in voices)
    assert all({"id", "gender", "language"} <= set(v) for v in voices)
    table = run("voices", "--language", "en-us", "--gender", "female")
    assert table.exit_code == 0 and "f3" in table.stdout


@needs_tools
def test_cli_voices_language_is_matched_as_voice_ids_write_it() -> None:
    # eSpeak's languages are "en-us", its voice ids and Piper's languages "en-US": `--language en-US`, copied
    # from an id, listed no voice at all (an empty table, exit 0), and so did a typo.
    ids = lambda *args: [v["id"] for v in json.loads(run("voices", "--json", *args).stdout)]  # noqa: E731
    assert "gmw/en-US+f3" in ids("--language", "en-US") and ids("--language", "en-US") == ids("--language", "en_us")
    wrong = run("voices", "--language", "eng")
    assert wrong.exit_code != 0 and isinstance(wrong.exception, InputError)  # main() prints it, exit 2
    message = str(wrong.exception)
    assert message.startswith("no pyttsx3 voice speaks --language 'eng'; languages:") and ", en, " in message
    assert "\n" not in message


@needs_tools
def test_cli_cast_writes_and_keeps_edits(tmp_path: Path) -> None:
    cast = tmp_path / "voices" / "cast.toml"
    assert run("cast", str(SAMPLE), "-o", str(cast)).exit_code == 0
    text = cast.read_text()
    assert "[narrator]" in text and '[characters.Tobin]' in text
    edited = text.replace("[characters.Tobin]", "# my favourite\n[characters.Tobin]")
    cast.write_text(edited)
    assert run("cast", str(SAMPLE), "-o", str(cast)).exit_code == 0
    assert "# my favourite" in cast.read_text()


def test_cli_build_with_silent_engine_json(tmp_path: Path) -> None:
    result = run("build", str(SAMPLE), "-o", str(tmp_path), "--engine", "silent", "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(summary["chapters"]) == 2 and summary["segments_rendered"] > 0


def test_cli_cast_error_keeps_table_name_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from narrator import cli

    cast = tmp_path / "cast.toml"
    cast.write_text('[narrator]\nvoice = "gmw/en-US"\n\n[characters.Ada]\ncolour = "blue"\n')
    monkeypatch.setattr("sys.argv", ["narrator", "script", str(SAMPLE), "--cast", str(cast)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code != 0
    # The table name survives printing (it looks like rich markup) and the line is the key's own.
    assert f"{cast}:5:" in " ".join(err.split()) and "characters" in err and "colour" in err


_TINY = 'Chapter 1\n\nThe lamp was out. "Light it," said Ada.\n\n"I will," said Ben.\n'
_JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


def _missing_cover_cast(tmp_path: Path) -> tuple[Path, Path]:
    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    cast = tmp_path / "tiny.toml"
    cast.write_text('[story]\ntitle = "Tiny"\ncover = "gone.jpg"\n')
    return story, cast


@pytest.mark.parametrize("command", [("script", "{story}", "--cast", "{cast}"),
                                     ("cast", "{story}", "-o", "{cast}"),  # reads the file it then updates
                                     ("preview", "{story}", "--cast", "{cast}", "--chapter", "1", "--engine", "silent")])
def test_cli_cast_file_cover_missing_is_no_error_where_covers_are_not_used(tmp_path: Path, command: tuple[str, ...],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    story, cast = _missing_cover_cast(tmp_path)
    result = run(*(a.format(story=story, cast=cast) for a in command))
    assert result.exit_code == 0, result.output


@needs_tools
def test_cli_build_cover_option_replaces_a_missing_cast_file_cover(tmp_path: Path) -> None:
    story, cast = _missing_cover_cast(tmp_path)
    out = tmp_path / "out"
    refused = run("build", str(story), "--cast", str(cast), "-o", str(out), "--engine", "silent", "--jobs", "1")
    assert isinstance(refused.exception, CastError) and "[story] cover 'gone.jpg' not found" in str(refused.exception)
    art = tmp_path / "art.jpg"
    art.write_bytes(_JPEG)
    built = run("build", str(story), "--cast", str(cast), "-o", str(out), "--engine", "silent", "--jobs", "1",
                "--cover", str(art))
    assert built.exit_code == 0, built.output
    from mutagen.id3 import ID3
    assert ID3(next((out / "tiny").glob("01 *.mp3"))).getall("APIC")[0].data == _JPEG


@needs_tools
def test_cli_build_a_broken_cover_found_beside_the_story_is_a_warning(tmp_path: Path) -> None:
    # A cover.png beside the story that is no PNG (a WebP renamed, a stub) stopped the build with "cover image
    # cover.png is not a JPEG or PNG file", though the user gave no cover: now a warning, and no cover.
    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    (tmp_path / "cover.png").write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match=r"cover\.png \(found beside the story\) is not a JPEG or PNG image"):
        built = run("build", str(story), "-o", str(out), "--engine", "silent", "--jobs", "1")  # main() prints it
    assert built.exit_code == 0, built.output
    from mutagen.id3 import ID3
    assert not ID3(next((out / "tiny").glob("01 *.mp3"))).getall("APIC")
    given = run("build", str(story), "-o", str(out), "--engine", "silent", "--cover", str(tmp_path / "cover.png"))
    assert given.exception is not None and "is not a JPEG or PNG file" in str(given.exception)  # asked for: an error


@needs_tools
def test_cli_cast_hint_is_a_command_that_uses_the_cast_just_written(tmp_path: Path) -> None:
    # "Edit it, then: narrator preview STORY --chapter 1" left out a cast written with -o elsewhere (preview finds
    # only voices/<slug>.toml by itself) and the engine: pasted, it previewed without the voices just picked.
    import shlex

    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    cast = tmp_path / "my casts" / "tiny cast.toml"
    result = run("cast", str(story), "-o", str(cast), "--engine", "silent")
    assert result.exit_code == 0, result.output
    hint = shlex.split(" ".join(result.output.split()).split("Edit it, then: ", 1)[1])
    assert hint[:2] == ["narrator", "preview"] and hint[hint.index("--cast") + 1] == str(cast)
    assert hint[hint.index("--engine") + 1] == "silent"
    previewed = run(*hint[1:], "-o", str(tmp_path / "p.wav"))
    assert previewed.exit_code == 0, previewed.output


@needs_tools
def test_cli_build_after_clean_says_segments_were_not_needed_not_reused(tmp_path: Path) -> None:
    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    args = ["build", str(story), "-o", str(tmp_path / "out"), "--engine", "silent", "--jobs", "1"]
    first = json.loads(run(*args, "--json").stdout.strip().splitlines()[-1])
    warm = json.loads(run(*args, "--json").stdout.strip().splitlines()[-1])
    assert (warm["segments_rendered"], warm["segments_reused"], warm["segments_not_needed"]) == (
        0, first["segments_rendered"], 0)
    assert run("clean", str(story), "-o", str(tmp_path / "out")).exit_code == 0
    cleaned = json.loads(run(*args, "--json").stdout.strip().splitlines()[-1])
    assert (cleaned["segments_rendered"], cleaned["segments_reused"], cleaned["segments_not_needed"]) == (
        0, 0, first["segments_rendered"])
    line = run(*args).stdout.strip().splitlines()[-1]
    assert f"0 reused, {first['segments_rendered']} not needed (their chapters were up to date)" in line


@needs_tools
def test_cli_build_after_clean_can_still_add_captions_and_the_m4b(tmp_path: Path) -> None:
    # Each of these needs the kept chapters' audio, which `narrator clean` deleted: they failed on every run
    # with "went missing from the cache".
    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    out = tmp_path / "out"
    args = ["build", str(story), "-o", str(out), "--engine", "silent", "--jobs", "1"]
    assert run(*args).exit_code == 0
    book = out / "tiny"
    for extra, made in [((), "01 Chapter 1.vtt"), (("--srt",), "01 Chapter 1.srt"),
                        (("--format", "mp3,m4b"), "tiny.m4b")]:
        assert run("clean", str(story), "-o", str(out)).exit_code == 0
        (book / "01 Chapter 1.vtt").unlink()  # the kept chapter's captions must be written again too
        result = run(*args, *extra, "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        assert [c["file"] for c in summary["chapters"]] == [str(book / "01 Chapter 1.mp3")]
        assert (book / made).stat().st_size > 0 and summary["segments_rendered"] > 0


@needs_tools
def test_cli_build_summary_counts_one_chapter_in_the_singular(tmp_path: Path) -> None:
    story = tmp_path / "one.txt"
    story.write_text("It was a dark and stormy night.\n")
    line = run("build", str(story), "-o", str(tmp_path / "out"), "--engine", "silent", "--jobs", "1").stdout
    assert "1 chapter (1 encoded, 0 up to date)" in line and "; 1 segment rendered, 0 reused;" in line


@pytest.mark.parametrize(("text", "why"), [("The house was quiet.\n\nNobody came.\n", "the story has no dialogue"),
                                           ('"Go," said Ann.\n\n"No," said Ben.\n', "every dialogue line scored")])
def test_cli_script_doubtful_with_nothing_to_list_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch, text: str, why: str) -> None:
    from narrator import cli

    story = tmp_path / "calm.txt"
    story.write_text(text)
    monkeypatch.setattr("sys.argv", ["narrator", "script", str(story), "--doubtful"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    captured = capsys.readouterr()
    assert exit_info.value.code == 0 and captured.out == ""  # a pipe gets nothing, not a blank line
    assert f"no doubtful lines: {why}" in captured.err


def test_cli_cast_file_notes_one_line_in_the_singular(tmp_path: Path) -> None:
    story = tmp_path / "two.txt"
    story.write_text('"Go home," said Ann.\n\n"No," said Ben. "Not yet. Not now."\n')
    cast = tmp_path / "two.toml"
    assert run("cast", str(story), "-o", str(cast)).exit_code == 0
    text = cast.read_text()
    assert "# 1 line, 2 words" in text and "# 2 lines, 5 words" in text


@pytest.mark.parametrize("command", [(), ("build",), ("script",), ("clean",)])
def test_cli_help_shows_no_value_type_for_flags(command: tuple[str, ...]) -> None:
    # typer's rich help labelled every on/off flag "<bool>", as if it took a value (`--version <bool>`).
    result = run(*command, "--help")
    assert result.exit_code == 0 and "--help" in result.output
    assert "<bool>" not in result.output


def test_cli_help_still_shows_the_type_of_options_that_take_a_value() -> None:
    result = run("build", "--help")
    assert "--jobs" in result.output and "<int" in result.output  # only flags lose their label


@needs_tools
def test_cli_build_cover_is_written_atomically_and_follows_a_new_cover(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # cover.jpg was written in place: a full disk left a torn image under the final name (and a rebuild, seeing
    # it there, kept it for good). A new --cover was never written either: the first cover stayed.
    story = tmp_path / "tiny.txt"
    story.write_text(_TINY)
    out, art = tmp_path / "out", tmp_path / "art.jpg"
    args = ["build", str(story), "-o", str(out), "--engine", "silent", "--jobs", "1", "--cover", str(art)]
    real = Path.write_bytes

    def disk_fills(self: Path, data: bytes) -> int:
        if "cover" not in self.name:
            return real(self, data)
        real(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    art.write_bytes(_JPEG)
    with monkeypatch.context() as m:
        m.setattr(Path, "write_bytes", disk_fills)
        torn = run(*args)
    assert isinstance(torn.exception, OutputError) and "disk is full" in str(torn.exception)
    assert [p.name for p in (out / "tiny").iterdir() if "cover" in p.name] == []
    assert run(*args).exit_code == 0 and (out / "tiny" / "cover.jpg").read_bytes() == _JPEG
    art.write_bytes(_JPEG[:4] + b"new" + bytes(61))
    assert run(*args).exit_code == 0 and (out / "tiny" / "cover.jpg").read_bytes() == art.read_bytes()


def test_cli_script_text_columns_line_up_with_short_names(tmp_path: Path) -> None:
    # The speaker column was at least 9 wide, but "(narrator)" is 10: with only short names every
    # narration row's text started one column later than the dialogue rows'.
    story = tmp_path / "short.txt"
    story.write_text('Jo sat down.\n\n"Hello," said Jo.\n\n"Hi," said Al.\n', encoding="utf-8")
    result = run("script", str(story))
    assert result.exit_code == 0, result.output
    rows = [r for r in result.stdout.splitlines() if r.strip()]
    starts = {r.index("Jo sat") if "Jo sat" in r else r.index('"') for r in rows if "Jo sat" in r or '"' in r}
    assert len(rows) >= 3 and len(starts) == 1, result.stdout


def test_cli_preview_past_the_chapters_end_says_where_it_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """walk10: `--lines 4-900` played lines 4 to the chapter's end and said nothing of it."""
    from narrator import cli

    monkeypatch.setattr("sys.argv", ["narrator", "preview", str(SAMPLE), "--chapter", "1", "--lines", "4-900",
                                     "--engine", "silent", "-o", str(tmp_path / "p.wav"),
                                     "--output-dir", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
    said = [line for line in err.splitlines() if "ends at line" in line]
    assert len(said) == 1 and "previewing lines 4-" in said[0] and "not 4-900" in said[0], err
    assert (tmp_path / "p.wav").exists()


@pytest.mark.parametrize("extra", [("--format", "jsonl"), ("--doubtful",), ("-f", "jsonl", "--doubtful")])
def test_cli_script_source_says_format_and_doubtful_do_not_apply(extra: tuple[str, ...]) -> None:
    """walk10: `script --source --format jsonl` printed the plain text and ignored the format without a word."""
    result = run("script", str(SAMPLE), "--source", *extra)
    assert result.exit_code != 0
    message = str(result.exception) if result.exception else result.output
    assert "do not apply" in message or "does not apply" in message, message
    assert "--source" in message and message.count("\n") <= 1
