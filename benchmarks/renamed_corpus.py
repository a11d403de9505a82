"""Renamed-corpus harness: the development novels with every character name swapped for an invented one.

    python benchmarks/renamed_corpus.py [CORPUS] [--out /tmp/renamed] [--split dev|all] [--seed N] [--style invented|words|common]
    python benchmarks/attribution.py /tmp/renamed --split dev

Why: our character discovery, gender and naming rules lean on word lists (given names of settled gender,
stopwords, titles, place nouns) that were filled while looking at the development novels' English names. A
novel whose people are called "Oselli" and "Varnek" tells us how much of the accuracy comes from the lists
rather than from the text's own evidence (speech tags, pronouns, titles, capitalisation).

What is renamed: every capitalised word of a character's name or alias in characters.json that the novel
itself uses as a proper noun (its lower-case form is rare in the text: "Emma", "Knightley", "Rabbit" in
*Alice*), wherever it occurs as a whole word, exact case or all capitals, possessives included ("Emma's").
Titles and kinship words ("Mr.", "Lady", "Aunt"), surname particles ("de", "van") and ordinary words that
happen to be in an alias ("The Waiter", "Old", "White") stay. The same word always gets the same invented
word in one novel, so first-name/surname structure survives ("Frank Churchill" / "Mr. Churchill" ->
"Tovrak Melusen" / "Mr. Melusen"), and a name that is a prefix of another stays one ("Kit" / "Kitty" ->
"Damor" / "Damorvi"), because nicknames are found that way. Invented words are built from syllables, are
checked against every narrator word list and every word of the corpus, and carry no gender cue.

Writes, per novel, text.txt, quotes.jsonl (offsets, parts, text, speaker and addressees recomputed) and
characters.json (names and aliases renamed) under OUT (never inside the repository), plus rename_map.json
listing each novel's substitutions. The gold is checked after rewriting: every quote's text equals the new
text at its new offsets. Standard library plus narrator's own lexicon only.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.attribution import TEST_NOVELS  # noqa: E402

# Words of a name that are not the person's own name: they stay as they are.
_KEEP = frozenset(
    ["Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Rev", "St", "Sir", "Lord", "Lady", "Dame", "Madam", "Madame", "Mademoiselle", "Monsieur", "Mme", "Mlle", "Signor", "Signora", "Signorina", "Herr", "Frau", "Fraulein", "Senor", "Senora", "Don", "Donna", "Master", "Mistress", "Mister", "Captain", "Colonel", "General", "Major", "Admiral", "Lieutenant", "Sergeant", "Corporal", "Private", "Inspector", "Professor", "Doctor", "Judge", "Bishop", "Reverend", "Father", "Mother", "Brother", "Sister", "Aunt", "Uncle", "Cousin", "Grandmother", "Grandfather", "Granny", "Grandmamma", "Mamma", "Mama", "Papa", "Dad", "Mum", "Nurse", "Prince", "Princess", "King", "Queen", "Duke", "Duchess", "Count", "Countess", "Baron", "Baroness", "Earl", "Marquis", "Marchioness", "Contessa", "Comrade", "President", "Old", "Young", "Little", "Big", "Poor", "Late", "Dear", "Dearest", "My", "The", "A", "An", "Of", "In", "On", "With", "At", "De", "Des", "Le", "La", "Van", "Der", "Von", "Du", "Da", "Di", "Del", "Della", "Ten", "Ter"]
)
_WORD = re.compile(r"[A-Z][A-Za-z]+")

# Open syllables ("va", "se", "li") with a rare closing consonant read like names ("Varnek", "Oselli",
# "Tamiro") without being any language's real ones.
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "tr", "st", "th", "sh", "j", "h")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o")
_CODAS = ("", "", "", "", "n", "r", "l", "k", "m", "x")
_BAD_ENDINGS = ("ly", "ed", "s", "ing", "er", "en")


# --style words: names that are also ordinary English nouns, as in a story whose people are "Rabbit",
# "Owl" or "Bumble" -- the lower-case word may occur in the text too, so capitalisation alone must tell.
# (None is in a narrator word list; a word already written capitalised in a novel is skipped there.)
_NOUNS = ["Badger", "Heron", "Thistle", "Bramble", "Otter", "Sparrow", "Wren", "Acorn", "Pebble", "Kettle", "Mole", "Stoat", "Weasel", "Hedgehog", "Falcon", "Rook", "Linnet", "Finch", "Beetle", "Cricket", "Walnut", "Willow", "Birch", "Alder", "Fern", "Moss", "Clover", "Barley", "Bracken", "Nettle", "Sorrel", "Flint", "Slate", "Cinder", "Ember", "Tinder", "Button", "Thimble", "Ribbon", "Lantern", "Candle", "Ladle", "Bucket", "Anvil", "Hammer", "Chisel", "Saddle", "Bridle", "Barrow", "Plough", "Sickle", "Spindle", "Bobbin", "Shuttle", "Parsley", "Juniper", "Tansy", "Yarrow", "Teasel", "Burdock", "Mallow", "Poppy", "Primrose", "Bluebell", "Foxglove", "Hawthorn", "Rowan", "Elm", "Holly", "Ivy", "Laurel", "Pine", "Spruce", "Cedar", "Maple", "Chestnut", "Pepper", "Nutmeg", "Ginger", "Treacle", "Crumpet", "Biscuit", "Muffin", "Dumpling", "Pudding", "Toffee", "Marble", "Copper", "Pewter", "Brass", "Amber", "Coral", "Garnet", "Flannel", "Tweed", "Velvet", "Satin", "Linen", "Canvas", "Gravel", "Puddle", "Meadow", "Brook", "Marsh", "Thicket", "Hollow", "Furrow", "Hedge", "Gable", "Chimney", "Attic", "Cellar", "Pantry", "Larder", "Tumbler", "Jug", "Saucer", "Teapot", "Pitcher", "Flagon", "Tankard", "Goblet", "Wick", "Whistle", "Bugle", "Fiddle", "Drum", "Banjo", "Trumpet", "Magpie", "Lark", "Plover", "Curlew", "Bittern", "Starling", "Thrush", "Swallow", "Kestrel", "Owl", "Raven", "Gander", "Ferret", "Marten", "Squirrel", "Rabbit", "Piglet", "Bullock", "Heifer", "Donkey", "Mule", "Pony", "Lobster", "Oyster", "Mussel", "Limpet", "Shrimp", "Herring", "Mackerel", "Minnow", "Trout", "Pike", "Perch", "Carp", "Tadpole", "Toad", "Newt", "Lizard", "Gecko", "Spider", "Hornet", "Wasp", "Moth", "Gnat", "Midge", "Flea", "Tick", "Dormouse"]


class WordNamer:
    """Hands out ordinary nouns as names, in a seeded order, each once."""

    def __init__(self, seed: int, banned: set[str], capitalised: set[str]) -> None:
        pool = [w for w in _NOUNS if w.lower() not in banned and w not in capitalised]
        random.Random(seed).shuffle(pool)
        self.pool = pool
        self.fallback = Namer(seed, banned | {w.lower() for w in _NOUNS})

    def fresh(self, length: int, prefix: str = "") -> str:
        return self.pool.pop() if self.pool else self.fallback.fresh(length)


class CommonNamer:
    """--style common: the novel's own frequent lower-case words as names ("House", "Door"), so the
    name is also an everyday word of the same book and only capitalisation and tags tell them apart."""

    def __init__(self, seed: int, banned: set[str], text: str) -> None:
        lower = Counter(re.findall(r"(?<![A-Za-z'])[a-z]{4,}(?![A-Za-z'])", text))
        capitalised = set(_WORD.findall(text))
        pool = [w.capitalize() for w, n in lower.items()
                if n >= 20 and w not in banned and not w.endswith(_BAD_ENDINGS) and w.capitalize() not in capitalised]
        pool.sort()
        random.Random(seed).shuffle(pool)
        self.pool = pool
        self.fallback = Namer(seed, banned | set(lower))

    def fresh(self, length: int, prefix: str = "") -> str:
        return self.pool.pop() if self.pool else self.fallback.fresh(length)


def _lexicon_words() -> set[str]:
    """Every word narrator keeps in a list (lower case), so no invented name is one of them."""
    import narrator.attribution as at
    import narrator.characters as ch
    import narrator.lexicon as lx

    words: set[str] = set()
    for mod in (lx, ch, at):
        for value in vars(mod).values():
            if isinstance(value, (frozenset, set)) and all(isinstance(x, str) for x in value):
                words |= {x.lower().rstrip(".") for x in value}
    return words


class Namer:
    """Invents fresh capitalised words, none of them in `banned` (lower-cased) nor used twice."""

    def __init__(self, seed: int, banned: set[str]) -> None:
        self.rng = random.Random(seed)
        self.banned = banned
        self.used: set[str] = set()

    def syllable(self, first: bool) -> str:
        # A name may open on a vowel ("Oselli"); later syllables always have a consonant.
        onset = "" if first and self.rng.random() < 0.25 else self.rng.choice(_ONSETS)
        return onset + self.rng.choice(_VOWELS) + self.rng.choice(_CODAS)

    def fresh(self, length: int, prefix: str = "") -> str:
        """A new word about `length` letters long, starting with `prefix` (already invented) if given."""
        for _ in range(10_000):
            word = prefix.lower()
            while len(word) < max(length, len(prefix) + 2) - 1 or word == prefix.lower():
                word += self.syllable(not word)
            word = word[:1].upper() + word[1:]
            low = word.lower()
            if (len(word) >= 3 and low not in self.banned and word not in self.used
                    and not low.endswith(_BAD_ENDINGS) and not re.search(r"(.)\1\1", low)):
                self.used.add(word)
                return word
        raise RuntimeError("could not invent a fresh name")


def name_words(characters: list[dict], text: str) -> list[str]:
    """The capitalised words of names and aliases that this novel uses as proper nouns."""
    lower = Counter(w for w in re.findall(r"[a-z][a-z]+", text))
    cap = Counter(_WORD.findall(text))
    found: set[str] = set()
    for c in characters:
        if c.get("special") or c["name"].startswith("_"):
            continue
        for form in (c["name"], *c["aliases"]):
            # A long description ("The Long, Lean Man With The American Beard") is not a name: its
            # capitalised words are ordinary words capitalised by the annotators.
            if len(re.sub(r"^(?:The|A|An|One|Another|His|Her)\s+", "", form).split()) > 3:
                continue
            for w in re.findall(r"[A-Za-z]+", form):
                w = w[:1].upper() + w[1:].lower() if w.isupper() and len(w) > 1 else w
                if not w[:1].isupper() or len(w) < 3 or w in _KEEP:
                    continue
                if cap.get(w, 0) == 0:
                    continue  # an alias spelt differently from the text ("Lucy'S", "Wellend")
                # A proper noun: written capitalised far more than in lower case ("Emma", "Rabbit"),
                # unlike "Waiter", "White" or "Five" that are ordinary words inside an alias.
                if lower.get(w.lower(), 0) * 2 < cap[w]:
                    found.add(w)
    return sorted(found)


def build_map(words: list[str], namer: Namer | WordNamer | CommonNamer) -> dict[str, str]:
    """Invented replacement per name word; a word that extends another name keeps its prefix."""
    mapping: dict[str, str] = {}
    for w in sorted(words, key=lambda x: (len(x), x)):
        stem = "" if not isinstance(namer, Namer) else max((p for p in mapping if len(p) >= 3 and w.startswith(p) and len(w) > len(p)), key=len, default="")
        prefix = mapping[stem] if stem else ""
        mapping[w] = namer.fresh(len(w) - len(stem) + len(prefix), prefix)
    return mapping


def _pattern(mapping: dict[str, str]) -> re.Pattern[str] | None:
    if not mapping:
        return None
    alts = sorted({re.escape(v) for w in mapping for v in (w, w.upper())}, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(alts) + r")(?![A-Za-z])")


def rename(text: str, mapping: dict[str, str], pattern: re.Pattern[str] | None) -> tuple[str, list[tuple[int, int]]]:
    """The renamed text and the (old end, cumulative shift) of every substitution, in order."""
    if pattern is None:
        return text, []
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    pos = shift = 0
    for m in pattern.finditer(text):
        old = m.group(0)
        new = mapping[old] if old in mapping else mapping[old[:1] + old[1:].lower()].upper()
        out.append(text[pos : m.start()])
        out.append(new)
        pos = m.end()
        shift += len(new) - len(old)
        shifts.append((m.end(), shift))
    out.append(text[pos:])
    return "".join(out), shifts


def mover(shifts: list[tuple[int, int]]) -> Callable[[int], int]:
    """Maps an old offset to the new text: shifted by every substitution that ends at or before it."""
    ends = [e for e, _ in shifts]

    def move(pos: int) -> int:
        i = bisect.bisect_right(ends, pos)
        return pos + (shifts[i - 1][1] if i else 0)

    return move


def rename_novel(src: Path, dst: Path, seed: int, banned: set[str], style: str = "invented") -> dict[str, str]:
    """Write the renamed copy of one novel folder; returns its word map."""
    text = (src / "text.txt").read_text(encoding="utf-8")
    characters = json.loads((src / "characters.json").read_text(encoding="utf-8"))
    seed ^= zlib.crc32(src.name.encode())
    namer: Namer | WordNamer | CommonNamer
    if style == "common":
        namer = CommonNamer(seed, banned, text)
    elif style == "words":
        namer = WordNamer(seed, banned, set(_WORD.findall(text)))
    else:
        namer = Namer(seed, banned | {w.lower() for w in re.findall(r"[A-Za-z]+", text)})
    mapping = build_map(name_words(characters, text), namer)
    pattern = _pattern(mapping)
    new_text, shifts = rename(text, mapping, pattern)
    move = mover(shifts)

    def rn(s: str) -> str:
        return rename(s, mapping, pattern)[0]

    dst.mkdir(parents=True, exist_ok=True)
    (dst / "text.txt").write_text(new_text, encoding="utf-8")
    chars_out = [{**c, "name": rn(c["name"]), "aliases": sorted({rn(a) for a in c["aliases"]})} for c in characters]
    (dst / "characters.json").write_text(json.dumps(chars_out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    rewrite_quotes(src, dst, new_text, move, lambda s, e: rn(text[s:e]), rn,
                   ("speaker", "speaker_raw", "referring_expression", "addressees"))
    return mapping


def rewrite_quotes(src: Path, dst: Path, new_text: str, move: Callable[[int], int], expect: Callable[[int, int], str],
                   fix: Callable[[str], str], fields: tuple[str, ...]) -> None:
    """Write dst/quotes.jsonl: src's gold moved onto `new_text` with `move`, the string `fields` passed
    through `fix`. Stops on the first quote whose text at its new offsets is not `expect(old start, old end)`
    (the old span rewritten on its own), so a harness that rewrites a novel can never hand the scorer a gold
    that points at the wrong words."""
    with open(src / "quotes.jsonl", encoding="utf-8") as fin, open(dst / "quotes.jsonl", "w", encoding="utf-8") as fout:
        for line in fin:
            if not line.strip():
                continue
            q = json.loads(line)
            old_start, old_end = q["start"], q["end"]
            start, end = move(old_start), move(old_end)
            q["start"], q["end"] = start, end
            q["parts"] = [[move(s), move(e)] for s, e in q["parts"]]
            q["text"] = new_text[start:end]
            if q["text"] != expect(old_start, old_end):
                raise SystemExit(f"{src.name} {q['id']}: offsets went wrong after rewriting")
            for key in fields:
                if key == "addressees":
                    q[key] = [fix(a) for a in q.get(key) or []]
                elif isinstance(q.get(key), str):
                    q[key] = fix(q[key])
            fout.write(json.dumps(q, ensure_ascii=False) + "\n")


def refuse_inside_repo(out: Path, what: str) -> bool:
    """True (after one error line) when `out` lies inside the repository: a rewritten corpus is
    measuring data and must never land where it could be committed."""
    if ROOT in out.parents or out == ROOT:
        print(f"error: --out {out} is inside the repository; the {what} corpus is measuring data, write it elsewhere",
              file=sys.stderr)
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default="/tmp/renamed")
    ap.add_argument("--split", choices=["dev", "all"], default="dev",
                    help="dev (default): the development novels only; the held-out ones are never renamed for tuning")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--style", choices=["invented", "words", "common"], default="invented",
                    help="invented (default): syllable-built names; words: ordinary nouns as names (Rabbit, Owl); "
                         "common: the novel's own frequent lower-case words as names")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    if refuse_inside_repo(out, "renamed"):
        return 2
    banned = _lexicon_words()
    slugs = sorted(p.name for p in corpus.iterdir() if (p / "text.txt").exists())
    if args.split == "dev":
        slugs = [s for s in slugs if s not in TEST_NOVELS]
    if args.style == "invented":
        # Every word of every development novel is banned too: an invented name must not be an English word.
        for s in slugs:
            banned |= {w.lower() for w in re.findall(r"[A-Za-z]+", (corpus / s / "text.txt").read_text(encoding="utf-8"))}
    maps: dict[str, dict[str, str]] = {}
    for s in slugs:
        maps[s] = rename_novel(corpus / s, out / s, args.seed, banned, args.style)
    (out / "rename_map.json").write_text(json.dumps(maps, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(slugs)} novels renamed into {out} ({sum(len(m) for m in maps.values())} name words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
