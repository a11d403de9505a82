"""The pipeline, read top to bottom: story -> chapters -> segments -> lines -> cues -> clips -> MP3s."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from narrator.assemble import PACING, ChapterAudio, Stopped, assemble, pacing_used
from narrator.attribution import attribute
from narrator.budget import Budget, give_back, map_large_buffers
from narrator.cache import PREVIEW_FILE, ClipCache, max_cache_bytes
from narrator.castfile import CastFile, CharacterEntry, cover_path, load_cast
from narrator.casting import (
    NARRATOR,
    UNKNOWN,
    Casting,
    Engines,
    apply_overrides,
    assign_voices,
    cast,
    merge_aliases,
)
from narrator.chapters import split_chapters
from narrator.characters import find_characters
from narrator.dialogue import split_dialogue
from narrator.engines import ENGINES
from narrator.errors import CastError, InputError, NarratorError, OutputError
from narrator.export import (
    Missed,
    Tags,
    cut_utf8,
    file_digest,
    remove_old_chapters,
    require_ffmpeg,
    write_bytes_atomically,
    write_chapter,
)
from narrator.faults import (
    DEFAULT_TIMEOUT,
    Failure,
    check_output_folder,
    check_same_story,
    encode_error,
    prune_failed,
    read_failed,
    sweep_stale_temps,
)
from narrator.listening import (
    Delivery,
    book_current,
    book_digest,
    book_made,
    captions_stale,
    chapter_seconds,
    finish_book,
    keep_chapter,
    make_chapter,
    needs_audio,
    pacing_for,
    up_to_date,
)
from narrator.mastering import LOUDNESS_TOLERANCE, Mastering, master, memory_per_sample
from narrator.models import BuildResult, Chapter, ChapterResult, Character, Clip, Line, Story
from narrator.normalize import load_lexicon
from narrator.reader import NarratorWarning, read_story
from narrator.synthesis import (
    SAMPLE_RATE,
    Progress,
    interrupt_after,
    narrator_settings,
    plan,
    process_context,
    stop_pool,
    synthesize,
)

SHARED_LEXICON = Path("voices") / "lexicon.toml"  # beside the cast files, read from the current folder like them

# A build analyses a story of this size or more in a child process. Attribution's passing objects (~20 MB for a
# 100k-word novel) are freed, but the few objects that outlive them pin the allocator's arenas, so the build's
# main process would keep that memory for hours and grow with book length (measured: 72 MB after the script of
# a 100k-word novel in-process, 51 MB when the script comes from a child). Below this size the child's start-up
# (~0.5 s of imports) costs more than the memory it saves.
ANALYSE_APART_BYTES = 200_000


@dataclass(frozen=True)
class Script:
    """Everything known about a story before any audio exists."""

    story: Story
    chapters: tuple[Chapter, ...]
    characters: tuple[Character, ...]
    lines: tuple[Line, ...]
    castfile: CastFile | None
    lexicon: dict[str, str]
    """How to say words: voices/lexicon.toml (shared by every story) overlaid by the cast file's [lexicon]."""


def make_script(story_path: str | Path, cast_path: str | Path | None = None, include_notes: bool = False,
                find_cast: bool = True) -> Script:
    """Read, split and attribute a story; apply the cast file's aliases and line overrides.

    Without `cast_path`, voices/<story-slug>.toml is used when it exists (what `narrator cast` writes).
    """
    story = read_story(story_path)
    if cast_path is None and find_cast:
        candidate = Path("voices") / f"{slugify(story.title)}.toml"
        cast_path = candidate if candidate.is_file() else None
    castfile = load_cast(cast_path) if cast_path else None
    own_title = story.title
    story = _with_story_overrides(story, castfile)
    chapters = split_chapters(story, include_notes=include_notes)
    segments = [seg for chapter in chapters for seg in split_dialogue(story, chapter)]
    if not any(seg.text.strip() for seg in segments if not seg.heading):
        raise InputError(f"{story_path} has no story text to read (only headings or author's notes).")
    found = find_characters(story, segments)
    _check_cast_is_this_storys(castfile, own_title, found, story.text)
    characters = merge_aliases(found, castfile)
    lines = attribute(segments, characters)
    lines = apply_overrides(lines, castfile, {c.name for c in characters})
    _warn_absent(castfile, found, lines, story.text)
    lexicon = {**load_lexicon(SHARED_LEXICON), **(castfile.lexicon if castfile else {})}
    return Script(story, tuple(chapters), tuple(characters), tuple(lines), castfile, lexicon)


def _not_in_text(castfile: CastFile, found: Sequence[Character], text: str) -> list[CharacterEntry]:
    """The cast file's characters that the story neither has as a character nor writes, by name or alias."""
    known = {n for c in found for n in (c.name, *c.aliases)}

    def written(name: str) -> bool:  # in the text as a whole word, though not found as a character
        return re.search(r"(?<![^\W\d_])" + r"\s+".join(map(re.escape, name.split())) + r"(?![^\W\d_])", text) is not None

    # A name the text does write is not misspelt, so "not in this story" would be false for it.
    return [e for e in castfile.characters.values()
            if not ({e.name, *e.aliases} & known) and not any(written(n) for n in (e.name, *e.aliases) if n.strip())]


def _check_cast_is_this_storys(castfile: CastFile | None, own_title: str, found: Sequence[Character], text: str) -> None:
    """A cast file written for another story is an error: its [story] title would title (and file) this book as that
    one, and its overrides would move this story's lines to that story's people (walk11: The Ferryman's Ledger built
    as "The Lamplighter's Apprentice", line 2:10 spoken by Mara). Told apart from a title changed on purpose by its
    characters: most of another story's are not in this one."""
    title = castfile.story.get("title") if castfile else None
    if castfile is None or not title or slugify(title) == slugify(own_title) or not castfile.characters:
        return
    absent = _not_in_text(castfile, found, text)
    if 2 * len(absent) <= len(castfile.characters):
        return
    names = ", ".join(e.name for e in absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
    raise CastError(f'{castfile.path} is the cast file of "{title}", not of "{own_title}": {len(absent)} of its '
                    f"{len(castfile.characters)} characters ({names}) are not in this story. Give this story's cast file "
                    f"with --cast, or write one with `narrator cast STORY -o voices/{slugify(own_title)}.toml`.")


def _warn_absent(castfile: CastFile | None, found: Sequence[Character], lines: Sequence[Line], text: str) -> None:
    """A cast-file character the story never names and no line goes to is most likely a misspelt name."""
    if castfile is None:
        return
    speaking = {ln.speaker for ln in lines}
    absent = [e for e in _not_in_text(castfile, found, text) if e.name not in speaking]
    if absent:
        names = ", ".join(f'"{e.name}" (line {e.setting.line})' if e.setting.line else f'"{e.name}"' for e in absent[:5])
        more = f" and {len(absent) - 5} more" if len(absent) > 5 else ""
        warnings.warn(NarratorWarning(
            f"{castfile.path}: {names}{more} {'is' if len(absent) == 1 else 'are'} not in this story and "
            f"speak{'s' if len(absent) == 1 else ''} no line; check the spelling against `narrator script`, "
            "or give them a line with [[overrides]]." + _renamed_hint(castfile, found, absent)), stacklevel=2)


def _renamed_hint(castfile: CastFile, found: Sequence[Character], absent: Sequence[CharacterEntry]) -> str:
    """The story's character a misspelt or renamed table most likely meant, and how to rename one: renaming
    [characters.Mara] to "Mara Finch" left Mara with an automatic voice and said nothing about her (walk11)."""
    owned = {n for e in castfile.characters.values() for n in (e.name, *e.aliases)}
    free = [c.name for c in found if not ({c.name, *c.aliases} & owned)]
    guesses: list[tuple[str, str]] = []
    for e in absent:
        words = set(e.name.lower().split())
        near = [n for n in free if words & set(n.lower().split())] or difflib.get_close_matches(e.name, free, 1, 0.75)
        if near:
            guesses.append((e.name, near[0]))
    if not guesses:
        return ""
    meant = ", ".join(f'"{story}"' + (f' for "{table}"' if len(guesses) > 1 else "") for table, story in guesses)
    return (f" Did you mean {meant}? To give a character a name of your own, keep the story's as an alias in its "
            f'table: aliases = ["{guesses[0][1]}"].')


def _script_for_build(story_path: str | Path, cast_path: str | Path | None, include_notes: bool) -> Script:
    """make_script, in a child process for a long story (see ANALYSE_APART_BYTES); its warnings are re-issued here."""
    path = Path(story_path)
    if str(story_path) == "-" or not path.is_file() or path.stat().st_size < ANALYSE_APART_BYTES:
        return make_script(story_path, cast_path, include_notes)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=process_context()) as child:
            try:
                with interrupt_after():  # submit starts the child: see interrupt_after
                    analysis = child.submit(_script_apart, os.getcwd(), narrator_settings(), dict(ENGINES),
                                            story_path, cast_path, include_notes)
                script, caught = analysis.result()
            except KeyboardInterrupt:
                stop_pool(child)  # the analysis is not waited for, nor left behind (its errors end it anyway)
                raise
    except BrokenProcessPool:
        # The child was killed (most likely by the system, for memory); one line, not the pool's traceback.
        raise NarratorError(f"the analysis of {story_path} stopped unexpectedly (its process was killed: out of "
                            "memory?). Close other programs and run the build again.") from None
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    return script


def _script_apart(cwd: str, settings: dict[str, str], engines: dict[str, str], story_path: str | Path,
                  cast_path: str | Path | None, include_notes: bool) -> tuple[Script, list[tuple[str, type[Warning]]]]:
    # A forkserver's children start as the forkserver was when it started: in its folder (cast and lexicon
    # paths are relative), with its environment (--voice-dir sets NARRATOR_PIPER_VOICES), and with only the
    # engines registered at import (a cast file may name one registered at run time).
    os.chdir(cwd)
    os.environ.update(settings)
    ENGINES.update(engines)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        script = make_script(story_path, cast_path, include_notes)
    return script, [(str(w.message), w.category) for w in caught]


def build(story_path: str | Path, output: Path, cast_path: str | Path | None = None, engine: str = "pyttsx3",
          jobs: int = 1, cover: Path | None = None, include_notes: bool = False,
          progress: Progress | None = None, delivery: Delivery | None = None, keep_going: bool = False,
          timeout: float = DEFAULT_TIMEOUT) -> BuildResult:
    """Build one tagged MP3 per chapter (and/or one M4B) under output/<slug>/, redoing only what changed."""
    how = delivery or Delivery()
    started = time.monotonic()
    map_large_buffers()  # chapter-sized arrays are unmapped when freed: memory does not grow with chapter length
    require_ffmpeg()
    max_cache_bytes()  # a malformed NARRATOR_CACHE_MAX fails before any work, not after it
    script = _script_for_build(story_path, cast_path, include_notes)
    engines = Engines(engine)
    casting = assign_voices(script.characters, script.lines, engines, script.castfile)
    clips = plan(cast(script.lines, casting, script.chapters, script.lexicon), engines)
    folder = output / slugify(script.story.title)
    cache = ClipCache(folder / ".cache")
    check_output_folder(folder)  # fail before any rendering, not after an hour of it
    # One build at a time writes a book: a second one would sweep the first one's temporary files and read its
    # half-written cache entries (walk10: it stopped with "audio ... changed in the cache during the build").
    with book_lock(folder):
        ours = check_same_story(folder, script.story.text, output)  # same title, another story: not ours to replace
        sweep_stale_temps(folder)
        toned = read_failed(cache.root)  # chapters holding a stand-in tone are rebuilt until the line renders
        cover_bytes, cover_mime = _cover(script, cover)
        pacing = pacing_for({**PACING, **(script.castfile.pacing if script.castfile else {})}, how)
        by_chapter: dict[int, list[Clip]] = {ch.number: [] for ch in script.chapters}
        for c in clips:  # one pass: scanning every clip once per chapter grew with chapters x segments
            if (group := by_chapter.get(c.cue.line.segment.chapter)) is not None:
                group.append(c)
        width = max(2, len(str(len(script.chapters))))
        cover_sha = hashlib.sha256(cover_bytes or b"").hexdigest()  # a cover can be megabytes: once, not per chapter
        jobs_out: dict[int, tuple[Path, Tags, str]] = {}
        results: dict[int, ChapterResult] = {}
        digests: dict[int, str] = {}
        planned: list[Path] = []  # every chapter's MP3 name, written or not (--format m4b): older names are stale
        for ch in script.chapters:
            dest = folder / f"{ch.number:0{width}d} {safe_filename(ch.title)}.mp3"
            planned.append(dest)
            tags = Tags(ch.title, script.story.title, script.story.author, ch.number, len(script.chapters),
                        script.story.description, cover_bytes, cover_mime)
            digest = digests[ch.number] = _digest(by_chapter[ch.number], tags, pacing, how.fingerprint(), cover_sha)
            if up_to_date(dest, digest, how, cache) and not toned & {c.key for c in by_chapter[ch.number]}:
                results[ch.number] = ChapterResult(ch.number, ch.title, dest,
                                                   chapter_seconds(dest, digest, how, cache, SAMPLE_RATE), encoded=False)
            else:
                jobs_out[ch.number] = (dest, tags, digest)
        book = Tags(script.story.title, script.story.title, script.story.author, 1, 1, script.story.description,
                    cover_bytes, cover_mime)
        whole = book_digest(book, [(ch.title, digests[ch.number]) for ch in script.chapters])
        # A kept chapter whose captions or M4B master must be made again needs its lines' audio; after `narrator
        # clean` that is gone, and assembling it failed on every run ("went missing from the cache"): render it.
        m4b = folder / f"{folder.name}.m4b"
        made = book_made(m4b, whole, how)  # read once: finish_book is told, not left to read the M4B's tags again
        ready = book_current(m4b, whole, how, made)
        stale = {n for n, kept in results.items() if captions_stale(kept.file, digests[n], how)}  # read once
        again = [c for n in results if needs_audio(digests[n], cache, ready, n in stale)
                 for c in by_chapter[n] if not cache.path(c.key).exists()]
        # Longest chapter first: its encode (the slowest) then overlaps the rendering of the others instead of
        # running alone at the end of the build.
        order = sorted(jobs_out, key=lambda n: -sum(len(c.cue.speech) for c in by_chapter[n]))
        wanted = [c for n in order for c in by_chapter[n]] + again
        remaining = {n: {c.key for c in by_chapter[n]} for n in jobs_out}
        chapters_of: dict[str, list[int]] = {}  # key -> the chapters waiting for it (a line may recur across chapters)
        for n, keys in remaining.items():
            for key in keys:
                chapters_of.setdefault(key, []).append(n)
        encodes: dict[int, Future[ChapterResult]] = {}
        missed: dict[int, Missed] = {}  # chapters whose MP3 missed its loudness target or ceiling (one line at the end)
        budget = Budget()
        stop = threading.Event()  # set when the build ends early: chapters being encoded stop at their next clip
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as encoder:

            def encode(n: int) -> ChapterResult:
                # Mastering keeps a few bytes per ~1.6 ms block of the chapter; long chapters at once share a budget.
                try:
                    # The layout reads each clip's cache header once; its speech length sizes the hold (it was read
                    # a first time for the hold alone, the clips of every chapter twice per build).
                    audio = replace(assemble(by_chapter[n], cache, SAMPLE_RATE, pacing), stop=stop)  # levelled in mastering
                    speech = sum(t.end - t.start for t in audio.timeline)
                    with budget.hold(int(speech * memory_per_sample())):
                        return encode_chapter(n, audio)
                finally:
                    # The chapter's block figures and chunk buffers are freed to malloc, which would keep them for
                    # the rest of the build (one arena per encoder thread): the longest chapter would set the RSS.
                    give_back()

            def encode_chapter(n: int, audio: ChapterAudio) -> ChapterResult:
                dest, tags, digest = jobs_out[n]
                try:
                    miss = make_chapter(audio, dest, tags, digest, how, cache)
                    if miss is not None:
                        missed[n] = miss
                except (NarratorError, Stopped):
                    raise
                except Exception as exc:  # the encoder failed: usually a full disk; say so instead of a traceback
                    raise encode_error(exc, dest) from None
                return ChapterResult(n, tags.title, dest, audio.seconds, encoded=True)

            def chapter_ready(key: str) -> None:
                for n in chapters_of.get(key, ()):
                    keys = remaining[n]
                    keys.discard(key)
                    if not keys and n not in encodes:
                        encodes[n] = encoder.submit(encode, n)

            try:
                for n, keys in remaining.items():
                    if not keys:
                        encodes[n] = encoder.submit(encode, n)
                failures: list[Failure] = []
                rendered = synthesize(wanted, cache, engines, jobs, progress, on_done=chapter_ready,
                                      keep_going=keep_going, timeout=timeout, failures=failures)
                prune_failed(cache.root, {c.key for c in clips})
                for n in jobs_out:
                    if n not in encodes:
                        encodes[n] = encoder.submit(encode, n)
                for n, fut in encodes.items():
                    results[n] = fut.result()
            except BaseException:
                # Ctrl-C or a failed chapter. Leaving the `with` waits for every chapter handed to the encoder, and
                # LAME encodes in our own threads (no ffmpeg process for the signal to end): without this, Ctrl-C
                # went on mastering and encoding every queued chapter, tens of seconds to minutes, before it was heard.
                stop.set()
                encoder.shutdown(wait=True, cancel_futures=True)
                raise
        if cover_bytes:
            cover_file = folder / f"cover.{'png' if cover_mime.endswith('png') else 'jpg'}"
            # Atomic like every other output (a full disk left a torn image that later builds kept), and rewritten
            # when the cover changed: a new --cover used to leave the first one in place for good.
            if not cover_file.is_file() or cover_file.read_bytes() != cover_bytes:
                write_bytes_atomically(cover_file, cover_bytes)
        for n in sorted(stale):
            keep_chapter(by_chapter[n], cache, results[n].file, digests[n], how, pacing, SAMPLE_RATE)
        chapters = tuple(results[n] for n in sorted(results))
        finish_book(chapters, by_chapter, cache, folder, book, digests, pacing, how, whole, made, SAMPLE_RATE)
        # Only in a folder its captions show to be this story's: without them (deleted by hand) the old chapters may
        # be another story's of the same title, which this build must not touch.
        if missed:
            warnings.warn(NarratorWarning(missed_targets(missed, how)), stacklevel=2)
        gone = remove_old_chapters(folder, planned) if ours else []
        if gone:
            warnings.warn(NarratorWarning(f"removed {len(gone)} chapter file{'s' if len(gone) != 1 else ''} of this book "
                                          f"that the story no longer has: {', '.join(gone)}."), stacklevel=2)
        keys = {c.key for c in clips}
        # A segment of an up-to-date chapter that is not in the cache (after `narrator clean`) was neither rendered
        # nor reused: the kept chapter file did not need it. Counting it as reused told the user the cache was warm.
        needed = {c.key for c in wanted}
        not_needed = sum(1 for k in keys - needed if not cache.path(k).exists())
        _bound_cache(cache, keys)
        return BuildResult(chapters, rendered, len(keys) - rendered - not_needed, sum(c.seconds for c in chapters),
                           time.monotonic() - started, tuple(f"replaced by a tone: {f.describe()}" for f in failures),
                           not_needed)


def _lock_file(folder: Path) -> Path:
    return folder / ".cache" / "build.lock"


@contextlib.contextmanager
def book_lock(folder: Path) -> Iterator[None]:
    """Hold the book folder's build lock (a lock on .cache/build.lock) for the length of a build.

    The kernel releases it when the build ends however it ends (killed, power lost), so a stale lock never
    stops the next build. Where there is no flock (Windows), builds are not serialised, as before."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux or macOS
        yield
        return
    lock = _lock_file(folder)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another narrator build is writing {folder} right now; wait for it to finish, then "
                              "run this one again (it reuses what the other rendered).") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def book_busy(folder: Path) -> bool:
    """Whether a build holds the book folder's lock right now (see book_lock); never creates the lock file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux or macOS
        return False
    try:
        f = open(_lock_file(folder), "rb")  # noqa: SIM115 - held only for the probe below
    except OSError:
        return False  # no lock file: no build has held it
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def missed_targets(missed: Mapping[int, Missed], how: Delivery) -> str:
    """One line for the chapters whose MP3 missed the loudness target or the true-peak ceiling, and why."""
    m = how.mastering
    unit = "dB RMS" if m.rms is not None else "LUFS"
    target = m.rms if m.rms is not None else m.loudness
    span = lambda v: f"{min(v):.1f}" if f"{min(v):.1f}" == f"{max(v):.1f}" else f"{min(v):.1f} to {max(v):.1f}"  # noqa: E731
    quiet = {n: x for n, x in missed.items() if x.quiet}
    loud = {n: x for n, x in missed.items() if x.over}
    parts = []
    if quiet:
        parts.append(f"{_chapters(quiet)} reached {span([x.level for x in quiet.values()])} {unit}, not {target:g} "
                     f"(+-{LOUDNESS_TOLERANCE:g})" + (": under the ceiling the limiter takes back most of any more "
                     "gain (speech peaks stand ~11 dB over its loudness)" if any(x.limited for x in quiet.values()) else ""))
    if loud:
        parts.append(f"{_chapters(loud)} peaked at {span([x.true_peak for x in loud.values()])} dBTP, at or over the "
                     f"{m.true_peak:g} dBTP ceiling: the MP3 encoder's ringing lifts limited peaks 1-2 dB")
    return "; ".join(parts) + ". Lower --loudness or raise --true-peak."


def _chapters(which: Mapping[int, object]) -> str:
    return f"chapter{'s' if len(which) > 1 else ''} {', '.join(str(n) for n in sorted(which))}"


def preview(story_path: str | Path, chapter: int | None, scene: int | None = None, lines: tuple[int, int] | None = None,
            cast_path: str | Path | None = None, engine: str = "pyttsx3", out_file: Path | None = None,
            output: Path = Path("output"), jobs: int = 1, speaker: str | None = None) -> tuple[Path, float]:
    """Render one scene (or a range of line numbers) of one chapter with the real cast; returns (file, seconds).

    With `speaker`, only that character's lines (or the narrator's, or the unknown speaker's) in that range, or in
    the whole book when `chapter` is None, at most SPEAKER_PREVIEW_LINES of them."""
    require_ffmpeg()
    if out_file is not None:
        # Checked before anything is rendered, like a build's output folder.
        if out_file.is_dir():
            raise OutputError(f"-o {out_file} is a folder: give a file name, e.g. -o {out_file / 'preview.wav'}.")
        if out_file.suffix.lower() not in (".wav", ".mp3"):
            raise InputError(f"-o {out_file}: a preview is written as .wav or .mp3; give a name ending in one of them.")
        if out_file.exists() and not _is_preview(out_file):
            raise OutputError(f"-o {out_file} exists and is not a preview narrator wrote (a chapter, a recording?): "
                              f"it is kept; give the preview another name.")
    script = make_script(story_path, cast_path)
    who = _speaker_named(speaker, script) if speaker is not None else None
    if chapter is None and (who is None or scene is not None or lines is not None):
        chapter = 1  # a scene or a line range is one chapter's; only a speaker's lines may come from the whole book
    ch: Chapter | None = None
    chapter_lines = list(script.lines)
    if chapter is not None:
        chapters = {c.number: c for c in script.chapters}
        if chapter not in chapters:
            raise InputError(f"chapter {chapter} does not exist: {Path(str(story_path)).name} has chapters 1 to {len(chapters)}.")
        ch = chapters[chapter]
        chapter_lines = [ln for ln in script.lines if ln.segment.chapter == chapter]
    if scene is not None and ch is not None:
        if not 1 <= scene <= len(ch.scenes):
            raise InputError(f"scene {scene} does not exist: chapter {chapter} has "
                             f"{f'scenes 1 to {len(ch.scenes)}' if len(ch.scenes) > 1 else 'one scene'}.")
        # The heading (scene 0) opens the first scene, as the chapter MP3's first scene marker starts at 0: how a
        # title is read, and the pause after it, were heard only in the built book.
        chapter_lines = [ln for ln in chapter_lines if ln.segment.scene == scene or (scene == 1 and ln.segment.scene == 0)]
    elif lines is not None:
        a, b = lines
        last = chapter_lines[-1].segment.index if chapter_lines else 0
        if a > b:
            raise InputError(f"lines {a}-{b} run backwards: give the first line first (--lines {b}-{a}).")
        if a < 0 or a > last:
            raise InputError(f"lines {a}-{b} are not in chapter {chapter}: its lines run 0 to {last} (see `narrator script`).")
        if b > last:
            # Played as far as the chapter goes, and said: a range past the end is usually a typo or a guess.
            warnings.warn(NarratorWarning(f"chapter {chapter} ends at line {last}: previewing lines {a}-{last}, "
                                          f"not {a}-{b}."), stacklevel=2)
            lines = (a, last)
        chapter_lines = [ln for ln in chapter_lines if a <= ln.segment.index <= b]
    if who is not None:
        chapter_lines = [ln for ln in chapter_lines if _says(ln, who)]
        where = (f"chapter {chapter}" + (f" scene {scene}" if scene is not None else
                                         f" lines {lines[0]}-{lines[1]}" if lines else "")) if chapter else "the story"
        if not chapter_lines:
            named = {NARRATOR: "the narrator", UNKNOWN: "the unknown speaker"}.get(who, who)
            raise InputError(f"{named} has no line in {where}: see `narrator script` for who speaks where.")
        if len(chapter_lines) > SPEAKER_PREVIEW_LINES:
            # A lead speaks hundreds of lines in a novel: a sample is what a voice check needs, in seconds.
            warnings.warn(NarratorWarning(f"{who} has {len(chapter_lines)} lines in {where}: previewing the first "
                                          f"{SPEAKER_PREVIEW_LINES} ({chapter_lines[SPEAKER_PREVIEW_LINES - 1].segment.id} "
                                          "is the last; give --chapter for later ones)."), stacklevel=2)
            chapter_lines = chapter_lines[:SPEAKER_PREVIEW_LINES]
    engines = Engines(engine)
    casting = assign_voices(script.characters, script.lines, engines, script.castfile)
    clips = plan(cast(chapter_lines, casting, script.chapters, script.lexicon), engines)
    if not clips:
        raise InputError(f"chapter {chapter} has nothing to say in that range.")
    folder = output / slugify(script.story.title)
    cache = ClipCache(folder / ".cache")
    if out_file is not None:
        check_output_folder(out_file.parent)  # before rendering, not after it
    synthesize(clips, cache, engines, jobs)
    # The cast file's [pacing] as the build uses it (the preview used the built-in pauses, so a lengthened
    # speaker_change was heard only in the book); only the room tone around it is the preview's own, shorter.
    pacing = {**PACING, **(script.castfile.pacing if script.castfile else {}), "chapter_head": 200, "chapter_tail": 500}
    audio = assemble(clips, cache, SAMPLE_RATE, pacing)
    # Not in the book folder: audiobook apps list every audio file there as a chapter. The cache folder is
    # hidden (apps and media scanners skip dot-folders), is already this story's, and `narrator clean` empties it.
    dest = out_file or cache.root / PREVIEW_FILE
    label = ", ".join(part for part in (f"{who}'s lines" if who else "", f"scene {scene}" if scene is not None else
                                        f"lines {lines[0]}-{lines[1]}" if lines else "") if part) or "all"
    # Mastered like the build (voices levelled, loudness, limiter), without room tone: a preview is heard as is.
    if dest.suffix.lower() == ".mp3":
        # Encoded as a chapter is: aimed up by what LAME takes off, decoded and measured, mastered again if it
        # missed (it came out 0.4 LU under the target when it was only encoded).
        how = Delivery(mastering=Mastering(room_tone=None))
        tags = Tags(f"Preview: {ch.title if ch else script.story.title}, {label}", script.story.title,
                    script.story.author, 1, 1)
        miss = write_chapter(audio, dest, tags, "preview", how, captions=False)  # "preview": the next -o may replace it
        if miss is not None:
            warnings.warn(NarratorWarning(missed_targets({chapter or 1: miss}, how)), stacklevel=2)
    else:
        _write_wav(master(audio.pcm, SAMPLE_RATE, Mastering(room_tone=None), speakers=audio.spans("role"),
                          voices=audio.spans("voice")), SAMPLE_RATE, dest)
    return dest, audio.seconds


# How many of one speaker's lines `preview --speaker` plays: enough to judge a voice, rendered in seconds.
SPEAKER_PREVIEW_LINES = 12


def _speaker_named(name: str, script: Script) -> str:
    """The character (or "narrator", "unknown") that `preview --speaker` names, by any name or alias, in any case."""
    wanted = " ".join(name.split()).casefold()
    for c in script.characters:
        if wanted in {n.casefold() for n in (c.name, *c.aliases)}:
            return c.name
    if wanted in (NARRATOR, UNKNOWN):
        return wanted
    speaking = sorted({ln.speaker for ln in script.lines if ln.speaker})
    raise InputError(f"--speaker {name!r} is not a speaker of this story: choose one of "
                     f"{', '.join([*speaking, NARRATOR, UNKNOWN])} (`narrator cast` lists them with their aliases).")


def _says(line: Line, who: str) -> bool:
    """Whether `line` is `who`'s: a character's dialogue, the narrator's narration, or a line nobody was found for."""
    if who == NARRATOR:
        return line.segment.kind == "narration"
    if who == UNKNOWN:
        return line.segment.kind == "dialogue" and line.speaker is None
    return line.speaker == who


def _write_wav(pcm: np.ndarray, sample_rate: int, dest: Path) -> None:
    # A preview is for listening now: WAV costs no encoding, so it is the default; `-o x.mp3` gets an MP3.
    import os
    import wave

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.part.wav")
    try:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sample_rate)
            w.writeframes(pcm.tobytes())
        with open(tmp, "r+b") as f:  # signed, so the next preview may replace it and nothing else
            f.seek(0, os.SEEK_END)
            f.write(_WAV_SIGNATURE)
            riff = f.tell() - 8
            f.seek(4)
            f.write(riff.to_bytes(4, "little"))
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}. Check the folder and free space.") from None


# A RIFF INFO list naming the software (ISFT): players ignore it; it tells our previews from other WAVs.
_WAV_SOFTWARE = b"narrator preview\0"
_WAV_SIGNATURE = (b"LIST" + (4 + 8 + len(_WAV_SOFTWARE)).to_bytes(4, "little") + b"INFO"
                  + b"ISFT" + len(_WAV_SOFTWARE).to_bytes(4, "little") + _WAV_SOFTWARE)


def _is_preview(path: Path) -> bool:
    """True for a file an earlier `narrator preview -o` wrote (which the next one may replace)."""
    if path.suffix.lower() == ".mp3":
        return file_digest(path) == "preview"
    try:
        with open(path, "rb") as f:
            f.seek(-len(_WAV_SIGNATURE), os.SEEK_END)
            return f.read() == _WAV_SIGNATURE
    except OSError:
        return False


def _bound_cache(cache: ClipCache, keys: set[str]) -> None:
    # This book's segments count as just used, so pruning drops other, older audio first.
    cache.touch(keys)
    cache.prune(max_cache_bytes(), keep=keys)


def voices_for(script: Script, engine: str) -> Casting:
    """The casting a build would use."""
    return assign_voices(script.characters, script.lines, Engines(engine), script.castfile)


# File systems count a name's bytes (255): 200 leaves room for the chapter number and a temporary name's suffix.
_NAME_BYTES = 200


def slugify(title: str) -> str:
    """A folder name for a story title: lower case, dashes, no punctuation."""
    slug = re.sub(r"[^\w]+", "-", title.lower().replace("'", "").replace("’", "")).strip("-")
    return cut_utf8(slug[:80], _NAME_BYTES).strip("-") or "story"


def safe_filename(title: str) -> str:
    """A chapter title made safe for every file system."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", re.sub(r"\s*:\s+", " - ", title))
    # Trimmed again after the cut: a trailing dot or space is not allowed on Windows, and a title whose
    # subtitle was all punctuation ("Chapter 1: ../..") would otherwise end in " -".
    return cut_utf8(re.sub(r"\s+", " ", name).strip(" .")[:100], _NAME_BYTES).rstrip(" .-") or "Chapter"


def _digest(clips: Sequence[Clip], tags: Tags, pacing: dict[str, int], delivery: list[object] | None,
            cover_sha: str) -> str:
    """What a chapter file is made of; `cover_sha` is the sha256 of tags.cover, hashed once per build, not per chapter."""
    h = hashlib.sha256()
    meta = [tags.title, tags.album, tags.author, tags.track, tags.total, tags.description,
            sorted(pacing_used(clips, pacing).items()), cover_sha, delivery]
    h.update(json.dumps(meta).encode())
    for c in clips:
        h.update(f"{c.key}:{c.cue.role}:{c.cue.line.segment.paragraph}:{c.cue.line.segment.scene};".encode())
    return h.hexdigest()


def _with_story_overrides(story: Story, castfile: CastFile | None) -> Story:
    if castfile is None or not castfile.story:
        return story

    s = castfile.story
    return replace(story, title=s.get("title", story.title), author=s.get("author", story.author),
                   description=s.get("description", story.description))


def _cover(script: Script, cover: Path | None) -> tuple[bytes | None, str]:
    candidates: list[Path] = []
    if cover is not None:
        if not cover.is_file():
            raise InputError(f"cover image {cover} not found; give the path of a .jpg or .png file.")
        candidates.append(cover)
    elif script.castfile and (from_cast := cover_path(script.castfile)) is not None:
        candidates.append(from_cast)
    elif script.story.cover:
        # The story carries its own cover (an EPUB's): a file beside it would be a guess.
        return script.story.cover, script.story.cover_mime or "image/jpeg"
    elif script.story.path is not None:
        candidates += [script.story.path.with_name(n) for n in ("cover.jpg", "cover.jpeg", "cover.png")]
    guessed = cover is None and not (script.castfile and cover_path(script.castfile))
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            if data.startswith(b"\x89PNG"):
                return data, "image/png"
            if data.startswith(b"\xff\xd8"):
                return data, "image/jpeg"
            if guessed:
                # Nobody asked for this file: a cover.png that is really a WebP (or a stub) beside the story
                # stopped the whole build with an error about an option the user never gave.
                warnings.warn(NarratorWarning(f"{path} (found beside the story) is not a JPEG or PNG image, so the "
                                              "book has no cover: convert it, or give one with --cover."), stacklevel=2)
                continue
            raise InputError(f"cover image {path} is not a JPEG or PNG file.")
    return None, "image/jpeg"
