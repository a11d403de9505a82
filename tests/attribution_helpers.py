"""Helpers for the attribution tests: build a story from text and run the three stages."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from narrator.attribution import attribute
from narrator.chapters import split_chapters
from narrator.characters import find_characters
from narrator.dialogue import split_dialogue
from narrator.models import Character, Line, Segment, Story
from narrator.paragraphs import Paragraph, _paragraphs, _scan_mentions, prepare
from narrator.reader import read_story
from narrator.resolver import CastIndex

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "attribution"


def story_of(text: str) -> Story:
    """A Story over `text` with no header."""
    return Story(title="Test", author=None, description=None, text=text)


def segments_of(text: str) -> tuple[Story, list[Segment]]:
    """The story and its segments, through the real chapter splitter."""
    story = story_of(text)
    segs = [s for ch in split_chapters(story) for s in split_dialogue(story, ch)]
    return story, segs


def lines_of(text: str, characters: list[Character] | None = None) -> list[Line]:
    """Attributed lines of `text`, with discovered characters unless some are given."""
    story, segs = segments_of(text)
    chars = find_characters(story, segs) if characters is None else characters
    return attribute(segs, chars)


def prepared(text: str, characters: list[Character]) -> tuple[CastIndex, list[Paragraph]]:
    """The resolver and the paragraphs (mentions, tags, chains) the decoder would read for `text`."""
    _, segs = segments_of(text)
    return prepare(segs, characters)


def scanned(quote: str, characters: list[Character]) -> tuple[CastIndex, Paragraph]:
    """The resolver and the one paragraph of `quote` with its mentions scanned (vocatives, names in speech)."""
    _, segs = segments_of(quote)
    res = CastIndex(characters)
    (para,) = _paragraphs(segs)
    _scan_mentions(para, res)
    return res, para


def speech(lines: list[Line]) -> list[tuple[str, str | None]]:
    """(text, speaker) of the dialogue lines."""
    return [(ln.segment.text, ln.speaker) for ln in lines if ln.segment.kind == "dialogue"]


@dataclass(frozen=True)
class BlindRow:
    """One hand-checked quotation: who a reader says speaks it, what narrator said, and the evidence type."""

    kind: str
    want: str
    got: str | None
    text: str
    right: bool


@dataclass(frozen=True)
class BlindScore:
    rows: tuple[BlindRow, ...]
    unmatched: int      # gold quotations no dialogue segment starts with
    extra: int          # dialogue segments no gold quotation matched
    narrator: str | None


# A small pony cast the unit tests share: a two-word name with short forms, and two epithets.
TWI = Character("Twilight Sparkle", ("Twilight", "Twi"), "female", 20)
SPIKE = Character("Spike", ("the dragon",), "male", 15)
RARITY = Character("Rarity", ("the unicorn",), "female", 10)
CAST = [TWI, SPIKE, RARITY]


def who(text: str, cast: list[Character] = CAST) -> list[str | None]:
    """The speaker of every quotation of `text`, attributed against `cast`."""
    return [s for _, s in speech(lines_of(text, cast))]


def _squash(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", s.lower())


def _name_key(name: str) -> str:
    """A cast name as a listener hears it: case, periods, spacing and a leading "the" do not matter."""
    key = " ".join(name.replace(".", " ").split()).casefold()
    return key[4:] if key.startswith("the ") else key


def read_aliases(path: Path) -> dict[str, frozenset[str]]:
    """Gold name -> the name keys that mean that person, from NAME.aliases ("Gold = other, other", one a line).

    The other names are the ones the story itself uses for that person ("Cecily" for Miss Ashby, "the magistrate"
    for Mr. Haldar), so a cast that names the character by any of them names the right voice. A name listed for
    two people would make a wrong answer right, so it is refused.
    """
    out: dict[str, frozenset[str]] = {}
    if not path.exists():
        return out
    owner: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        gold, _, rest = line.partition("=")
        gold = gold.strip()
        keys = {_name_key(gold), *(_name_key(a) for a in rest.split(",") if a.strip())}
        for k in keys:
            assert owner.setdefault(k, gold) == gold, f"{path.name}: {k!r} names both {owner[k]} and {gold}"
        out[gold] = frozenset(keys)
    return out


def score_blind(stem: Path) -> BlindScore:
    """Score a story file (NAME.txt or another format narrator reads, through narrator's own reader, header and notes included) against its gold.

    NAME.aliases, when present, lists every gold speaker with the other names the story gives them.

    Gold quotations are matched in order to dialogue segments whose text starts with their first words, so
    one split or missed quote costs one line, not every line after it. "I" is right when every "I" line went
    to one and the same character that is nobody else's gold name.
    """
    # The story may be any format narrator reads (an AO3 HTML export as well as a text file).
    path = next((stem.with_suffix(x) for x in (".txt", ".html", ".epub", ".md") if stem.with_suffix(x).exists()),
                stem.with_suffix(".txt"))
    story = read_story(path)
    segs = [s for ch in split_chapters(story) for s in split_dialogue(story, ch)]
    lines = [ln for ln in attribute(segs, find_characters(story, segs)) if ln.segment.kind == "dialogue"]
    want = [w for w in stem.with_suffix(".speakers").read_text().splitlines() if w and not w.startswith("#")]
    meta = [m.split("\t", 1) for m in stem.with_suffix(".quotes").read_text().splitlines() if m]
    assert len(want) == len(meta), f"{stem.name}: .speakers and .quotes differ in length"
    got: list[tuple[str | None, str]] = []
    j = 0
    for _kind, start in meta:
        key = _squash(start)
        k = next((k for k in range(j, len(lines)) if _squash(lines[k].segment.text).startswith(key)), None)
        if k is None:
            got.append((None, ""))
            continue
        got.append((lines[k].speaker, lines[k].segment.text))
        j = k + 1
    mine = [g for (g, _), w in zip(got, want, strict=True) if w == "I" and g is not None]
    narrator = Counter(mine).most_common(1)[0][0] if mine else None
    if narrator in set(want):
        narrator = None
    golds = set(want)
    aliases = read_aliases(stem.with_suffix(".aliases"))
    unknown = sorted(golds - set(aliases) - {"I"}) if aliases else []
    assert not unknown, f"{stem.name}: gold speakers missing from .aliases: {unknown}"

    def same(g: str | None, w: str) -> bool:
        # A short form of the gold name ("Twilight" for "Twilight Sparkle") is the same person when it fits
        # no other gold character: the listener hears one voice either way. So is any other name the story
        # gives that person (NAME.aliases).
        if g is None:
            return False
        if w == "I":
            return g == narrator
        if g == w or _name_key(g) in aliases.get(w, ()):
            return True
        return g in w.split() and sum(g in x.split() for x in golds) == 1 and g not in golds

    # The narrator's "I" lines are not right when they went to a name that is another gold character's.
    if narrator is not None and any(same(narrator, w) for w in golds - {"I"}):
        narrator = None

    rows = tuple(BlindRow(kind, w, g, t or start, bool(t) and same(g, w))
                 for (kind, start), w, (g, t) in zip(meta, want, got, strict=True))
    matched = sum(1 for _, t in got if t)
    return BlindScore(rows, len(want) - matched, len(lines) - matched, narrator)


def assert_story_floor(name: str, floor: int) -> None:
    """A hand-keyed fixture story keeps at least `floor` right lines, with every gold quotation found as the
    gold cuts it; on failure, the misses (first words, wanted, got)."""
    res = score_blind(FIXTURES / name)
    assert res.unmatched == 0, "a quotation the splitter cut differently from the gold"
    right = sum(r.right for r in res.rows)
    assert right >= floor, [(r.text[:40], r.want, r.got) for r in res.rows if not r.right]


def assert_i_lines_to_narrator(name: str, slack: int) -> None:
    """A hand-keyed first-person story names its narrator, and all but `slack` of the lines keyed "I" are theirs."""
    res = score_blind(FIXTURES / name)
    assert res.narrator is not None
    mine = [r for r in res.rows if r.want == "I"]
    assert sum(r.right for r in mine) >= len(mine) - slack
