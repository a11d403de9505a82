"""Renamed-corpus harness: the development novels with every character name swapped for an invented one.

    python benchmarks/renamed_corpus.py [CORPUS] [--out /tmp/renamed] [--split dev|all] [--seed N] [--style invented|words|common|foreign|hyphen|titled]
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

Shape styles (--style foreign | hyphen | titled) start from the invented names (same seed, so the same
names as --style invented) and change only their shape, so their score against --style invented measures
the shape alone: foreign turns Mr./Mrs./Miss into one other language's honorifics per novel (Signor /
Signora / Signorina, Herr / Frau / Fraulein, Monsieur / Madame / Mademoiselle, Senor / Senora / Senorita);
hyphen gives every given name a second part ("Vasel-Oru", "Vasel Oru", "Vasel-the-Oru", "Vasel of the
Oru"; --joint keeps one of these, or asks for "Vasel the Oru", --joint epithet); titled makes four in five of the people with a "Given Surname" and a
"Mr./Mrs./Miss Surname" of their own known by title and surname only (a man's given name becomes his
bare surname, "said Harcourt"; half of them take a professional title, "Professor Varn", "Dr. Kell").

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
    """Every word narrator keeps in a list (lower case), so no invented name is one of them.

    The modules are those of character discovery and attribution: a word list moved into a new module must be
    added here, or the renamed corpora could quietly change.
    """
    import narrator.attribution as at
    import narrator.cast_passes as cp
    import narrator.characters as ch
    import narrator.epithets as ep
    import narrator.first_person as fp
    import narrator.gender as ge
    import narrator.kinship as ki
    import narrator.lexicon as lx
    import narrator.mentions as me
    import narrator.name_clusters as nc
    import narrator.paragraphs as pa
    import narrator.resolver as rs
    import narrator.speech_tags as st

    words: set[str] = set()
    for mod in (lx, ch, cp, nc, ep, ge, me, at, pa, rs, st, ki, fp):
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
            # A long description ("The Tall, Thin Man With The Grey Umbrella") is not a name: its
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


# --style foreign: the English honorifics of a novel turned into one other language's, the same one all
# through the novel (chosen by seed), in the text and the gold alike. Written without accents, as English
# books often print them.
_HONORIFICS = (
    {"Mr": "Signor", "Mrs": "Signora", "Miss": "Signorina"},
    {"Mr": "Herr", "Mrs": "Frau", "Miss": "Fraulein"},
    {"Mr": "Monsieur", "Mrs": "Madame", "Miss": "Mademoiselle"},
    {"Mr": "Senor", "Mrs": "Senora", "Miss": "Senorita"},
)


def foreign_titles(rng: random.Random) -> dict[str, str]:
    """Phrase map turning "Mr." / "Mr" / "Mrs." / "Mrs" / "Miss" into one language's honorifics."""
    table = rng.choice(_HONORIFICS)
    out: dict[str, str] = {}
    for en, other in table.items():
        out[en] = other
        if en != "Miss":
            out[en + "."] = other
    return out


def _forms(c: dict) -> list[list[str]]:
    """A character's name and aliases as word lists, titles ("Mr.", "Lady") dropped from the front."""
    out = []
    for form in (c["name"], *c["aliases"]):
        words = form.split()
        while words and words[0].rstrip(".") in _KEEP:
            words = words[1:]
        out.append(words)
    return out


def given_and_surname(characters: list[dict], mapping: dict[str, str]) -> dict[int, tuple[str, str]]:
    """Character index -> (given name, surname), both renamed words, for everyone whose name or an alias is
    exactly "Given Surname" (after any title) and whose two words belong to nobody else in the novel."""
    owners: Counter[str] = Counter()
    for c in characters:
        owners.update({w for f in _forms(c) for w in f})
    found: dict[int, tuple[str, str]] = {}
    for i, c in enumerate(characters):
        if c.get("special") or c["name"].startswith("_"):
            continue
        # Only people the novel already calls by title and surname ("Miss Fairfax"): a maiden name met once
        # in a full name ("Augusta Hawkins", later Mrs. Elton) is not what she is known by.
        titled_surnames = {f.split()[-1] for f in (c["name"], *c["aliases"])
                           if len(f.split()) == 2 and f.split()[0].rstrip(".") in ("Mr", "Mrs", "Miss", "Ms")}
        for f in _forms(c):
            if (len(f) == 2 and f[1] in titled_surnames and f[0] != f[1]
                    and all(w in mapping and owners[w] == 1 for w in f)):
                found[i] = (f[0], f[1])
                break
    return found


def given_names(characters: list[dict], mapping: dict[str, str]) -> set[str]:
    """Name words used as someone's given name: the first word of a "Given Surname" form, or a one-word form
    that is never found after a title ("Mr. Darcy" makes Darcy a surname, even when he is called "Darcy")."""
    surnames: set[str] = set()
    given: set[str] = set()
    for c in characters:
        for form in (c["name"], *c["aliases"]):
            words = form.split()
            if len(words) >= 2 and words[0].rstrip(".") in _KEEP:
                surnames.add(words[-1])
        for f in _forms(c):
            if len(f) == 2:
                given.add(f[0])
                surnames.add(f[1])
            elif len(f) == 1:
                given.add(f[0])
    return {w for w in given - surnames if w in mapping}


_JOINTS = {"hyphen": "-", "space": " ", "the": "-the-", "of": " of the "}
# Only on request (--joint epithet), so the default mix, and the corpora measured with it, stay as they were:
# an epithet after "the" with spaces, "Vasel the Oru", as fan fiction writes "Star Swirl the Bearded".
_EXTRA_JOINTS = {"epithet": " the "}


def hyphenate(mapping: dict[str, str], given: set[str], namer: Namer, rng: random.Random,
              joints: tuple[str, ...] = tuple(_JOINTS.values())) -> None:
    """Given names in `mapping` become names of several parts, the shape chosen per name: "Vasel-Oru",
    "Vasel Oru" (two given names), "Vasel-the-Oru" or "Vasel of the Oru" (a lower-case particle inside).
    A name that is a prefix of another name word (a nickname stem) or extends one keeps one part, so the
    nickname link the renaming kept is not broken."""
    for w in sorted(given):
        if any(o != w and (o.startswith(w) or w.startswith(o)) for o in mapping):
            continue
        first, second = mapping[w], namer.fresh(rng.choice((3, 4, 5)))
        joint = rng.choice(joints)
        mapping[w] = first + joint + second


# --style titled: professional titles a man or woman may be known by instead of Mr./Mrs./Miss.
_PROFESSIONS = ("Dr.", "Professor", "Inspector", "Captain", "Doctor")


def titled(characters: list[dict], mapping: dict[str, str], rng: random.Random) -> dict[str, str]:
    """Phrase map for the characters chosen (four in five of those with a "Given Surname" of their own) to be
    known by title and surname only: the given name vanishes. A man's given name, alone or before his
    surname, becomes his bare surname ("said Harcourt"); a woman's becomes title + surname. Half of the
    chosen trade their Mr./Mrs./Miss for a professional title ("Professor Varn", "Dr. Kell")."""
    phrases: dict[str, str] = {}
    for i, (g, s) in sorted(given_and_surname(characters, mapping).items()):
        if rng.random() < 0.2:
            continue
        c = characters[i]
        male = c.get("gender") == "M"
        own = "Mr." if male else ("Mrs." if any(a.startswith("Mrs") for a in (c["name"], *c["aliases"])) else "Miss")
        title = rng.choice(_PROFESSIONS) if rng.random() < 0.5 else own
        new_s = mapping[s]
        titled_name = f"{title} {new_s}"
        bare = new_s if male else titled_name
        for t in ("Mr.", "Mr", "Mrs.", "Mrs", "Miss", "Ms.", "Master", "Dr.", "Doctor"):
            phrases[f"{t} {g} {s}"] = titled_name
            phrases[f"{t} {g}"] = titled_name
            if title != own and t.rstrip(".") == own.rstrip("."):
                phrases[f"{t} {s}"] = titled_name
        phrases[f"{g} {s}"] = bare
        phrases[g] = bare
    return phrases


def _lookup(mapping: dict[str, str]) -> dict[str, str]:
    """Every form a key may take in the text -- as written and in capitals ("Emma", "EMMA"; "Mr.", "MR.") --
    to its replacement in the same case. Keys of several words are stored with single spaces."""
    table: dict[str, str] = {}
    for k, v in mapping.items():
        table[k] = v
        table.setdefault(k.upper(), v.upper())
    return table


def _pattern(mapping: dict[str, str]) -> re.Pattern[str] | None:
    """One alternation of every key, longest first, so a phrase ("Frank Churchill") wins over its words; the
    spaces of a phrase match any run of white space, since the novels wrap their lines."""
    if not mapping:
        return None
    keys = sorted(_lookup(mapping), key=len, reverse=True)
    alts = [r"\s+".join(re.escape(w) for w in k.split(" ")) for k in keys]
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(alts) + r")(?![A-Za-z])")


def rename(text: str, mapping: dict[str, str], pattern: re.Pattern[str] | None) -> tuple[str, list[tuple[int, int]]]:
    """The renamed text and the (old end, cumulative shift) of every substitution, in order."""
    if pattern is None:
        return text, []
    table = _lookup(mapping)
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    pos = shift = 0
    for m in pattern.finditer(text):
        old = m.group(0)
        new = table[re.sub(r"\s+", " ", old)]
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


def rename_novel(src: Path, dst: Path, seed: int, banned: set[str], style: str = "invented",
                 joints: tuple[str, ...] = tuple(_JOINTS.values())) -> dict[str, str]:
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
    # The shape styles start from the invented names (same seed, so the same names as --style invented)
    # and change only the shape, so their score against the invented one measures the shape alone.
    shape_rng = random.Random(seed ^ 0x5EED)
    if style == "foreign":
        mapping.update(foreign_titles(shape_rng))
    elif style == "hyphen":
        assert isinstance(namer, Namer)
        hyphenate(mapping, given_names(characters, mapping), namer, shape_rng, joints)
    elif style == "titled":
        phrases = titled(characters, mapping, shape_rng)
        mapping = {**{k: v for k, v in mapping.items() if k not in phrases}, **phrases}
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


def novel_slugs(corpus: Path, split: str = "dev") -> list[str]:
    """The novels a harness rewrites, sorted: every one of `corpus` with a text ("all"), or only the development
    ones ("dev"): the held-out novels are never rewritten for tuning."""
    slugs = sorted(p.name for p in corpus.iterdir() if (p / "text.txt").exists())
    return slugs if split == "all" else [s for s in slugs if s not in TEST_NOVELS]


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
    ap.add_argument("--style", choices=["invented", "words", "common", "foreign", "hyphen", "titled"], default="invented",
                    help="invented (default): syllable-built names; words: ordinary nouns as names (Rabbit, Owl); "
                         "common: the novel's own frequent lower-case words as names; foreign, hyphen, titled: "
                         "the invented names with another shape -- Mr./Mrs./Miss in another language "
                         "(Signor, Frau, Mademoiselle, Senorita), given names of several parts (Vasel-Oru, "
                         "Vasel of the Oru), some people known by title and surname only (Harcourt, Dr. Kell)")
    ap.add_argument("--joint", choices=sorted(_JOINTS | _EXTRA_JOINTS), action="append",
                    help="with --style hyphen: only this way of joining the parts (repeatable; default all four: "
                         "hyphen Vasel-Oru, space Vasel Oru, the Vasel-the-Oru, of Vasel of the Oru; "
                         "epithet Vasel the Oru only when asked for)")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    if args.joint and args.style != "hyphen":
        # Only the hyphen style joins name parts: the option was dropped without a word, and the corpus written
        # was not the one asked for.
        print(f"error: --joint applies to --style hyphen only, not --style {args.style}", file=sys.stderr)
        return 2
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    if refuse_inside_repo(out, "renamed"):
        return 2
    banned = _lexicon_words()
    slugs = novel_slugs(corpus, args.split)
    if args.style in ("invented", "foreign", "hyphen", "titled"):
        # Every word of every development novel is banned too: an invented name must not be an English word.
        for s in slugs:
            banned |= {w.lower() for w in re.findall(r"[A-Za-z]+", (corpus / s / "text.txt").read_text(encoding="utf-8"))}
    maps: dict[str, dict[str, str]] = {}
    for s in slugs:
        maps[s] = rename_novel(corpus / s, out / s, args.seed, banned, args.style,
                               tuple((_JOINTS | _EXTRA_JOINTS)[j] for j in args.joint) if args.joint
                               else tuple(_JOINTS.values()))
    (out / "rename_map.json").write_text(json.dumps(maps, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(slugs)} novels renamed into {out} ({sum(len(m) for m in maps.values())} name words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
