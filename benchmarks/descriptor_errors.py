"""Descriptor tags on the development novels: "said the old man" against "he said".

    python benchmarks/descriptor_errors.py [CORPUS] [--novels SLUG ...] [--list] [--show BUCKET] [-n 20]

PDNC's quote type "anaphoric" covers two ways of pointing at a speaker without a name: a pronoun
("she said", "was his answer") and a descriptor, a noun phrase that describes the speaker ("said the
old gentleman", "cried her mother", "the other replied"). This report splits the anaphoric quotations
by PDNC's own `referring_expression` into those two classes and prints our accuracy on each, per
novel (a quotation is right the way score_attribution.py counts it: our dialogue covers half of it and
the speaker holding most of it is the gold speaker or one of their aliases).

Every descriptor miss is then put in one bucket by *why* it went wrong:

  never_found  the gold speaker is none of our characters, or the quotation was not detected
  not_read     we read no tag, or a pronoun tag, for the line (the descriptor was not taken as its tag)
  named_tag    we read a name tag, so the descriptor was not what decided the line
  nobody       the descriptor was read, but the line went to nobody
  wrong        the descriptor was read and linked to the wrong character

and by the kind of descriptor:

  relation     "said her mother", "cried his wife" (a kinship or household relation of someone else)
  companion    "said his friend", "said the other", "his companion replied"
  age_sex      "the girl", "the old man", "the young lady" (a person-noun telling sex or age)
  role         "the doctor", "the count", "the painter" (an occupation, rank or role)
  voice        "said a voice", "a grave voice replied" (the speaker unseen or not yet named)
  other        anything else

`--list` prints one row per descriptor miss; `--show BUCKET` prints the text around the misses of one
bucket (either kind of bucket). Both print corpus text to the terminal: never copy that output into
the repository.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from attribution import decode_quotes, gold_aliases, load, miss_report_args, norm, print_example  # noqa: E402

from narrator import kinship, speech_tags  # noqa: E402
from narrator.characters import find_characters  # noqa: E402
from narrator.dialogue import split_dialogue  # noqa: E402
from narrator.lexicon import FEMALE_NOUNS, MALE_NOUNS  # noqa: E402

WHY = ("never_found", "not_read", "named_tag", "nobody", "wrong")
KINDS = ("relation", "companion", "age_sex", "role", "voice", "other")
_DETS = frozenset(["the", "a", "an", "his", "her", "their", "my", "our", "another"])

_PRONOUNS = frozenset(["he", "she", "i", "it", "they", "we", "you", "thou"])
_SPEECH_NOUNS = frozenset(speech_tags._POSSESSIVE_NOUNS.split("|"))
_COMPANION = frozenset(["other", "friend", "companion", "comrade", "interlocutor", "neighbour", "neighbor",
                        "visitor", "guest", "partner", "host", "hostess", "listener", "hearer", "questioner",
                        "informant", "fellow-traveller", "acquaintance"])
_AGE_SEX = frozenset(["man", "woman", "girl", "boy", "lady", "gentleman", "lad", "lass", "fellow", "youth",
                      "child", "person", "stranger", "creature", "one", "maiden", "old", "young"])


def referring_class(rx: str | None) -> str:
    """'pronoun', 'descriptor' or 'none' for a PDNC referring expression ("he said", "said the girl")."""
    words = re.findall(r"[a-z][a-z'\-]*", (rx or "").lower())
    if not words:
        return "none"
    if any(w in _PRONOUNS for w in words):
        return "pronoun"
    # "was her answer", "was my reply": a possessive speech noun points at its owner like a pronoun.
    for k, a in enumerate(words):
        if a in ("his", "her", "my", "their", "our") and any(b in _SPEECH_NOUNS for b in words[k + 1: k + 4]):
            return "pronoun"
    return "descriptor"


def descriptor_kind(rx: str) -> str:
    """The bucket a descriptor's head noun falls into (see the module docstring)."""
    words = re.findall(r"[a-z][a-z'\-]*", rx.lower())
    # The noun phrase after its determiner, up to the first verb, preposition or particle.
    det = next((k for k, w in enumerate(words) if w in _DETS), None)
    phrase: list[str] = []
    for w in words[det + 1:] if det is not None else words:
        if w in speech_tags.SPEECH_WORDS or w in speech_tags.PREPOSITIONS or w in ("in", "out", "up", "and", "who") or w.endswith("ing"):
            break
        phrase.append(w)
    head = phrase[-1] if phrase else ""
    if head in ("voice", "voices"):
        return "voice"
    possessive = any(w in ("his", "her", "their", "my", "our") for w in words)
    if head in _COMPANION or "other" in words:
        return "companion"
    if possessive and head in kinship._RELATIONS:
        return "relation"
    if head in _AGE_SEX or (head in MALE_NOUNS | FEMALE_NOUNS and head in (
            "man", "woman", "girl", "boy", "lady", "gentleman", "lad", "lass", "fellow", "youth", "maid", "widow")):
        return "age_sex"
    if head in kinship._RELATIONS:
        return "relation"
    if head:
        return "role"
    return "other"


def decode(segs, chars):
    """attribute(), keeping the paragraphs (their tags) and the per-quote speakers for inspection."""
    res, _, quotes = decode_quotes(segs, chars)
    return res, [(s.start, s.end, who, p, s) for s, p, who in quotes]  # (start, end, speaker, para, seg)


def judge(q: dict, rows: list, starts: list[int], forms: set[str]):
    """(found, predicted speaker, paragraph of the first part) the way the shared scorer decides them."""
    length = sum(e - s for s, e in q["parts"])
    cov = 0
    votes: Counter = Counter()
    first: dict = {}
    para = None
    for ps, pe in q["parts"]:
        k = bisect.bisect_left(starts, pe) - 1
        while k >= 0 and rows[k][1] > ps - 20000:
            s, e, sp, p, _ = rows[k]
            ov = min(e, pe) - max(s, ps)
            if ov > 0:
                cov += ov
                key = norm(sp) if sp else None
                votes[key] += ov
                first[key] = min(first.get(key, s), s)
                if (ps, pe) == tuple(q["parts"][0]):
                    para = p
            if s < ps - 5000:
                break
            k -= 1
    found = length > 0 and cov >= 0.5 * length
    pred = max(votes, key=lambda kk: (votes[kk], -first[kk])) if votes else None
    return found, pred, pred is not None and found and pred in forms, para


def analyse(novel: Path, per_novel: dict, misses: list) -> None:
    story, chapters = load(novel / "text.txt")
    segs = [s for ch in chapters for s in split_dialogue(story, ch)]
    chars = find_characters(story, segs)
    _, rows = decode(segs, chars)
    starts = [r[0] for r in rows]
    gchars = json.load((novel / "characters.json").open())
    galias = gold_aliases(gchars)
    ours = {norm(f) for c in chars for f in (c.name, *c.aliases)}
    c = per_novel.setdefault(novel.name, Counter())
    for line in (novel / "quotes.jsonl").open(encoding="utf-8"):
        q = json.loads(line)
        if q["quote_type"] != "anaphoric":
            continue
        cls = referring_class(q["referring_expression"])
        found, pred, ok, para = judge(q, rows, starts, galias.get(q["speaker"], {norm(q["speaker"])}))
        c[cls] += 1
        c[cls + "_ok"] += ok
        if ok or cls != "descriptor":
            continue
        tag = para.tags[0][0] if para is not None and para.tags else None
        if not found or not (galias.get(q["speaker"], set()) & ours):
            why = "never_found"
        elif para is None or tag is None or tag.kind == "pronoun":
            why = "not_read"
        elif tag.kind == "name":
            why = "named_tag"
        elif pred is None:
            why = "nobody"
        else:
            why = "wrong"
        kind = descriptor_kind(q["referring_expression"])
        c["why_" + why] += 1
        c["kind_" + kind] += 1
        desc = "-" if tag is None else f"{tag.kind}/{tag.gender}" + (f"/{tag.phrase}" if tag.phrase else "") + (
            f"/rel={tag.rel}" if tag.rel else "") + ("/other" if tag.other else "")
        misses.append((why, kind, novel.name, q["referring_expression"], desc, pred, q["speaker"],
                       story.text[max(0, q["start"] - 600): q["end"] + 150]))


def main() -> int:
    args, novels = miss_report_args(__doc__, "print the text around misses of this bucket (why or kind)",
                                    listing=True)
    per_novel: dict[str, Counter] = {}
    misses: list = []
    for nv in novels:
        analyse(nv, per_novel, misses)
    tot: Counter = Counter()
    for c in per_novel.values():
        tot.update(c)

    def pct(c: Counter, k: str) -> str:
        return f"{100 * c[k + '_ok'] / c[k]:5.1f}" if c[k] else "    -"

    print(f"{'novel':34} {'pron':>5} {'ok%':>5} {'desc':>5} {'ok%':>5}  " + " ".join(f"{w[:8]:>8}" for w in WHY))
    for name, c in sorted(per_novel.items()):
        print(f"{name:34} {c['pronoun']:5} {pct(c, 'pronoun')} {c['descriptor']:5} {pct(c, 'descriptor')}  "
              + " ".join(f"{c['why_' + w]:8}" for w in WHY))
    print(f"{'all':34} {tot['pronoun']:5} {pct(tot, 'pronoun')} {tot['descriptor']:5} {pct(tot, 'descriptor')}  "
          + " ".join(f"{tot['why_' + w]:8}" for w in WHY))
    if tot["none"]:
        print(f"(anaphoric with no referring expression: {tot['none']}, ok {tot['none_ok']})")
    nm = len(misses)
    print(f"\ndescriptor misses: {nm}")
    cross = Counter((m[0], m[1]) for m in misses)
    print(f"{'':12} " + " ".join(f"{k:>9}" for k in KINDS) + f" {'all':>6}")
    for w in WHY:
        print(f"{w:12} " + " ".join(f"{cross[(w, k)]:9}" for k in KINDS) + f" {sum(cross[(w, k)] for k in KINDS):6}")
    print(f"{'all':12} " + " ".join(f"{sum(cross[(w, k)] for w in WHY):9}" for k in KINDS) + f" {nm:6}")
    if args.list:
        for why, kind, name, rx, desc, pred, gold, _ in misses:
            print(f"{why:11} {kind:9} {name[:20]:20} rx={rx[:24]:24} {desc[:30]:30} ours={str(pred)[:20]:20} gold={gold[:20]}")
    if args.show:
        shown = [m for m in misses if args.show in (m[0], m[1])][: args.n]
        for why, kind, name, rx, desc, pred, gold, ctx in shown:
            print_example(f"{name} {why}/{kind} rx={rx!r} tag={desc} ours={pred!r} gold={gold!r}", ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
