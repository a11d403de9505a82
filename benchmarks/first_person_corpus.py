"""First-person harness: each development novel retold by its most talkative character.

    python benchmarks/first_person_corpus.py [CORPUS] [--out /tmp/first] [--split dev|all]
    python benchmarks/attribution.py /tmp/first --split dev --out /tmp/first-pred
    python /work/shared/eval/score_attribution.py /tmp/first-i /tmp/first-pred   # the narrator's own lines

Why: fan fiction is often told in the first person ('"Wait," I said.', "said I", "I replied"), the narrator
character speaking and being addressed by name by the others ("Ann, wait!"), while the development novels
are told in the third person (bar four), so the development figure does not measure it. Here the narration
of each novel is retold by the character with the most quotations: "I" must be recognised as the person the
others call "Emma", and "I said" must be hers.

What changes, outside quoted speech only (the gold quotes' parts and every other double-quoted stretch of a
paragraph): every occurrence of that character's name or alias (exact case, the forms no other character
shares, descriptions such as "The Stranger" left out) becomes a first-person pronoun -- "my" when
possessive ("Emma's"), "me" after a verb or preposition ("told Emma", "to Emma", "with Harriet and Emma"),
else "I" ("Emma was", "said Emma" -> "said I", "Emma replied" -> "I replied"), with a lower-case epithet
before it swallowed ("poor Emma" -> "I"), and the verb right after a subject "I" made to agree ("Emma is"
-> "I am", "has" -> "have", "says" -> "say"); a name after someone else's title ("Mrs. Archer") or inside a
longer proper noun ("the Newland Archers") stays. What stays: everything inside quotations, so the others still
call her "Emma"; the pronouns that refer to her ("she", "her"), which a real first-person narrator would
write "I" and "me" -- an imperfection left honest, since telling whose "she" it is needs the very
resolution being measured; and the gold speakers and characters.json, so the scorer still needs the name.

A novel already told in the first person (a character whose aliases hold PDNC's narrator mark "_narr" or
"Narr": The Gambler, The Sun Also Rises, The Sign of the Four, Styles) is copied as it is, its narrator
being the "I"; there, a second "I" would make nonsense.

Caveat when reading the figures: the scorer accepts only the name forms PDNC lists. A narrator whom the
others call "Margaret" and "Miss Schlegel" is rightly named "Margaret Schlegel" -- a form Howards End never
prints, so PDNC lists "Margaret" and "Miss Schlegel" but not it, and every one of her lines counts wrong
(likewise "Elinor Dashwood"). Report the corpus with and without such novels.

Writes, per novel, text.txt, quotes.jsonl (offsets moved, text recomputed, speakers as they were) and
characters.json (unchanged) under OUT, never inside the repository; plus OUT-i, the same novels with only
the "I" character's quotations in quotes.jsonl, for scoring the narrator's own lines apart; plus
OUT/first_person.json naming each novel's "I" and the number of names rewritten. The gold is checked after
rewriting: every quote's text equals the new text at its new offsets, and every part is word for word what
it was. Standard library plus the renamed-corpus and present-tense harnesses' helpers.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.renamed_corpus import novel_slugs, refuse_inside_repo  # noqa: E402
from benchmarks.tense_corpus import PAST_TO_BASE, protected_spans, write_substituted  # noqa: E402
from narrator.lexicon import SPEECH_VERBS, bare_form  # noqa: E402

# PDNC marks the narrator of a novel told in the first person with one of these aliases.
_NARRATOR_MARKS = frozenset(["_narr", "Narr"])
# Words after which a name is an object: "to Emma", "with Emma", "for Emma".
_PREPOSITIONS = frozenset(["to", "in", "with", "within", "off", "across", "along", "above", "below", "beneath", "despite", "for", "at", "by", "from", "of", "on", "upon", "about", "towards", "toward",
                           "against", "behind", "beside", "besides", "near", "after", "before", "without", "into",
                           "onto", "like", "unlike", "round", "around", "among", "between", "beyond", "under", "over",
                           "through", "than", "except", "but", "past", "follow", "behind"])
# Bare and present verbs that take an object ("let Emma", "see Emma", "tells Emma").
_VERBS = frozenset(["let", "see", "tell", "ask", "help", "make", "give", "meet", "find", "leave", "call", "take",
                    "like", "love", "know", "thank", "visit", "join", "bring", "keep", "show", "teach", "want",
                    "expect", "invite", "persuade", "hear", "watch", "kiss", "marry", "met", "put", "led",
                    "hurt", "set", "cut", "hit", "beat", "bid", "get", "got", "pay", "paid", "send", "sent",
                    "lend", "lent", "owe", "allow", "warn", "advise", "remind", "assure", "inform", "beg",
                    "trust", "believe", "forgive", "excuse", "pity", "envy", "admire", "please"])
# A lower-case word before a name that ends in "ed" but is no verb taking an object: "Mr. Knightley and
# Emma" is no issue, but "indeed Emma", "need Emma" are.
_NOT_VERBS = frozenset(["indeed", "need", "seed", "speed", "bed", "red", "shed", "hundred", "wed", "deed", "creed"])
# Lower-case epithets swallowed with the name ("poor Emma" -> "I").
_EPITHETS = frozenset(["poor", "dear", "little", "young", "old", "good", "sweet", "unhappy", "unfortunate"])
# Verbs that change after "I" (the past tense mostly needs no change: "I was", "I said").
_AGREE = {"is": "am", "has": "have", "does": "do", "isn't": "am not", "hasn't": "haven't", "doesn't": "don't",
          "was": "was", "says": "say"}
_AUXILIARIES = frozenset(["was", "were", "had", "would", "could", "should", "might", "must", "did", "is", "has",
                          "will", "can", "shall", "may", "wasn't", "hadn't", "didn't", "couldn't", "wouldn't"])
# A title right before a bare name makes it someone else's (their titled forms are matched whole).
_TITLED = re.compile(r"\b(?:Mr|Mrs|Miss|Ms|Dr|Madame|Mademoiselle|Monsieur|Lady|Lord|Sir|Aunt|Uncle|Master|Mistress|"
                     r"Captain|Colonel|Professor|Father|Mother|Sister|Brother)\.?\s+$")
_SPEECH_PRESENT = frozenset(w for w in SPEECH_VERBS if w.endswith("s") and not w.endswith("ss"))
_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def narrator_of(quotes: list[dict], characters: list[dict]) -> tuple[dict, bool]:
    """The character who becomes "I", and whether the novel is already told by them in the first person."""
    for c in characters:
        if _NARRATOR_MARKS & set(c.get("aliases") or []):
            return c, True
    counts = Counter(q["speaker"] for q in quotes)
    people = {c["name"]: c for c in characters if not c.get("special") and not c["name"].startswith("_")}
    top = next(name for name, _ in counts.most_common() if name in people)
    return people[top], False


def own_forms(person: dict, characters: list[dict]) -> list[str]:
    """The person's name and aliases that only they bear, longest first; descriptions ("The Stranger")
    and forms of more than three words are left out, since the text writes them in lower case or not at all."""
    others = {f for c in characters if c is not person for f in (c["name"], *(c.get("aliases") or []))}
    forms = {f for f in (person["name"], *(person.get("aliases") or []))
             if f not in others and f not in _NARRATOR_MARKS and f[:1].isupper()
             and f.split()[0] not in ("The", "A", "An", "My") and len(f.split()) <= 3}
    return sorted(forms, key=lambda f: (-len(f), f))  # longest first; ties by spelling, the same in every run


def _object_slot(prev: str | None) -> bool:
    """Whether a name right after the word `prev` is an object ("told Emma", "to Emma")."""
    if prev is None or not prev.islower():
        return False
    if prev in _PREPOSITIONS or prev in _VERBS or prev in PAST_TO_BASE:
        return True
    return prev.endswith("ed") and prev not in _NOT_VERBS and len(prev) > 4


def to_first_person(text: str, forms: list[str], protected: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The substitutions (start, end, new words), in order, that retell `text`'s narration in the first
    person of the character named by `forms`."""
    if not forms:
        return []
    name = re.compile(r"(?<![A-Za-z'])(?:" + "|".join(r"\s+".join(map(re.escape, f.split())) for f in forms)
                      + r")(?P<poss>'s|\u2019s| s)?(?![A-Za-z])")
    starts = [s for s, _ in protected]

    def shielded(a: int, b: int) -> bool:
        i = bisect.bisect_right(starts, a) - 1
        return (i >= 0 and protected[i][1] > a) or (i + 1 < len(starts) and starts[i + 1] < b)

    subs: list[tuple[int, int, str]] = []
    for m in name.finditer(text):
        a, b = m.start(), m.end()
        if shielded(a, b) or _TITLED.search(text, max(0, a - 12), a):
            continue  # "Mrs. Archer" is another person than the "Archer" who tells the story
        if not m.group("poss") and re.match(r"[ \t]+[A-Z][a-z]", text[b : b + 3]):
            continue  # "the Newland Archers": a name inside a longer proper noun
        # The clause before the name: back to the last punctuation mark or paragraph break.
        head = text[max(0, a - 120) : a]
        gap = head.rfind("\n\n")
        cut = max(max(head.rfind(ch) for ch in '.,;:!?"()'), gap + 1 if gap >= 0 else -1)
        clause = head[cut + 1 :]
        mark = head[cut] if cut >= 0 else "\n"
        words = _TOKEN.findall(clause)
        start = a
        if words and words[-1].lower() in _EPITHETS and re.search(r"\b" + words[-1] + r"\s+$", clause):
            # "poor Emma": the epithet goes with the name.
            start = a - len(clause) + clause.rstrip().rfind(words[-1])
            words = words[:-1]
        prev = words[-1] if words else None
        # A sentence opens after a full stop, a paragraph break, or a quotation that ended on one.
        sentence_start = not words and (mark in ".!?\n" or (mark == '"' and cut > 0 and head[cut - 1] in ".!?"))
        if m.group("poss"):
            new = "My" if sentence_start else "my"
            subs.append((start, b, new))
            continue
        # '"...," said Emma', '"...," reflected Emma': a verb alone after a quotation or a comma is an
        # inverted tag, "said I".
        inverted = (prev is not None and len(words) == 1 and mark in ',"' and prev not in _PREPOSITIONS
                    and (prev in SPEECH_VERBS or prev in PAST_TO_BASE or (prev.islower() and prev.endswith("ed"))))
        nxt = re.match(r"(\s+)([A-Za-z]+(?:'[a-z]+)?)", text[b : b + 40])
        # "she thought Emma was right": a name before a verb is the subject of a clause of its own.
        verb_next = nxt is not None and (nxt.group(2) in _AUXILIARIES or nxt.group(2) in PAST_TO_BASE
                                         or (nxt.group(2).islower() and nxt.group(2).endswith("ed")))
        # A bare verb after "to" or a modal takes an object too: "to reduce Emma", "would pity Emma".
        infinitive = (prev is not None and prev.islower() and len(words) >= 2
                      and words[-2] in ("to", "would", "could", "should", "will", "shall", "might", "must", "did"))
        objective = not inverted and not verb_next and (_object_slot(prev) or infinitive)
        if not objective and not verb_next and prev in ("and", "or") and len(words) >= 3:
            # "told Harriet and Emma": the word before the first of the pair governs both.
            objective = _object_slot(words[-3]) or (len(words) >= 4 and words[-3][:1].isupper() and _object_slot(words[-4]))
        if objective:
            subs.append((start, b, "Me" if sentence_start else "me"))
            continue
        subs.append((start, b, "I"))
        # The verb right after a subject "I" agrees with it: "Emma is" -> "I am", "Emma says" -> "I say".
        if nxt and not inverted:
            verb = nxt.group(2)
            v_start = b + len(nxt.group(1))
            if verb in _AGREE and _AGREE[verb] != verb:
                subs.append((v_start, v_start + len(verb), _AGREE[verb]))
            elif verb in _SPEECH_PRESENT:
                subs.append((v_start, v_start + len(verb), bare_form(verb)))
    return subs


def first_person_novel(src: Path, dst: Path, dst_i: Path) -> dict:
    """Write the first-person copy of one novel folder (and its narrator-only gold); returns what was done."""
    text = (src / "text.txt").read_text(encoding="utf-8")
    quotes = [json.loads(line) for line in (src / "quotes.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    characters = json.loads((src / "characters.json").read_text(encoding="utf-8"))
    person, already = narrator_of(quotes, characters)
    forms = [] if already else own_forms(person, characters)
    merged = protected_spans(text, quotes)
    subs = to_first_person(text, forms, merged)
    new_text = write_substituted(src, dst, text, subs, lambda x: x, ())
    new_quotes = [json.loads(line) for line in (dst / "quotes.jsonl").read_text(encoding="utf-8").splitlines()]
    for q, old in zip(new_quotes, quotes, strict=True):
        if [new_text[s:e] for s, e in q["parts"]] != [text[s:e] for s, e in old["parts"]]:
            raise SystemExit(f"{src.name} {q['id']}: a quoted part changed")
    # The narrator's own lines, scored apart.
    dst_i.mkdir(parents=True, exist_ok=True)
    (dst_i / "text.txt").write_text(new_text, encoding="utf-8")
    shutil.copyfile(src / "characters.json", dst_i / "characters.json")
    with open(dst_i / "quotes.jsonl", "w", encoding="utf-8") as f:
        for q in new_quotes:
            if q["speaker"] == person["name"]:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
    kinds = Counter(new for _, _, new in subs)
    return {"narrator": person["name"], "already_first_person": already, "forms": forms,
            "quotes": sum(q["speaker"] == person["name"] for q in quotes), "of": len(quotes),
            "rewritten": {k: kinds[k] for k in ("I", "me", "my", "Me", "My") if kinds[k]},
            "verbs": sum(n for k, n in kinds.items() if k not in ("I", "me", "my", "Me", "My"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default="/tmp/first")
    ap.add_argument("--split", choices=["dev", "all"], default="dev",
                    help="dev (default): the development novels only; the held-out ones are never rewritten for tuning")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    out_i = out.with_name(out.name + "-i")
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    if refuse_inside_repo(out, "first-person") or refuse_inside_repo(out_i, "first-person"):
        return 2
    slugs = novel_slugs(corpus, args.split)
    report = {s: first_person_novel(corpus / s, out / s, out_i / s) for s in slugs}
    (out / "first_person.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    names = sum(sum(r["rewritten"].values()) for r in report.values())
    print(f"{len(slugs)} novels retold in the first person into {out} ({names} names rewritten; "
          f"{sum(r['already_first_person'] for r in report.values())} already first-person, copied); "
          f"the narrators' own lines in {out_i}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
