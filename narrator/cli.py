"""The command line: parse arguments, call the library, report. No logic of its own."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.26 carries its own copy of click
    from typer._click import exceptions as _click
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as _click  # type: ignore[no-redef]
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from narrator import __version__
from narrator.castfile import is_cast_file, write_cast
from narrator.casting import Engines
from narrator.chapters import spoken_title
from narrator.engines import DEFAULT_ENGINE, get_engine
from narrator.errors import INTERRUPTED, InputError, NarratorError, OutputError
from narrator.faults import DEFAULT_TIMEOUT
from narrator.models import DOUBTFUL_BELOW, Line
from narrator.pipeline import Script, book_busy, build, make_script, preview, slugify, voices_for
from narrator.reader import NarratorWarning
from narrator.synthesis import default_jobs


class _UntypedFlags:
    """Help without a value type beside on/off flags. Recent typer's rich help labels each flag `<bool>`
    (`--version <bool>`), which reads as if the flag took a value; click's plain help never did. An empty
    metavar is what typer shows instead of the type, and a flag's metavar plays no part in parsing."""

    def format_help(self, ctx, formatter):  # type: ignore[no-untyped-def]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        super().format_help(ctx, formatter)  # type: ignore[misc]


class _Group(_UntypedFlags, TyperGroup):
    pass


class _Command(_UntypedFlags, TyperCommand):
    pass


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=_Group,
                  help="Turn a story into a multi-voice audiobook: one tagged MP3 per chapter.")
err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)

def _story_arg(value: Path) -> Path:
    # `narrator build -` typed at a terminal would wait for input without a word: say what it waits for.
    if str(value) == "-" and sys.stdin is not None and sys.stdin.isatty():
        err.print("reading the story from standard input: paste or type it, then press Ctrl-D "
                  "(or give a file name instead of -).", soft_wrap=True, highlight=False)
    return value


StoryArg = Annotated[Path, typer.Argument(help="Story file (.txt, .md, .html, .epub) or - for stdin.", show_default=False,
                                          callback=_story_arg)]
CastOpt = Annotated[Path | None, typer.Option("--cast", help="Cast file (TOML). Default: voices/<story-slug>.toml if it exists.")]
EngineOpt = Annotated[str, typer.Option("--engine", help="Speech engine for every voice not set otherwise.")]
VoiceDirOpt = Annotated[list[Path] | None, typer.Option("--voice-dir", help="Folder of Piper voices (.onnx + .onnx.json); "
                        "searched before NARRATOR_PIPER_VOICES, the user folder and voice packages. Repeatable.")]


@app.command("build", cls=_Command)
def build_cmd(
    story: StoryArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder; the book goes in <output>/<story-slug>/.")] = Path("output"),
    cast: CastOpt = None,
    engine: EngineOpt = DEFAULT_ENGINE,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: one per core).")] = None,
    cover: Annotated[Path | None, typer.Option("--cover", help="Cover image (JPEG or PNG). Default: cover.jpg/png beside the story.")] = None,
    author_notes: Annotated[bool, typer.Option("--author-notes", help="Read author's notes aloud (narrator voice).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="mp3 (one file per chapter), m4b (one file for the book) or mp3,m4b.")] = "mp3",
    loudness: Annotated[float | None, typer.Option("--loudness", help="Integrated loudness per chapter, LUFS (default -18; with --acx the default aims at -20.5 dB RMS).")] = None,
    true_peak: Annotated[float | None, typer.Option("--true-peak", help="True-peak ceiling, dBTP (default -3).")] = None,
    acx: Annotated[bool, typer.Option("--acx", help="ACX preset: 44.1 kHz 192 kbps CBR MP3, ACX head/tail room tone and levels.")] = False,
    srt: Annotated[bool, typer.Option("--srt", help="Write SRT captions too (WebVTT is always written).")] = False,
    room_tone: Annotated[bool, typer.Option("--room-tone/--no-room-tone", help="Quiet room tone (-70 dBFS) instead of digital silence.")] = True,
    voice_dir: VoiceDirOpt = None,
    keep_going: Annotated[bool, typer.Option("--keep-going", "-k", help="A line the engine cannot render becomes a short tone (listed at the end) instead of stopping the build.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds one engine call may take before it counts as hung.")] = DEFAULT_TIMEOUT,
) -> None:
    """Build the audiobook: one tagged MP3 per chapter (with captions and a playlist), and/or one M4B."""
    from narrator.export import delivery

    _use_voice_dirs(voice_dir)
    how = delivery(fmt, loudness, true_peak, acx, srt, room_tone)
    with _progress(quiet=as_json) as hook:
        result = build(story, output, cast, engine, jobs or default_jobs(), cover, author_notes, hook, how,
                       keep_going=keep_going, timeout=timeout)
    book = result.chapters[0].file.parent / f"{result.chapters[0].file.parent.name}.m4b" if "m4b" in how.formats else None
    if as_json:
        print(json.dumps({
            "chapters": _chapter_entries(result.chapters, book if "mp3" not in how.formats else None),
            "segments_rendered": result.segments_rendered,
            "segments_reused": result.segments_reused,
            "segments_not_needed": result.segments_not_needed,
            "audio_seconds": round(result.audio_seconds, 2),
            "elapsed_seconds": round(result.elapsed_seconds, 2),
            **({"m4b": str(book)} if book else {}),
            "warnings": list(result.warnings),
        }))
        return
    for c in result.chapters:
        if "mp3" in how.formats:
            out.print(f"{'wrote ' if c.encoded else 'kept  '} {c.file}  ({_clock(c.seconds)})")
    if book:
        from mutagen.mp4 import MP4

        out.print(f"book   {book}  ({_clock(MP4(book).info.length)})")
    encoded = sum(c.encoded for c in result.chapters)
    out.print(f"{_count(len(result.chapters), 'chapter')} ({encoded} encoded, {len(result.chapters) - encoded} up to date), "
              f"{_clock(result.audio_seconds)} of audio; {_count(result.segments_rendered, 'segment')} rendered, "
              f"{result.segments_reused} reused{_not_needed(result.segments_not_needed)}; "
              f"{result.elapsed_seconds:.1f} s.")
    for w in result.warnings:
        _report("warning", w)
    if result.warnings:
        err.print(f"{len(result.warnings)} line(s) replaced by a tone; run the same command again to retry them.")


def _chapter_entries(chapters, book: Path | None) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    # With --format m4b there are no chapter MP3s: each chapter points into the book at its start time.
    entries: list[dict[str, object]] = []
    start = 0.0
    for c in chapters:
        entry: dict[str, object] = {"title": c.title, "file": str(book or c.file), "seconds": round(c.seconds, 2)}
        if book:
            entry["start"] = round(start, 2)
        start += c.seconds
        entries.append(entry)
    return entries


@app.command("check", cls=_Command)
def check_cmd(
    output: Annotated[Path, typer.Argument(help="An MP3 file, or a folder of them (e.g. output/<story-slug>).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check MP3 files against the ACX rules (rate, bitrate, peaks, RMS, noise floor, room tone); exit 1 on a FAIL."""
    from narrator.check import check_files, format_report

    reports = check_files(output)
    if as_json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False))
    else:
        out.print(format_report(reports))
    if not all(r.passed for r in reports):
        raise typer.Exit(1)


@app.command("script", cls=_Command)
def script_cmd(
    story: StoryArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text (readable) or jsonl (one JSON object per segment).")] = "text",
    cast: CastOpt = None,
    engine: EngineOpt = DEFAULT_ENGINE,
    doubtful: Annotated[bool, typer.Option("--doubtful", help=f"Only dialogue lines whose speaker is uncertain (confidence below {DOUBTFUL_BELOW}).")] = False,
    source: Annotated[bool, typer.Option("--source", help="Print the text the reader extracted (what offsets refer to).")] = False,
    author_notes: Annotated[bool, typer.Option("--author-notes", help="Include author's notes.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of the screen.")] = None,
) -> None:
    """Print the script: who says each line, and why."""
    if fmt not in ("text", "jsonl"):
        raise InputError(f"unknown format {fmt!r}: use --format text or --format jsonl.")
    get_engine(engine)  # an unknown engine is an error here too, with the list of known ones
    if source and (doubtful or fmt != "text"):
        # --source prints the story's text as read, not its lines: these would be silently ignored (walk10).
        given = " and ".join(o for o, on in (("--format jsonl", fmt != "text"), ("--doubtful", doubtful)) if on)
        raise InputError(f"--source prints the story's text as the reader extracted it; {given} do"
                         f"{'es' if ' and ' not in given else ''} not apply to it: drop {given} or --source.")
    _not_the_story(output, story)
    script = make_script(story, cast, author_notes)
    if output is not None and output.is_file() and not _replaceable_by_script(output, source, script.story.text):
        other = output.with_suffix(".jsonl" if fmt == "jsonl" else ".script.txt")
        raise OutputError(f"-o {output} is not a script that `narrator script` wrote, so it is kept: write to "
                          f"another file, e.g. -o {other if other != output else output.with_name('script.txt')}.")
    if source:
        _emit(script.story.text, output)
        return
    lines = [ln for ln in script.lines if not doubtful or ln.doubtful]
    if doubtful and fmt == "text":
        # For a person fixing the cast: the likeliest wrong first (the sort is stable: story order within a score).
        lines.sort(key=lambda ln: ln.confidence)
    if doubtful and not lines:
        # On stderr, so a pipe or an -o file stays empty: a blank screen looked like something had failed.
        said = any(ln.segment.kind == "dialogue" for ln in script.lines)
        err.print(f"no doubtful lines: {f'every dialogue line scored {DOUBTFUL_BELOW:.2f} or more' if said else 'the story has no dialogue'}.")
    if fmt == "jsonl":
        # Story order, as a program reading offsets expects; with --doubtful each row also names the runner-up
        # (null when the scorer weighed nobody else), which the text format prints as "or X?".
        rows = (json.dumps({"chapter": ln.segment.chapter, "start": ln.segment.start, "end": ln.segment.end,
                            "kind": ln.segment.kind, "speaker": ln.speaker, "evidence": ln.evidence,
                            "confidence": round(ln.confidence, 3), "text": ln.segment.text,
                            **({"alternative": ln.alternative} if doubtful else {})}, ensure_ascii=False)
                for ln in lines)
        _emit("\n".join(rows) + ("\n" if lines else ""), output)
        return
    width = max([len(ln.speaker or "") for ln in lines] + [len("(narrator)")])  # the stand-ins line up too
    titles = {c.number: c.title for c in script.chapters}
    rows = []
    for ln in lines:
        who = ln.speaker or ("(narrator)" if ln.segment.kind == "narration" else "(unknown)")
        why = "" if ln.evidence == "narration" else f"  [{ln.evidence} {ln.confidence:.2f}{_doubt(ln) if doubtful else ''}]"
        # A heading as the narrator announces it, not its source line with the decorations around it.
        seg = ln.segment
        text = spoken_title(titles[seg.chapter]) if seg.heading and seg.chapter in titles else " ".join(seg.text.split())
        rows.append(f"{ln.segment.id:>7}  {who:<{width}}  {text}{why}")
    _emit("\n".join(rows) + ("\n" if rows else ""), output)
    if doubtful and lines:
        _how_to_fix(lines[0], script, story)


def _how_to_fix(line: Line, script: Script, story: Path) -> None:
    """After the doubtful list, the fix for its first line as it goes in the cast file (on stderr: a pipe gets rows)."""
    cast = script.castfile.path if script.castfile else Path("voices") / f"{slugify(script.story.title)}.toml"
    first = "" if script.castfile else f"write the cast file with `narrator cast {story}`, then "
    speaker = line.alternative or "NAME"
    err.print(f"To fix a wrong line, {first}add this to {cast} (`narrator script` then shows it as override, and "
              f'the next build re-renders that line only):\n[[overrides]]\nid = "{line.segment.id}"\nspeaker = "{speaker}"',
              markup=False, highlight=False, soft_wrap=True)


_DOUBT = {"unknown": "no candidate", "implicit": "untagged, a turn-taking guess", "anaphoric": "the tag gives no name"}


def _doubt(ln: Line) -> str:
    """Why a doubtful line is doubtful, and whom else it may be: what a person fixing the cast acts on."""
    why = _DOUBT.get(ln.evidence, "a low score")
    return f": {why}" + (f"; or {ln.alternative}?" if ln.alternative else "")


@app.command("preview", cls=_Command)
def preview_cmd(
    story: StoryArg,
    chapter: Annotated[int | None, typer.Option("--chapter", "-c", min=1, help="Chapter number (default 1, or the chapter of --lines ids).")] = None,
    scene: Annotated[int | None, typer.Option("--scene", "-s", min=1, help="Scene number within the chapter.")] = None,
    lines: Annotated[str | None, typer.Option("--lines", help="Line range A-B within the chapter, or ids from `narrator script` (2:4-2:9).")] = None,
    speaker: Annotated[str | None, typer.Option("--speaker", help="Only this character's lines (a name or alias, or "
                                                "narrator/unknown): in the whole story, or in --chapter/--scene/--lines.")] = None,
    cast: CastOpt = None,
    engine: EngineOpt = DEFAULT_ENGINE,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Preview file: .wav (default output/<slug>/.cache/preview.wav, instant) or .mp3 (encoded like a chapter).")] = None,
    play: Annotated[bool, typer.Option("--play", help="Play the preview when it is ready (ffplay or aplay).")] = False,
    build_dir: Annotated[Path, typer.Option("--output-dir", help="Build output folder whose segment cache the preview "
                                            "shares (as `narrator build -o`).")] = Path("output"),
    voice_dir: VoiceDirOpt = None,
) -> None:
    """Render one scene (or lines, or one character's lines) with the real cast, in seconds."""
    _use_voice_dirs(voice_dir)
    span: tuple[int, int] | None = None
    if lines:
        id_chapter, first, last = _parse_range(lines)
        span = (first, last)
        if id_chapter is not None and chapter is not None and id_chapter != chapter:
            raise InputError(f"--lines {lines} is in chapter {id_chapter}, but --chapter says {chapter}: give one of them.")
        chapter = chapter or id_chapter
    if scene is not None and span is not None:
        raise InputError("give either --scene or --lines, not both.")
    if speaker is None:
        chapter = chapter or 1
        if scene is None and span is None:
            scene = 1
    path, seconds = preview(story, chapter, scene, span, cast, engine, output, build_dir, speaker=speaker)
    out.print(f"wrote {path} ({_clock(seconds)})")
    if play:
        _play(path)


@app.command("cast", cls=_Command)
def cast_cmd(
    story: StoryArg,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Cast file to write (default voices/<story-slug>.toml).")] = None,
    engine: EngineOpt = DEFAULT_ENGINE,
    voice_dir: VoiceDirOpt = None,
) -> None:
    """Show who speaks how often, pick voices, and write (or update) the cast file."""
    _use_voice_dirs(voice_dir)
    if output is not None:
        from narrator.faults import check_output_file

        check_output_file(output, "cast.toml")  # before the story is read and cast
        _not_the_story(output, story, ".toml")
    probe = make_script(story, None, find_cast=False)
    default = Path("voices") / f"{slugify(probe.story.title)}.toml"
    path = output or default
    if path.is_file() and not is_cast_file(path):
        other = default if default != path else path.with_name(f"{path.stem}-cast.toml")
        raise OutputError(f"{path} is not a cast file (it has no [narrator], [characters] or [story] table), so "
                          f"`narrator cast` will not rewrite it: give the cast file another name, e.g. -o {other}.")
    script = make_script(story, path if path.exists() else None, find_cast=False)
    casting = voices_for(script, engine)
    stats = _speaker_stats(script)
    table = Table(title=f"{script.story.title}: cast")
    for col in ("character", "aliases", "gender", "lines", "words", "voice"):
        table.add_column(col, justify="right" if col in ("lines", "words") else "left")
    table.add_row("(narrator)", "", "", "", "", casting.narrator.id)
    table.add_row("(unknown)", "", "", str(stats.get(None, (0, 0))[0]), str(stats.get(None, (0, 0))[1]), casting.unknown.id)
    entries = []
    silent: list[str] = []
    written = set(script.castfile.characters) if script.castfile else set()
    for c in script.characters:
        n_lines, n_words = stats.get(c.name, (0, 0))
        if n_lines == 0 and c.name not in written:
            # Found in the text but given no line ('"Returning," he said', a name in a ledger): no voice to choose.
            silent.append(c.name)
            continue
        voice = casting.characters[c.name]
        table.add_row(c.name, ", ".join(c.aliases[:3]), c.gender, str(n_lines), str(n_words), voice.id)
        values = {"voice": voice.id, "pitch": voice.pitch, "gender": c.gender}
        if c.aliases:
            values["aliases"] = list(c.aliases)
        entries.append((c.name, values, f"{_count(n_lines, 'line')}, {_count(n_words, 'word')}"))
    narrator = {"voice": casting.narrator.id, "rate": casting.narrator.rate, "pitch": casting.narrator.pitch}
    unknown = {"voice": casting.unknown.id, "rate": casting.unknown.rate}
    added = write_cast(path, script.story.title, narrator, unknown, entries)
    out.print(table)
    if silent:
        out.print(f"not cast, no lines: {', '.join(silent)} (add one to the file to give it a voice for an override).")
    what = f"added {', '.join(added)}" if added else "nothing new to add"
    # The next command, ready to paste: preview finds only voices/<slug>.toml by itself, so a cast written with -o
    # elsewhere (or for another engine) must be named, or the hint previewed without the voices just picked.
    nxt = ["narrator", "preview", str(story), "--chapter", "1"]
    if path.resolve() != default.resolve():
        nxt += ["--cast", str(path)]
    if engine != DEFAULT_ENGINE:
        nxt += ["--engine", engine]
    out.print(f"{'updated' if script.castfile else 'wrote'} {path} ({what}). Edit it, then: {shlex.join(nxt)}")


@app.command("voices", cls=_Command)
def voices_cmd(
    engine: EngineOpt = DEFAULT_ENGINE,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of voices.")] = False,
    language: Annotated[str | None, typer.Option("--language", help="Only voices whose language starts with this (e.g. en).")] = None,
    gender: Annotated[str | None, typer.Option("--gender", help="Only female, male or unknown voices.")] = None,
    sample: Annotated[str | None, typer.Option("--sample", help="Render this text in each VOICE given.")] = None,
    voice_ids: Annotated[list[str] | None, typer.Argument(help="Voices to audition with --sample.", show_default=False)] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for --sample auditions.")] = Path("output/voices"),
    voice_dir: VoiceDirOpt = None,
) -> None:
    """List the voices an engine offers (id, name, gender, language), or audition some with --sample."""
    _use_voice_dirs(voice_dir)
    if gender is not None and gender not in ("female", "male", "unknown"):
        raise InputError(f"--gender {gender!r}: use female, male or unknown.")
    eng = get_engine(engine)
    if sample is not None:
        _audition(engine, sample, voice_ids or [], output)
        return
    every = eng.voices()
    if language:
        # eSpeak writes "en-us", Piper "en-US", voice ids "en-US+f3" or "en_US-joe": `--language en-US` listed no
        # eSpeak voice at all. Case and "_"/"-" do not matter; a language no voice speaks is a mistake to name.
        def norm(code: str) -> str:
            return code.lower().replace("_", "-")

        every = [v for v in every if norm(v.language).startswith(norm(language))]
        if not every:
            codes = sorted({norm(v.language).split("-")[0] for v in eng.voices() if v.language})
            raise InputError(f"no {engine} voice speaks --language {language!r}; languages: {', '.join(codes)}.")
    voices = [v for v in every if not gender or v.gender == gender]
    if as_json:
        print(json.dumps([{"id": v.id, "name": v.name, "gender": v.gender, "language": v.language, "engine": v.engine}
                          for v in voices], ensure_ascii=False))
        return
    table = Table(title=f"{engine} voices ({len(voices)})")
    for col in ("id", "name", "gender", "language"):
        table.add_column(col)
    for v in voices:
        table.add_row(v.id, v.name, v.gender, v.language)
    out.print(table)


@app.command("clean", cls=_Command)
def clean_cmd(
    story: Annotated[Path | None, typer.Argument(help="Only this story's cache (default: every story's).", show_default=False)] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("output"),
    max_size: Annotated[str | None, typer.Option("--max-size", help="Keep the most recently used audio up to this size "
                                                 "(e.g. 2G, 500MB) instead of deleting it all.")] = None,
) -> None:
    """Delete cached segment audio, or trim it to --max-size (finished chapter files are kept)."""
    from narrator.cache import clear, parse_size, prune

    limit = parse_size(max_size, "--max-size") if max_size is not None else None
    if not output.is_dir():
        raise InputError(f"{output} is not a folder: give the build's output folder with -o (default output).")
    folders = [output / slugify(make_script(story, find_cast=False).story.title)] if story else sorted(output.glob("*"))
    caches = [f / ".cache" for f in folders if (f / ".cache").is_dir()]
    # A build that is running reads and writes its cache: cleaning under it would make it fail or render again.
    busy = [c for c in caches if book_busy(c.parent)]
    for cache in busy:
        warnings.warn(NarratorWarning(f"kept {cache.parent}'s cache: a narrator build is writing that book right "
                                      "now; run narrator clean again when it has finished."), stacklevel=1)
    caches = [c for c in caches if c not in busy]
    if limit is not None:
        done = prune(caches, limit)
        out.print(f"freed {done.freed_bytes / 1e6:.1f} MB ({done.removed} segments); "
                  f"{done.kept_bytes / 1e6:.1f} MB of cached audio kept")
        return
    freed = sum(clear(cache) for cache in caches)
    out.print(f"freed {freed / 1e6:.1f} MB of cached audio")


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False) -> None:
    if version:
        out.print(f"narrator {__version__}")
        raise typer.Exit()


# --- helpers ----------------------------------------------------------------------------------------


class _progress:
    """A rich progress bar (segments done, minutes of audio) on stderr; silent when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.quiet or not err.is_terminal:
            return None  # a bar nobody sees: in a log or a pipe it only left a blank line behind
        self.bar = Progress(TextColumn("[bold]rendering"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("segments · {task.fields[minutes]:.1f} min of audio"), TimeElapsedColumn(),
                            console=err, transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("render", total=None, minutes=0.0)

        def hook(done: int, total: int, seconds: float) -> None:
            assert self.bar is not None and self.task is not None
            self.bar.update(self.task, completed=done, total=total, minutes=seconds / 60)

        return hook

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _speaker_stats(script: Script) -> dict[str | None, tuple[int, int]]:
    lines: Counter[str | None] = Counter()
    words: Counter[str | None] = Counter()
    for ln in script.lines:
        if ln.segment.kind == "dialogue":
            lines[ln.speaker] += 1
            words[ln.speaker] += len(ln.segment.text.split())
    return {k: (lines[k], words[k]) for k in lines}


def _audition(engine: str, text: str, voice_ids: list[str], folder: Path) -> None:
    from narrator.assemble import TARGET_RMS_DB
    from narrator.export import Tags, write_mp3
    from narrator.models import Voice
    from narrator.synthesis import SAMPLE_RATE, trim

    if not any(ch.isalnum() for ch in text):
        raise InputError(f"--sample {text!r} has nothing to say: give a sentence, e.g. --sample \"The lamps are lit.\"")
    if not voice_ids:
        raise InputError("name the voices to audition, e.g. `narrator voices --sample \"Hello\" gmw/en-US+f3 gmw/en+m3`.")
    from narrator.faults import check_output_folder

    check_output_folder(folder)  # before any rendering: a folder that cannot be written fails first
    import numpy as np
    from pydub import AudioSegment

    eng = Engines(engine).get()
    for vid in voice_ids:
        if not eng.has_voice(vid):
            raise InputError(f"{engine} has no voice {vid!r}; run `narrator voices --engine {engine}` for the list.")
        audio = eng.synthesize(text, Voice(engine, vid))
        x = trim(np.frombuffer(audio.pcm, dtype=np.int16)).astype(np.float32)
        rms = float(np.sqrt(np.mean((x / 32768) ** 2))) if x.size else 0.0
        if rms > 0:
            x *= 10 ** (TARGET_RMS_DB / 20) / rms
        seg = AudioSegment(np.clip(x, -32768, 32767).astype(np.int16).tobytes(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)
        dest = folder / f"{slugify(vid)}.mp3"
        write_mp3(seg, dest, Tags(f"Voice {vid}", "narrator voices", None, 1, 1), digest="audition")
        out.print(f"wrote {dest} ({_clock(len(seg) / 1000)})")


def _use_voice_dirs(folders: list[Path] | None) -> None:
    """--voice-dir goes first in NARRATOR_PIPER_VOICES, which every engine process reads."""
    if not folders:
        return
    for folder in folders:
        if not folder.is_dir():
            raise InputError(f"--voice-dir {folder} is not a folder: create it and put Piper voices "
                             "(NAME.onnx + NAME.onnx.json) in it.")
    import os

    current = [p for p in os.environ.get("NARRATOR_PIPER_VOICES", "").split(os.pathsep) if p]
    os.environ["NARRATOR_PIPER_VOICES"] = os.pathsep.join([*(str(f.resolve()) for f in folders), *current])


def _parse_range(text: str) -> tuple[int | None, int, int]:
    # Accept "10-25", a single "12", or ids as `narrator script` prints them ("2:10-2:25", whose
    # chapter is returned first; None when the range names no chapter).
    m = re.fullmatch(r"\s*(?:(\d+):)?(\d+)\s*(?:-\s*(?:(\d+):)?(\d+))?\s*", text)
    if m is None or (m.group(1) and m.group(3) and m.group(1) != m.group(3)):
        raise InputError(f"--lines takes a range within one chapter like 10-25 (or 2:10-2:25), not {text!r}.")
    chapter = m.group(1) or m.group(3)
    return (int(chapter) if chapter else None), int(m.group(2)), int(m.group(4) or m.group(2))


def _play(path: Path) -> None:
    other = ["aplay", "-q", str(path)] if path.suffix.lower() == ".wav" else ["mpg123", "-q", str(path)]
    for cmd in (["ffplay", "-nodisp", "-autoexit", "-loglevel", "error", str(path)], other):
        if shutil.which(cmd[0]):
            # Its complaints are caught, not passed through: without a sound device ffplay prints a dozen
            # ALSA lines and still exits 0. The preview is made either way; say so in one line.
            done = subprocess.run(cmd, check=False, stderr=subprocess.PIPE, text=True, errors="replace")
            complaint = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
            if done.returncode != 0 or complaint:
                why = next((ln for ln in complaint if "audio open failed" in ln), complaint[-1] if complaint else
                           f"exit status {done.returncode}")
                _report("warning", f"{cmd[0]} could not play {path} ({why}; is there a sound device?). "
                                   "The preview file is ready: open it in any audio player.")
            return
    err.print(f"no audio player found (install ffplay from ffmpeg, or {other[0]}); the preview file is ready to open.")


def _not_the_story(dest: Path | None, story: Path, suffix: str = ".script.txt") -> None:
    """`-o` naming the story file itself (a slip of the shell's history) would replace the story."""
    if dest is not None and str(story) != "-" and dest.exists() and story.exists() and dest.samefile(story):
        raise OutputError(f"-o {dest} is the story file itself: give another name, e.g. -o {dest.with_suffix(suffix)}.")


_SCRIPT_ROW = re.compile(r"\s*\d+:\d+  \S")  # "    1:4  Mira  ..." as script_cmd prints a line


def _replaceable_by_script(dest: Path, source: bool, story_text: str) -> bool:
    """Whether `script -o` may replace this existing file: one it wrote (a script as text or JSONL, or this
    story's --source text), or an empty one.

    A cast file, a lexicon or another story given to -o by mistake is the user's work and is kept. --source
    writes the story's plain text, which no test can tell from a story, so it may also replace plain text,
    but never TOML (cast files, lexicons), a web page or a binary file (an EPUB, audio).
    """
    try:
        data = dest.read_bytes()
    except OSError:
        return True  # unreadable: the write that follows reports it
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None or text == story_text:
        return True
    if _SCRIPT_ROW.match(first):
        return True
    with contextlib.suppress(ValueError):
        row = json.loads(first)
        if isinstance(row, dict) and {"speaker", "kind", "text"} <= row.keys():
            return True
    if not source or "\x00" in text or first.lstrip().startswith("<"):
        return False
    import tomllib

    try:
        return not tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True


def _emit(text: str, dest: Path | None) -> None:
    if dest is None:
        sys.stdout.write(text)
        return
    import os

    from narrator.faults import check_output_file, output_error

    check_output_file(dest, "script.txt")
    # Written under a temporary name and renamed: an interrupted run never leaves half a script where
    # a finished one was.
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise output_error(exc, dest) from None


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


_errors: list[str] = []  # errors reported by this run


def _report(kind: str, message: object) -> None:
    """One line on stderr; the message is escaped so "[characters.Ada]" is not taken for rich markup."""
    if kind == "error":
        _errors.append(str(message))
    style = "bold red" if kind == "error" else "yellow"
    err.print(f"[{style}]{kind}:[/] {escape(str(message))}", highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point: user mistakes become one line on stderr and a non-zero exit, never a traceback."""
    code = 0
    _errors.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # Not typer's standalone mode: it draws a usage mistake as a framed box of several lines and turns
            # Ctrl-C into a silent exit 130; here each is one line like every other error.
            result = app(standalone_mode=False)
            code = result if isinstance(result, int) else 0
            if code == 130:  # typer's answer to KeyboardInterrupt
                _interrupted()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except NarratorError as exc:
            _report("error", exc)
            code = exc.exit_code
        except KeyboardInterrupt:
            _interrupted()
            code = 130
        except _click.NoArgsIsHelpError as exc:
            exc.show()
            code = exc.exit_code
        except _click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "narrator"
            _report("error", f"{exc.format_message().rstrip('.')}. See `{command} --help`.")
            code = exc.exit_code
        except _click.ClickException as exc:
            _report("error", exc.format_message())
            code = exc.exit_code
        except typer.Abort:
            err.print("aborted.")
            code = 1
        except OSError as exc:
            # A safety net: a file problem no check above foresaw is still one line, not a traceback.
            where = f"{exc.filename}: " if exc.filename else ""
            _report("error", f"{where}{exc.strerror or exc}. Check the path, its permissions and free space.")
            code = 1
        finally:
            # A mistake is one line: warnings raised on the way to it (a cast-file name not in the story, say)
            # would only bury it, and the next run shows them again once the mistake is fixed.
            if not _errors:
                for w in caught:
                    if w.category.__name__ == "NarratorWarning":
                        _report("warning", w.message)
    sys.exit(code)


def _count(n: int, noun: str) -> str:
    """"1 chapter", "2 chapters": a one-chapter story is common (a one-shot)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _not_needed(count: int) -> str:
    """After `narrator clean` an up-to-date book has no cached segments: say why none was rendered."""
    return f", {count} not needed (their chapters were up to date)" if count else ""


def _interrupted() -> None:
    err.print(INTERRUPTED, soft_wrap=True, markup=False, highlight=False)
