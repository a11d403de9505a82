"""The cast file (TOML): who speaks in which voice, merged names, line fixes and pronunciations.

Reading is strict (an unknown key or a bad value names the file, line and key); writing goes
through tomlkit so that re-running `narrator cast` keeps every comment and choice a person made.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from narrator.assemble import PACING
from narrator.engines import ENGINES
from narrator.errors import CastError
from narrator.models import Gender

_VOICE_KEYS = {"voice", "rate", "pitch", "volume", "engine", "speaker", "noise_scale", "noise_w_scale", "length_scale"}
_CHARACTER_KEYS = _VOICE_KEYS | {"aliases", "gender", "lines", "words"}
_TOP_KEYS = {"story", "narrator", "unknown", "characters", "overrides", "lexicon", "pacing"}
_STORY_KEYS = {"title", "author", "cover", "description"}
_OVERRIDE_KEYS = {"chapter", "starts", "id", "speaker"}
_GENDERS = ("female", "male", "unknown")


@dataclass(frozen=True)
class VoiceSetting:
    """A voice choice as written in the cast file; unset fields fall back to the engine's defaults."""

    voice: str | None = None
    engine: str | None = None
    rate: int | None = None
    pitch: int | None = None
    volume: float | None = None
    options: tuple[tuple[str, Any], ...] = ()
    line: int = 0
    """Line of the table in the file, for error messages."""
    voice_line: int = 0
    """Line of the `voice =` key (the table's line when there is none), so a bad voice points at itself."""
    engine_line: int = 0
    """Line of the `engine =` key, likewise."""


@dataclass(frozen=True)
class CharacterEntry:
    name: str
    setting: VoiceSetting
    aliases: tuple[str, ...] = ()
    gender: Gender | None = None


@dataclass(frozen=True)
class Override:
    speaker: str
    chapter: int | None = None
    starts: str | None = None
    id: str | None = None
    line: int = 0


@dataclass(frozen=True)
class CastFile:
    path: Path
    story: dict[str, str] = field(default_factory=dict)
    narrator: VoiceSetting = VoiceSetting()
    unknown: VoiceSetting = VoiceSetting()
    characters: dict[str, CharacterEntry] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    lexicon: dict[str, str] = field(default_factory=dict)
    pacing: dict[str, int] = field(default_factory=dict)
    cover_line: int = 0
    """Line of the [story] `cover =` key, for the message when the image is missing."""


def load_cast(path: str | Path) -> CastFile:
    """Parse and validate a cast file; every problem is a CastError naming file, line and key."""
    path = Path(path)
    if path.is_dir():
        raise CastError(f"cast file {path} is a folder: give the path of a .toml file, e.g. {path / 'story.toml'}.")
    if not path.is_file():
        raise CastError(f"cast file {path} not found: create one with `narrator cast STORY -o {path}`.")
    text = read_cast_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CastError(_toml_problem(path, text, str(exc))) from None
    where = _Locator(path, text)
    _check_keys(data, _TOP_KEYS, where, "", "top-level table")
    story = data.get("story", {})
    _check_keys(story, _STORY_KEYS, where, "story", "[story]")
    narrator = _voice(data.get("narrator", {}), where, "narrator", _VOICE_KEYS)
    unknown = _voice(data.get("unknown", {}), where, "unknown", _VOICE_KEYS)
    characters: dict[str, CharacterEntry] = {}
    for name, table in (data.get("characters") or {}).items():
        key = f'characters."{name}"'
        if not isinstance(table, dict):
            raise CastError(where.say(key, name, f"[characters.\"{name}\"] must be a table with voice = \"...\""))
        setting = _voice(table, where, key, _CHARACTER_KEYS, name)
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise CastError(where.say(key, "aliases", 'aliases must be a list of names, e.g. aliases = ["Twi"]'))
        gender = table.get("gender")
        if gender is not None and gender not in _GENDERS:
            raise CastError(where.say(key, "gender", f"gender must be one of {', '.join(_GENDERS)}, not {gender!r}"))
        characters[name] = CharacterEntry(name, setting, tuple(aliases), gender)
    _check_aliases(characters, where)
    raw_overrides = data.get("overrides") or []
    if not isinstance(raw_overrides, list):
        raise CastError(where.say("", "overrides", "overrides must be written as [[overrides]] tables"))
    overrides = [_override(table, i, where) for i, table in enumerate(raw_overrides)]
    lexicon = data.get("lexicon") or {}
    for word, said in lexicon.items():
        if not isinstance(said, str) or not said.strip():
            raise CastError(where.say("lexicon", word, f'[lexicon] {word!r} must be text: "Applejack" = "Apple jack"'))
    pacing = data.get("pacing") or {}
    for name, ms in pacing.items():
        if name not in PACING:
            raise CastError(where.say("pacing", name, f"unknown key {name!r} in [pacing]; valid keys: {', '.join(sorted(PACING))}"))
        if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= 10000:
            raise CastError(where.say("pacing", name, f"[pacing] {name} is a pause in milliseconds from 0 to 10000, not {ms!r}"))
    for name, value in story.items():
        if not isinstance(value, str):
            raise CastError(where.say("story", name, f"[story] {name} must be text in quotes, not {value!r}"))
    # The cover is looked for only by the one that uses it (cover_path, from a build without --cover): a
    # missing image must not stop `script`, `cast` or `preview`, nor a build whose --cover replaces it.
    cover_line = where.line_of_key("story", "cover") if "cover" in story else 0
    return CastFile(path, dict(story), narrator, unknown, characters, tuple(overrides), dict(lexicon), dict(pacing),
                    cover_line)


def cover_path(castfile: CastFile) -> Path | None:
    """The [story] cover image's path (relative to the cast file), or None; a CastError when it is not there."""
    cover = castfile.story.get("cover")
    if cover is None:
        return None
    path = castfile.path.parent / cover
    if not path.is_file():
        # Said, not skipped: a cover that is silently left out is only noticed in the player, after the build.
        raise CastError(f"{location(castfile.path, castfile.cover_line)}: [story] cover {cover!r} not found "
                        f"(looked for {path}); give the path of a .jpg or .png file relative to {castfile.path.name}, "
                        "or remove the line.")
    return path


def _toml_problem(path: Path, text: str, problem: str) -> str:
    """The parser's complaint, said in the file's terms where it is one a person makes by editing."""
    at = re.search(r" \(at line (\d+), column \d+\)$", problem)
    line = int(at[1]) if at else 0
    lines = text.splitlines()
    written = lines[line - 1].split("#")[0].strip() if 0 < line <= len(lines) else ""
    twice = re.fullmatch(r"Cannot declare \((.*)\) twice", problem[: at.start()] if at else problem)
    if twice and written.startswith("[") and written.endswith("]"):
        # tomllib says "('characters', 'Mira')"; the person wrote [characters."Mira"] twice.
        def shape(header: str) -> str:  # [characters.Mira] and [characters."Mira"] are one table
            return re.sub(r"[\s\"']", "", header.split("#")[0])

        first = next((i for i, ln in enumerate(lines[: line - 1], 1) if shape(ln) == shape(written)), 0)
        where = f" (first at line {first})" if first else ""
        return f"{path}:{line}: {written} is written twice{where}; merge the two tables into one."
    if problem.startswith("Cannot overwrite a value") and "=" in written:
        key = written.split("=", 1)[0].strip()
        return f"{path}:{line}: {key} is set twice in the same table; keep one of them."
    return f"{path}: not valid TOML ({problem}). Fix the line it names."


def read_cast_text(path: Path) -> str:
    """The file's text. TOML is UTF-8; a byte-order mark (Windows editors write one) is tolerated, and so is
    UTF-16 with its mark (what Notepad calls "Unicode"), rather than failing at line 1, column 1."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CastError(f"cannot read cast file {path}: {exc.strerror or exc}. Check its permissions.") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise CastError(f"{path}: claims to be UTF-16 but is not; save the cast file as UTF-8.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Replacing the byte would silently rename a character ("Zoë" -> "Zo�"): say where it is instead.
        line = data[:exc.start].count(b"\n") + 1
        raise CastError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X}); save the cast file as UTF-8 "
                        "in your editor.") from None


def location(path: Path, line: int) -> str:
    """`file:line` for messages, or just the file when the line is not known."""
    return f"{path}:{line}" if line else str(path)


def _override(table: Any, i: int, where: _Locator) -> Override:
    label = f"[[overrides]] #{i + 1}"
    line = where.line_of_nth("[[overrides]]", i)
    if not isinstance(table, dict):
        raise CastError(f"{location(where.path, line)}: {label} must be a table: chapter = 2, starts = \"...\", speaker = \"...\"")
    _check_keys(table, _OVERRIDE_KEYS, where, "", label, start=line)
    speaker, chapter, starts, line_id = (table.get(k) for k in ("speaker", "chapter", "starts", "id"))
    problem, key = None, ""  # the key the problem is in: the message points at its line, not the table's
    if not isinstance(speaker, str) or not speaker.strip():
        problem, key = 'needs speaker = "<character name>" (or "narrator" / "unknown")', "speaker"
    elif line_id is None and starts is None:
        problem = 'needs the line: id = "2:14" (from `narrator script`) or chapter = 2 with starts = "the first words"'
    elif line_id is not None and (not isinstance(line_id, str) or not re.fullmatch(r"\d+:\d+", line_id)):
        problem, key = f'id must be a line id like "2:14" as `narrator script` prints it, not {line_id!r}', "id"
    elif starts is not None and (not isinstance(starts, str) or not starts.strip()):
        problem, key = f"starts must be the first words of the line in quotes, not {starts!r}", "starts"
    elif chapter is not None and (not isinstance(chapter, int) or isinstance(chapter, bool) or chapter < 1):
        problem, key = f"chapter must be a chapter number (1, 2, ...), not {chapter!r}", "chapter"
    if problem:
        at = where.line_of_key("", key, start=line) if line and key else line
        raise CastError(f"{location(where.path, at)}: {label} {problem}.")
    return Override(speaker.strip(), chapter, starts.strip() if starts else None, line_id, line)


def _check_aliases(characters: dict[str, CharacterEntry], where: _Locator) -> None:
    """A name may belong to one character only, or lines could not be given to anyone."""
    owner: dict[str, str] = {name: name for name in characters}
    for entry in characters.values():
        for alias in entry.aliases:
            if owner.get(alias, entry.name) != entry.name:
                other = owner[alias]
                # Naming another table in one's aliases is how a person first tries to merge two characters:
                # say how to finish the merge (walk11), not only that the name is taken.
                at = f" (line {characters[other].setting.line})" if characters[other].setting.line else ""
                todo = (f'to merge "{other}" into "{entry.name}", delete the table [characters."{other}"]{at}; '
                        "to keep them apart, remove the alias" if alias == other else
                        f'remove it from one of the two ([characters."{other}"]{at})')
                raise CastError(where.say(f'characters."{entry.name}"', "aliases",
                                          f'alias {alias!r} of "{entry.name}" already names "{other}"; '
                                          f"a name can belong to one character only: {todo}"))
            owner[alias] = entry.name


def _voice(table: dict[str, Any], where: _Locator, key: str, allowed: set[str], label: str | None = None) -> VoiceSetting:
    _check_keys(table, allowed, where, key, f"[{key}]")
    # rate and pitch are whole numbers: eSpeak takes integers, and 165.5 got past this check only to fail at
    # render time as an engine error blaming a story line (ctypes "wrong type").
    for name, lo, hi, kinds in (("rate", 80, 450, int), ("pitch", 0, 100, int), ("volume", 0, 2, int | float)):
        value = table.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or not lo <= value <= hi):
            what = "a whole number" if kinds is int else "a number"
            raise CastError(where.say(key, name, f"{name} must be {what} from {lo} to {hi}, not {value!r}"))
    voice = table.get("voice")
    if voice is not None and not isinstance(voice, str):
        raise CastError(where.say(key, "voice", 'voice must be a voice id in quotes, e.g. voice = "gmw/en-US+f3"'))
    engine = table.get("engine")
    if engine is not None and engine not in ENGINES:
        raise CastError(where.say(key, "engine", f"unknown engine {engine!r}; valid engines: {', '.join(sorted(ENGINES))}"))
    options = tuple(sorted((k, v) for k, v in table.items() if k in {"speaker", "noise_scale", "noise_w_scale", "length_scale"}))
    return VoiceSetting(voice, table.get("engine"), table.get("rate"), table.get("pitch"), table.get("volume"), options,
                        where.line_of_table(key), where.line_of_key(key, "voice"), where.line_of_key(key, "engine"))


def _check_keys(table: Any, allowed: set[str], where: _Locator, key: str, label: str, start: int = 0) -> None:
    if not isinstance(table, dict):
        raise CastError(where.say(key, "", f"{label} must be a table"))
    for name in table:
        if name not in allowed:
            raise CastError(where.say(key, name, f"unknown key {name!r} in {label}; valid keys: {', '.join(sorted(allowed))}",
                                      start))


def _split_key(key: str) -> tuple[str, str]:
    """'characters."Mr. Hale"' -> ('characters', 'Mr. Hale'): the dot inside the quotes is part of the name."""
    m = re.fullmatch(r'(?:(.*)\.)?"([^"]*)"', key)
    if m:
        return m[1] or "", m[2]
    parent, _, name = key.rpartition(".")
    return parent, name.strip("'")


class _Locator:
    """Finds the line of a table or key in the file, so messages can point at it."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def line_of_table(self, key: str) -> int:
        # Quotes are optional around bare names: [characters.Ada] and [characters."Ada"] are one table.
        def shape(header: str) -> str:
            return re.sub(r"[\s\"']", "", header)

        want = shape(f"[{key}]")
        for i, line in enumerate(self.lines, start=1):
            if shape(line.split("#")[0]) == want:
                return i
        # No [header]: the table is written inline (Mara = { voice = "..." }) or with dotted keys
        # (Mara.voice = "..."); point at the first line that names it as a key, inside its parent table only:
        # a [lexicon] entry "Mrs. Tobin" = ... above [characters] is not Tobin's table.
        parent, name = _split_key(key)
        if key and name:
            named = re.compile(rf"(?:^|[\s{{,.])[\"']?{re.escape(name)}[\"']?\s*[=.]")
            header = re.compile(r"\s*\[")
            begin = self.line_of_table(parent) if parent else 0
            # Below the parent's [header] to the next one; without that header, the top-level lines before any.
            begin = begin if begin and header.match(self.lines[begin - 1]) else 0
            for i in range(begin + 1, len(self.lines) + 1):
                line = self.lines[i - 1].split("#")[0]
                if header.match(line):
                    break
                if named.search(line):
                    return i
        return 0

    def line_of_nth(self, header: str, n: int) -> int:
        hits = [i for i, line in enumerate(self.lines, start=1) if line.strip().startswith(header)]
        return hits[n] if n < len(hits) else 0

    def line_of_key(self, table: str, key: str, start: int = 0) -> int:
        """The line of `key = ...` inside the table (its header line when the key is not written out)."""
        start = start or (self.line_of_table(table) if table else 1)
        if not key or not start:
            return start
        if start and re.search(rf"(?:^|[\s{{,.])[\"']?{re.escape(key)}[\"']?\s*=", self.lines[start - 1].split("#")[0]):
            return start  # on the table's own line: an inline table or a dotted key
        name = _split_key(table)[1]
        owner = rf"(?:[\"']?{re.escape(name)}[\"']?\s*\.\s*)?" if name else ""  # dotted keys: Mira.voice = ...
        # Search only up to the next table header: a key missing here must not be found in the next table.
        for i in range(max(start, 1), len(self.lines) + 1):
            text = self.lines[i - 1]
            if i > start and re.match(r"\s*\[", text):
                break
            if re.match(rf"\s*{owner}[\"']?{re.escape(key)}[\"']?\s*=", text):
                return i
        return start

    def say(self, table: str, key: str, message: str, start: int = 0) -> str:
        return f"{location(self.path, self.line_of_key(table, key, start))}: {message}."


# --- writing -------------------------------------------------------------------------------------

_HEADER = """\
# narrator cast file. Edit freely: `narrator cast` keeps your changes and comments when it runs again.
# Voice ids come from `narrator voices`; rate is words per minute (80-450), pitch 0-100, volume 0-2.
"""


def is_cast_file(path: Path) -> bool:
    """Whether `narrator cast` may update this existing file: a cast file, an empty one, or a .toml file that
    does not parse (load_cast then says where it is broken; nothing is written).

    Anything else is the user's and is kept: the shared voices/lexicon.toml (only a [lexicon] table, reached
    through -o or the default path of a story titled "Lexicon"), a pyproject.toml, a story. Every table but
    [lexicon] lives only in cast files, so one of them is what tells a cast file from a lexicon.
    """
    try:
        if not path.read_bytes().strip():
            return True
        doc = tomllib.loads(read_cast_text(path))
    except OSError:
        return True  # unreadable: the load that follows reports it
    except (CastError, tomllib.TOMLDecodeError):
        return path.suffix.lower() == ".toml"
    return not doc or any(key in doc for key in _TOP_KEYS - {"lexicon"})


_OVERRIDES_EXAMPLE = """\
Fix a line that went to the wrong speaker: by chapter and the words it starts with,
or by its id from `narrator script`. speaker can also be "narrator" or "unknown".
[[overrides]]
chapter = 2
starts = "I want to find"
speaker = "Spike"
"""


def write_cast(path: Path, title: str, narrator: dict[str, Any], unknown: dict[str, Any],
               characters: list[tuple[str, dict[str, Any], str]]) -> list[str]:
    """Create or update a cast file, keeping what is already there; returns the names it added."""
    if path.exists():
        doc = tomlkit.parse(read_cast_text(path))
    else:
        doc = tomlkit.document()
        for line in _HEADER.splitlines():
            doc.add(tomlkit.comment(line.lstrip("# ")))
        doc.add(tomlkit.nl())
        story = tomlkit.table()
        story.add(tomlkit.comment("title, author, cover and description override what the story file says"))
        story["title"] = title
        doc["story"] = story
    for key, values, note in (("narrator", narrator, "the voice that reads everything that is not dialogue"),
                              ("unknown", unknown, "lines whose speaker could not be worked out")):
        if key not in doc:
            table = tomlkit.table()
            table.add(tomlkit.comment(note))
            table.update(values)
            doc[key] = table
    chars = doc.get("characters")
    if chars is None:
        chars = tomlkit.table(is_super_table=True)
        doc["characters"] = chars
    added = []
    for name, values, note in characters:
        if name in chars or any(name in (t.get("aliases") or []) for t in chars.values()):
            continue
        table = tomlkit.table()
        if note:
            table.add(tomlkit.comment(note))
        table.update(values)
        chars[name] = table
        added.append(name)
    if "overrides" not in doc and not path.exists():
        # A commented example, so the first fix a person makes has a shape to copy.
        doc.add(tomlkit.nl())
        for line in _OVERRIDES_EXAMPLE.splitlines():
            doc.add(tomlkit.comment(line))
    if "lexicon" not in doc:
        lex = tomlkit.table()
        lex.add(tomlkit.comment('how to say a word: "Applejack" = "Apple jack"'))
        doc["lexicon"] = lex
    text = tomlkit.dumps(doc)
    # The file the user keeps, not a link to it: replacing a linked cast file (kept in a synced folder) put a copy
    # where the link was, and the file it pointed at never got the new characters (walk11).
    path = path.resolve() if path.is_symlink() else path
    if path.is_file() and read_cast_text(path) == text:
        return added  # nothing new: the file, its date and an editor's hold on it stay as they are
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # two `narrator cast` at once must not share it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        if path.is_file():
            shutil.copymode(path, tmp)  # a cast file the user made private stays private
        tmp.replace(path)
    except OSError as exc:
        from narrator.faults import output_error

        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise output_error(exc, path) from None
    return added
