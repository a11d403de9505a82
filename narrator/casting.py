"""cast: give every line a voice. Default voices are assigned here; the cast file overrides them."""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from narrator.castfile import CastFile, VoiceSetting, location
from narrator.chapters import spoken_title
from narrator.engines import DEFAULT_ENGINE, Engine, engine_names, get_engine
from narrator.errors import CastError, EngineError, NarratorError
from narrator.models import Chapter, Character, Cue, Gender, Line, Voice
from narrator.normalize import to_speech

NARRATOR, UNKNOWN = "narrator", "unknown"


@dataclass(frozen=True)
class Casting:
    """The voice of the narrator, of unknown speakers and of every character."""

    narrator: Voice
    unknown: Voice
    characters: dict[str, Voice]

    def voice_for(self, line: Line) -> tuple[str, Voice]:
        """(role, voice) for a line: the narrator for narration, the speaker's voice, or the unknown voice."""
        if line.segment.kind == "narration":
            return NARRATOR, self.narrator
        if line.speaker is None:
            return UNKNOWN, self.unknown
        return line.speaker, self.characters.get(line.speaker, self.unknown)


class Engines:
    """Engine instances by name, created on first use (one per process)."""

    def __init__(self, default: str) -> None:
        self.default = default
        self._made: dict[str, Engine] = {}

    def get(self, name: str | None = None) -> Engine:
        name = name or self.default
        if name not in self._made:
            self._made[name] = get_engine(name)
        return self._made[name]


def merge_aliases(characters: Sequence[Character], castfile: CastFile | None) -> list[Character]:
    """Fold the cast file's aliases and genders into the discovered characters (names it lists win)."""
    if castfile is None:
        return list(characters)
    by_name = {c.name: c for c in characters}
    owner = {}
    for entry in castfile.characters.values():
        for alias in (entry.name, *entry.aliases):
            owner[alias] = entry.name
    merged: dict[str, Character] = {}
    for c in characters:
        target = owner.get(c.name) or next((owner[a] for a in c.aliases if a in owner), c.name)
        base = merged.get(target) or by_name.get(target) or Character(target)
        aliases = tuple(dict.fromkeys((*base.aliases, *((c.name,) if c.name != target else ()), *c.aliases)))
        merged[target] = Character(target, aliases, base.gender if base.gender != "unknown" else c.gender,
                                   base.mentions + (c.mentions if c is not base else 0))
    for entry in castfile.characters.values():
        c = merged.get(entry.name, Character(entry.name))
        aliases = tuple(dict.fromkeys((*c.aliases, *entry.aliases)))
        merged[entry.name] = Character(entry.name, aliases, entry.gender or c.gender, c.mentions)
    return sorted(merged.values(), key=lambda c: -c.mentions)


def apply_overrides(lines: Sequence[Line], castfile: CastFile | None, known: set[str]) -> list[Line]:
    """Apply the cast file's [[overrides]]; an override that names no character or matches no line is an error."""
    if castfile is None or not castfile.overrides:
        return list(lines)
    # An override may name a character by any of its aliases; the line goes to the canonical name.
    alias_of = {a: entry.name for entry in castfile.characters.values() for a in entry.aliases}
    out = list(lines)
    by_id = {ln.segment.id: i for i, ln in enumerate(out)}  # id overrides are looked up, not scanned for
    typed: list[str] | None = None
    # In any case too: "Narrator", as the cast table's "(narrator)" reads capitalised, was "not a character" (walk11).
    # A spelling two speakers share in another case names neither.
    by_fold: dict[str, str | None] = {}
    for name, canonical in [*((n, n) for n in known), *alias_of.items(), (NARRATOR, NARRATOR), (UNKNOWN, UNKNOWN)]:
        seen = by_fold.setdefault(name.casefold(), canonical)
        if seen != canonical:
            by_fold[name.casefold()] = None
    for ov in castfile.overrides:
        speaker = alias_of.get(ov.speaker, ov.speaker)
        if speaker not in known and speaker not in (NARRATOR, UNKNOWN):
            speaker = by_fold.get(speaker.casefold()) or speaker
        if speaker not in known and speaker not in (NARRATOR, UNKNOWN):
            choices = ", ".join([*sorted(known), NARRATOR, UNKNOWN])
            raise CastError(f"{location(castfile.path, ov.line)}: [[overrides]] speaker {ov.speaker!r} is not a character; "
                            f"valid speakers: {choices}.")
        if ov.id is not None:
            hits = [by_id[ov.id]] if ov.id in by_id else []
        else:
            if typed is None:  # each line's text as typed, once: not once per line per override
                typed = [_as_typed(ln.segment.text) for ln in out]
            wanted = _as_typed(ov.starts or "")
            hits = [i for i, ln in enumerate(out) if wanted and typed[i].startswith(wanted)
                    and (ov.chapter is None or ln.segment.chapter == ov.chapter)]
        target = f"id {ov.id!r}" if ov.id else (f"chapter {ov.chapter} " if ov.chapter else "") + f"starts {ov.starts!r}"
        if not hits:
            raise CastError(f"{location(castfile.path, ov.line)}: [[overrides]] {target} matches no line; "
                            "check it against `narrator script` (ids are chapter:line).")
        if len(hits) > 1:
            ids = ", ".join(out[i].segment.id for i in hits[:6])
            raise CastError(f"{location(castfile.path, ov.line)}: [[overrides]] {target} matches {len(hits)} lines ({ids}); "
                            "give more of the text, the chapter, or the line id instead.")
        for i in hits:
            seg = out[i].segment
            if speaker == NARRATOR:
                out[i] = Line(replace(seg, kind="narration"), None, "override", 1.0)
            else:
                out[i] = Line(replace(seg, kind="dialogue"), None if speaker == UNKNOWN else speaker, "override", 1.0)
    return out


# Typographic quotes and apostrophes as a keyboard types them.
_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"'})


def _as_typed(text: str) -> str:
    """A line's opening words as a person gives them in `starts`: copied from `narrator script` (one line, its
    opening quote and all) or typed (straight apostrophes, any spacing). The raw source matched only itself, so a
    line hard-wrapped in the file, or one copied with its quote, "matched no line" (walk11)."""
    return " ".join(text.translate(_STRAIGHT).split()).lstrip("\"'").lstrip()


def assign_voices(characters: Sequence[Character], lines: Sequence[Line], engines: Engines,
                  castfile: CastFile | None = None) -> Casting:
    """Narrator, unknown and every character get distinct voices; the cast file's choices come first."""
    engine = engines.get()
    narrator = _resolve(castfile.narrator if castfile else VoiceSetting(), engine.narrator_voice(), engines, castfile, "narrator")
    unknown = _resolve(castfile.unknown if castfile else VoiceSetting(), engine.unknown_voice(), engines, castfile, "unknown")
    filled: list[str] = []
    if castfile is None or castfile.unknown.voice is None:
        unknown = _distinct_unknown(unknown, narrator, engines, filled)
    used: Counter[tuple[str, str]] = Counter([(narrator.engine, narrator.id), (unknown.engine, unknown.id)])
    voices: dict[str, Voice] = {}
    entries = castfile.characters if castfile else {}
    for name, entry in entries.items():
        if entry.setting.voice is not None:
            voices[name] = _resolve(entry.setting, engine.narrator_voice(), engines, castfile, f'characters."{name}"')
            used[(voices[name].engine, voices[name].id)] += 1
    counts = Counter(ln.speaker for ln in lines if ln.speaker)
    # The most frequent speakers pick first, so they are the last to be pushed off their preferred voice
    # and the last to share one when the palette runs out; ties by name keep it deterministic.
    order = sorted(characters, key=lambda c: (-counts[c.name], -c.mentions, c.name))
    order += [Character(name, (), entries[name].gender or "unknown") for name in entries
              if name not in {c.name for c in order}]
    for c in order:
        if c.name in voices:
            continue
        entry = entries.get(c.name)
        gender: Gender = (entry.gender if entry and entry.gender else c.gender)
        # A character set to another engine but given no voice is cast from that engine's palette.
        source = engines.get(entry.setting.engine) if entry and entry.setting.engine else engine
        choice = _stable_pick(c.name, _palette(source, engines, gender, used, filled, c.name), used)
        if entry is not None:
            choice = _apply(entry.setting, choice)
        voices[c.name] = choice
        used[(choice.engine, choice.id)] += 1
    if filled:
        _warn_filled(engine, filled)
    return Casting(narrator, unknown, voices)


def _palette(engine: Engine, engines: Engines, gender: Gender, used: Counter[tuple[str, str]], filled: list[str],
             role: str) -> list[Voice]:
    """The engine's palette, or the built-in engine's once the chosen one has no unused voice left."""
    palette = engine.palette(gender)
    # Engines with pitch reuse their palette at another pitch; one without (Piper) would repeat a voice exactly.
    if getattr(engine, "has_pitch", True) or any((v.engine, v.id) not in used for v in palette):
        return palette
    filled.append(role)
    return engines.get(DEFAULT_ENGINE).palette(gender)


def _distinct_unknown(unknown: Voice, narrator: Voice, engines: Engines, filled: list[str]) -> Voice:
    """Unknown speakers must not sound like the narrator; an engine with one voice borrows the built-in one."""
    if (unknown.engine, unknown.id) != (narrator.engine, narrator.id) or getattr(engines.get(), "has_pitch", True):
        return unknown
    filled.append(UNKNOWN)
    return engines.get(DEFAULT_ENGINE).unknown_voice()


def _warn_filled(engine: Engine, filled: list[str]) -> None:
    import warnings

    from narrator.reader import NarratorWarning

    distinct = len({v.id for v in engine.voices()})
    names = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
    warnings.warn(NarratorWarning(
        f"{engine.name} has {distinct} distinct voice{'s' if distinct != 1 else ''}, too few for this cast: "
        f"{names} {'gets' if len(filled) == 1 else 'get'} {DEFAULT_ENGINE} voices instead. Install more "
        f"{engine.name} voices (see `narrator voices --engine {engine.name}`) or set voices in the cast file."),
        stacklevel=3)


def _stable_pick(name: str, palette: list[Voice], used: Counter[tuple[str, str]]) -> Voice:
    """A voice chosen by the name itself, so adding or removing other characters rarely moves it.

    Every name ranks the palette's voices by a hash of (name, voice) — its own order of preference,
    drawn from the more distinct first half before the rest — and takes its first free choice.
    Other characters matter only when one of them already holds that voice (a collision).
    """
    if not palette:
        raise CastError("the engine offers no voices to cast from; run `narrator voices` to check it.")
    half = (len(palette) + 1) // 2
    prefs = sorted(range(len(palette)), key=lambda i: (i >= half, _hash(f"{name.casefold()}\0{palette[i].id}")))
    for i in prefs:
        v = palette[i]
        if (v.engine, v.id) not in used:
            return v
    # More characters than voices: share the first choice with a pitch shift so the two still differ.
    base = palette[prefs[0]]
    taken = used[(base.engine, base.id)]
    shift = 12 * ((taken + 1) // 2) * (1 if taken % 2 else -1)
    return replace(base, pitch=max(0, min(100, base.pitch + shift)))


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _resolve(setting: VoiceSetting, default: Voice, engines: Engines, castfile: CastFile | None, key: str) -> Voice:
    try:
        engine = engines.get(setting.engine) if setting.engine else engines.get()
    except EngineError as exc:
        where = location(castfile.path, setting.engine_line or setting.line) if castfile else "cast"
        raise CastError(f"{where}: [{key}] engine: {exc}") from None
    if setting.voice is None:
        base = default if default.engine == engine.name else engine.narrator_voice()
        return _apply(setting, base)
    if not engine.has_voice(setting.voice):
        where = location(castfile.path, setting.voice_line or setting.line) if castfile else "cast"
        owner = None if setting.engine else _engine_with(setting.voice, engines, skip=engine.name)
        if owner:
            # `narrator cast` writes voices without an engine, so a cast made with eSpeak stopped every
            # `build --engine piper` with "not a piper voice" and no word of why or of the one-line fix.
            raise CastError(f"{where}: [{key}] voice {setting.voice!r} is a {owner} voice, not a {engine.name} voice, "
                            f"and the table names no engine (the build's is {engine.name}): add engine = "
                            f"\"{owner}\" to the table to keep it, or pick one from `narrator voices --engine "
                            f"{engine.name}`.")
        ids = [v.id for v in engine.voices()]
        close = difflib.get_close_matches(setting.voice, ids, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        # The line of the `voice =` key itself, not of the table header above it (issue 8: file, line and key).
        missing = getattr(engine, "missing_hint", None)  # engines whose voices are downloads say how to get one
        extra = f" {missing(setting.voice)}" if missing else ""
        raise CastError(f"{where}: [{key}] voice {setting.voice!r} is not a {engine.name} voice.{hint} "
                        f"Run `narrator voices --engine {engine.name}` for the list.{extra}")
    return _apply(setting, Voice(engine.name, setting.voice))


def _engine_with(voice_id: str, engines: Engines, skip: str) -> str | None:
    """The other registered engine that has this voice, if any (only asked once a cast file's voice is missing)."""
    for name in engine_names():
        if name == skip:
            continue
        try:
            if engines.get(name).has_voice(voice_id):
                return name
        except (NarratorError, ImportError, OSError):  # an engine that cannot load here (no Piper) has none
            continue
    return None


def _apply(setting: VoiceSetting, voice: Voice) -> Voice:
    return Voice(
        engine=setting.engine or voice.engine,
        id=setting.voice or voice.id,
        rate=setting.rate if setting.rate is not None else voice.rate,
        pitch=setting.pitch if setting.pitch is not None else voice.pitch,
        volume=setting.volume if setting.volume is not None else voice.volume,
        options=setting.options or voice.options,
    )


def cast(lines: Sequence[Line], casting: Casting, chapters: Sequence[Chapter],
         lexicon: dict[str, str] | None = None) -> list[Cue]:
    """A Cue for every line that has something to say, with the text the engine will get."""
    titles = {c.number: c.title for c in chapters}
    cues = []
    for line in lines:
        seg = line.segment
        # A heading is announced by its title, never by its source line with the dashes or asterisks around it.
        shown = spoken_title(titles.get(seg.chapter, seg.text)) if seg.heading else None
        speech = to_speech(shown if shown is not None else seg.text, lexicon)
        if not any(ch.isalnum() for ch in speech):
            continue  # punctuation or whitespace between two quotes: nothing to say
        role, voice = casting.voice_for(line)
        cues.append(Cue(line, voice, speech, role, shown))
    return cues
