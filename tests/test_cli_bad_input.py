"""The CLI on inputs people really pass by mistake: one clear line and a non-zero exit, or a normal result."""

from __future__ import annotations

import io
import re
import signal
import sys
import types
import zipfile
from pathlib import Path

import pytest

from narrator import cli
from narrator.errors import INTERRUPTED

STORY = Path(__file__).resolve().parents[1] / "stories" / "the-lamplighters-apprentice.txt"
TEXT = 'Chapter 1\n\n"Hello," said Ann. The café was warm.\n'


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["narrator", *args])
    with pytest.raises(SystemExit) as info:
        cli.main()
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def _zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"  \n\n\t \r\n", "is empty"),
    ("noise.bin", bytes(range(256)) * 8, "not a text file"),
    ("cover.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "JPEG image"),
    ("book.pdf", b"%PDF-1.7\n" + b"x" * 64, "PDF document"),
    ("headings.txt", b"Chapter 1\n\nChapter 2\n", "no story text"),
    # Where stories are written and exported: each named, not read as text (RTF was read aloud, codes and all).
    ("story.rtf", b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Once upon a time.\\par }", "RTF document"),
    ("story.docx", _zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), "Word document"),
    ("story.odt", _zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}),
     "OpenDocument text"),
    ("story.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Word 97-2003 document"),
    ("stories.zip", _zipped({"a.txt": "Once upon a time."}), "zip archive"),
    ("story.mobi", b"Story".ljust(60, b"\x00") + b"BOOKMOBI" + b"\x00" * 64, "Kindle (MOBI/AZW) e-book"),
])
def test_cli_unreadable_story_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, name: str, data: bytes,
                                                     says: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = _run(capsys, monkeypatch, "script", str(path))
    assert code == 2 and out == ""
    line = _one_error_line(err)
    assert says in line and name in line


def test_cli_folder_and_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(capsys, monkeypatch, "script", str(tmp_path))
    assert code == 2 and "is a folder" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out"))
    assert code == 2 and "no such file" in _one_error_line(err)
    assert not (tmp_path / "out").exists()  # nothing is created for a build that cannot start


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252", "utf-16-le", "utf-16-be"])  # -le/-be: no BOM
def test_cli_other_encodings_read_normally(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(TEXT.encode(encoding))
    code, out, err = _run(capsys, monkeypatch, "script", str(path))
    assert code == 0, err
    assert "said Ann. The café was warm." in out  # the accent survives every encoding
    assert "Traceback" not in err
    if encoding == "cp1252":
        assert "not valid UTF-8" in err and "Windows-1252" in err  # read, with a warning that says so


def test_cli_one_megabyte_single_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.txt"
    sentence = 'The lamp burned low and the boy said "more oil" again. '
    path.write_text((sentence * (1_000_000 // len(sentence) + 1))[:1_000_000], encoding="utf-8")
    code, out, err = _run(capsys, monkeypatch, "script", str(path), "--format", "jsonl")
    assert code == 0, err
    full, rest = divmod(1_000_000, len(sentence))
    # One quotation per sentence, plus the one cut open at the end of the line (its quote is at offset 37).
    assert out.count('"kind": "dialogue"') == full + (rest > sentence.index('"'))


def _cast(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cast.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_cast_file_bad_toml_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cast = _cast(tmp_path, '[narrator]\nvoice = "gmw/en-GB-x-rp"\n[characters\n')
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(cast), "-o", str(tmp_path / "o"))
    line = _one_error_line(err)
    assert code == 3 and str(cast) in line and "line 3" in line


def test_cli_cast_file_unknown_key_names_file_line_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cast = _cast(tmp_path, '[narrator]\nvoice = "gmw/en-GB-x-rp"\n\n[characters.Ann]\nvoice = "gmw/en-US+f3"\ncolour = 3\n')
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(cast), "-o", str(tmp_path / "o"))
    line = _one_error_line(err)
    assert code == 3 and f"{cast}:6" in line and "'colour'" in line and "valid keys" in line


def test_cli_cast_file_unknown_voice_names_the_voice(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cast = _cast(tmp_path, '[characters.Ann]\nvoice = "no/such-voice"\n')
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(cast), "-o", str(tmp_path / "o"))
    line = _one_error_line(err)
    assert code == 3 and "'no/such-voice'" in line and "narrator voices" in line
    # File, line and key: the issue asks for all three, as for the other cast-file mistakes.
    assert re.search(rf"{re.escape(str(cast))}:\d+: \[characters\.\W?Ann\W?\] voice", line), line


def test_cli_cast_file_unknown_engine_lists_the_engines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cast = _cast(tmp_path, '[characters.Ann]\nvoice = "x"\nengine = "nosuch"\n')
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(cast), "-o", str(tmp_path / "o"))
    line = _one_error_line(err)
    assert code in (3, 4) and "'nosuch'" in line and "pyttsx3" in line


def test_cli_cast_file_unknown_engine_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cast = _cast(tmp_path, '[characters.Ann]\nvoice = "x"\nengine = "nosuch"\n')
    _, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(cast), "-o", str(tmp_path / "o"))
    assert f"{cast}:3" in _one_error_line(err)


def test_cli_cast_file_missing_or_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(tmp_path / "no.toml"), "-o", str(tmp_path))
    assert code == 3 and "not found" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "--cast", str(tmp_path), "-o", str(tmp_path))
    assert code == 3 and str(tmp_path) in _one_error_line(err)


def test_cli_output_folder_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("mine")
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "-o", str(blocker), "--engine", "silent")
    assert code == 6 and "is a file, not a folder" in _one_error_line(err)
    assert blocker.read_text() == "mine"


def test_cli_keep_going_flag_is_offered(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run(capsys, monkeypatch, "build", "--help")
    assert code == 0 and "--keep-going" in out and "--timeout" in out


def test_cli_unknown_format_and_bad_range(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(capsys, monkeypatch, "script", str(STORY), "--format", "xml")
    assert code == 2 and "unknown format" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "preview", str(STORY), "--lines", "a-b", "--engine", "silent")
    assert code == 2 and "--lines takes a range" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "preview", str(STORY), "--lines", "1:2-2:4", "--engine", "silent")
    assert code == 2 and "within one chapter" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "preview", str(STORY), "--chapter", "1", "--lines", "2:1-2:4",
                        "--engine", "silent")
    assert code == 2 and "is in chapter 2, but --chapter says 1" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, "preview", str(STORY), "--lines", "5-3", "--engine", "silent")
    assert code == 2 and "lines 5-3 run backwards" in _one_error_line(err) and "--lines 3-5" in err


def test_cli_line_ids_choose_their_chapter(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`--lines 2:1-2:4` previews chapter 2 without --chapter: ids are copied from `narrator script`."""
    seen: list[tuple[object, ...]] = []
    monkeypatch.setattr(cli, "preview", lambda *a, **kw: seen.append(a) or (tmp_path / "p.wav", 1.0))
    code, _, _ = _run(capsys, monkeypatch, "preview", str(STORY), "--lines", "2:1-2:4")
    assert code == 0 and seen[0][1:4] == (2, None, (1, 4))
    code, _, _ = _run(capsys, monkeypatch, "preview", str(STORY), "--lines", "3-5")
    assert code == 0 and seen[1][1:4] == (1, None, (3, 5))


@pytest.mark.parametrize("args", [
    ["build", str(STORY), "--jobs", "0"],
    ["build", str(STORY), "--no-such-option"],
    ["build"],
    ["no-such-command"],
])
def test_cli_usage_mistake_is_one_line_not_a_box(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                  args: list[str]) -> None:
    # typer's own report is a framed box of several lines; a usage mistake is a mistake like any other.
    code, out, err = _run(capsys, monkeypatch, *args)
    assert code == 2 and out == ""
    line = _one_error_line(err)
    assert "--help" in line and "╭" not in line


def test_cli_ctrl_c_says_what_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # typer turns KeyboardInterrupt into a silent exit 130; the user should hear that nothing is lost.
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build", interrupted)
    code, _, err = _run(capsys, monkeypatch, "build", str(STORY), "-o", str(tmp_path / "o"), "--engine", "silent")
    assert code == 130
    assert "interrupted" in err and "run the same command" in err and "Traceback" not in err


class _LoadingCli(types.ModuleType):
    """Stands in for narrator.cli while it is being imported: a Ctrl-C lands in the middle of loading it."""

    def __init__(self, swallow: bool) -> None:
        super().__init__("narrator.cli")
        self.swallow = swallow
        self.ran: list[str] = []

    def __getattr__(self, name: str) -> object:
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            if not self.swallow:
                raise
            # as an import-lock callback does ("Exception ignored in ... _get_module_lock"): the import goes on
        return lambda: self.ran.append(name)


@pytest.mark.parametrize("swallowed", [False, True])
def test_cli_ctrl_c_while_the_program_loads_is_the_one_line(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str], swallowed: bool) -> None:
    # Loading the CLI takes half a second or more: a Ctrl-C then printed a traceback from the import machinery,
    # or, swallowed by it, was lost and the build went on.
    from narrator import __main__ as entry

    loading = _LoadingCli(swallowed)
    monkeypatch.setitem(sys.modules, "narrator.cli", loading)
    # SIGINT at its default, as in a terminal (a test run started in the background has it ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(SystemExit) as info:
            entry.main()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    finally:
        signal.signal(signal.SIGINT, previous)
    assert info.value.code == 130 and loading.ran == []  # the command never started
    assert capsys.readouterr().err.splitlines() == [INTERRUPTED]


@pytest.mark.parametrize("command", [["script", str(STORY)], ["cast", str(STORY), "--engine", "silent"]])
def test_cli_output_file_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = _run(capsys, monkeypatch, *command, "-o", str(folder))
    assert code == 6 and "is a folder: give a file name" in _one_error_line(err)
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    code, _, err = _run(capsys, monkeypatch, *command, "-o", str(blocker / "x.txt"))
    assert code == 6 and f"{blocker} is a file, not a folder" in _one_error_line(err)
    assert blocker.read_text() == "mine" and list(folder.iterdir()) == []


def test_cli_script_output_is_replaced_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "script.txt"
    dest.write_text("    1:0  (narrator)  an older script\n")  # a script's shape: anything else is kept, not replaced
    code, out, _ = _run(capsys, monkeypatch, "script", str(STORY), "-o", str(dest))
    assert code == 0 and out == ""
    assert "Tobin" in dest.read_text() and "older" not in dest.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["script.txt"]  # no temporary file left beside it


def test_cli_preview_and_audition_check_their_output_before_rendering(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[object] = []
    monkeypatch.setattr("narrator.pipeline.synthesize", lambda *a, **k: rendered.append(a))
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    base = ["preview", str(STORY), "--engine", "silent", "--output-dir", str(tmp_path / "out")]
    code, _, err = _run(capsys, monkeypatch, *base, "-o", str(tmp_path))
    assert code == 6 and "is a folder" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, *base, "-o", str(tmp_path / "p.ogg"))
    assert code == 2 and ".wav or .mp3" in _one_error_line(err)
    code, _, err = _run(capsys, monkeypatch, *base, "-o", str(blocker / "p.mp3"))
    assert code == 6 and "is a file, not a folder" in _one_error_line(err)
    assert rendered == []
    code, _, err = _run(capsys, monkeypatch, "voices", "--engine", "silent", "--sample", "Hi", "female1",
                        "-o", str(blocker / "auditions"))
    assert code == 6 and "is a file, not a folder" in _one_error_line(err)
    assert blocker.read_text() == "mine"


def test_cli_voices_unknown_gender_is_an_error(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _run(capsys, monkeypatch, "voices", "--engine", "silent", "--gender", "woman")
    assert code == 2 and out == "" and "female, male or unknown" in _one_error_line(err)


def test_cli_play_without_a_sound_device_is_one_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # ffplay without a sound device prints a dozen ALSA lines and still exits 0.
    player = tmp_path / "bin" / "ffplay"
    player.parent.mkdir()
    player.write_text("#!/bin/sh\nfor i in 1 2 3 4 5 6; do echo \"ALSA lib pcm.c: noise $i\" >&2; done\n"
                      "echo 'No more combinations to try, audio open failed' >&2\nexit 0\n")
    player.chmod(0o755)
    monkeypatch.setenv("PATH", f"{player.parent}:/usr/bin:/bin")
    monkeypatch.setattr(cli, "preview", lambda *a, **kw: (tmp_path / "p.wav", 1.0))
    code, out, err = _run(capsys, monkeypatch, "preview", str(STORY), "--play")
    assert code == 0 and "wrote" in out
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: ffplay could not play"), err
    assert "audio open failed" in lines[0] and "ALSA" not in err


def test_cli_build_into_a_pipe_prints_no_blank_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _run(capsys, monkeypatch, "build", str(STORY), "-o", str(tmp_path), "--engine", "silent")
    assert code == 0, err
    assert err == "" and "" not in out.splitlines()


def test_cli_stdin_at_a_terminal_says_what_it_waits_for(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(io.BytesIO(TEXT.encode())))
    code, out, err = _run(capsys, monkeypatch, "script", "-")
    assert code == 0 and "said Ann" in out
    assert "reading the story from standard input" in err and "Ctrl-D" in err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode())))  # a pipe: nothing to say
    code, out, err = _run(capsys, monkeypatch, "script", "-")
    assert code == 0 and "said Ann" in out and err == ""


@pytest.mark.parametrize("text", ["", "  ", "..."])
def test_cli_audition_of_nothing_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    code, _, err = _run(capsys, monkeypatch, "voices", "--engine", "silent", "--sample", text, "female1",
                        "-o", str(tmp_path / "a"))
    assert code == 2 and "nothing to say" in _one_error_line(err)
    assert not (tmp_path / "a").exists()  # no silent MP3 written


@pytest.mark.parametrize("command", ["script", "cast"])
def test_cli_output_over_the_story_itself_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    # `narrator script story.txt -o story.txt` replaced the story with its script.
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, monkeypatch, command, "story.txt", "-o", "./story.txt", "--engine", "silent")
    assert code == 6 and "is the story file itself" in _one_error_line(err)
    assert story.read_text(encoding="utf-8") == TEXT


def test_cli_cast_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cast reads the story twice (once to name the cast file, once with it); stdin can only be read once.
    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.app, ["cast", "-", "--engine", "silent"], input="Rain Days\n\n" + TEXT)
    assert result.exit_code == 0, result.output
    assert "Ann" in (tmp_path / "voices" / "rain-days.toml").read_text(encoding="utf-8")
