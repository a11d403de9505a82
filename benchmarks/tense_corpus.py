"""Present-tense harness: the development novels with their narration moved into the present tense.

    python benchmarks/tense_corpus.py [CORPUS] [--out /tmp/tense] [--split dev|all]
    python benchmarks/attribution.py /tmp/tense --split dev

Why: much fan fiction (and some novels) is told in the present tense ('"Wait," says Twilight.', "she
asks", "Spike mutters, rubbing his eyes", "replies the dragon"), while our speech-tag grammar, pronoun
and descriptor tags, split quotes and character discovery were built on past-tense novels. The same
novels told in the present show how much of the accuracy hangs on the tense of a verb.

What changes: outside quoted speech only, the past tense of a fixed list of verbs -- the verbs of
speaking ("said" -> "says", "cried" -> "cries", "replied" -> "replies", "went on" -> "goes on") and the
commonest verbs of narration ("was", "were", "had", "did", "looked", "turned", "came", "knew" ...) --
becomes the present, agreeing with its subject: "he says", "they say", "I say", "says Emma", "say
they", "I am", "they are", "she has". What stays: anything between quotation marks (the gold quotes'
parts and every other double-quoted stretch of a paragraph, a quotation left open at a paragraph's end
included), a participle after an auxiliary ("had said", "was asked", "having replied" -- "he had said"
becomes "he has said"), a noun after a determiner ("a thought", "his cry"), a subjunctive "were" after
a singular subject ("as if she were"), and every verb the lists do not hold. The result reads as
present-tense narration with some past tenses left, as real present-tense stories often have.

Writes, per novel, text.txt, quotes.jsonl (offsets and parts moved, text recomputed, speakers as they
were) and characters.json (unchanged) under OUT, never inside the repository. The gold is checked after
rewriting: every quote's text equals the new text at its new offsets, and every part is word for word
what it was. Standard library only, plus the renamed-corpus harness's helpers.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.renamed_corpus import mover, novel_slugs, refuse_inside_repo, rewrite_quotes  # noqa: E402

# Irregular pasts (and the regular ones that double a consonant) -> the bare verb.
_IRREGULAR = {
    "said": "say", "went": "go", "began": "begin", "thought": "think", "told": "tell", "spoke": "speak",
    "came": "come", "saw": "see", "took": "take", "knew": "know", "felt": "feel", "made": "make",
    "got": "get", "gave": "give", "stood": "stand", "sat": "sit", "rose": "rise", "ran": "run",
    "heard": "hear", "shook": "shake", "kept": "keep", "held": "hold", "found": "find", "brought": "bring",
    "broke": "break", "drew": "draw", "threw": "throw", "grew": "grow", "meant": "mean", "led": "lead",
    "nodded": "nod", "begged": "beg", "sobbed": "sob", "grinned": "grin", "admitted": "admit",
    "stopped": "stop", "shrugged": "shrug", "stepped": "step", "dropped": "drop", "slipped": "slip",
    "snapped": "snap", "did": "do", "had": "have",
}
# Regular verbs (the bare form; the past is built by rule): speech verbs first, then narration.
_REGULAR = ["ask", "cry", "reply", "answer", "exclaim", "add", "continue", "return", "rejoin", "observe",
            "remark", "repeat", "whisper", "murmur", "mutter", "shout", "call", "inquire", "enquire",
            "interrupt", "suggest", "explain", "protest", "declare", "insist", "urge", "retort", "respond",
            "demand", "plead", "groan", "sigh", "laugh", "gasp", "stammer", "scream", "shriek", "roar",
            "hiss", "agree", "conclude", "announce", "muse", "wonder", "breathe", "smile", "venture",
            "falter", "echo", "object", "pursue", "proceed", "resume", "cease", "chuckle", "mumble",
            "sneer", "look", "turn", "walk", "pause", "seem", "glance", "stare", "open", "close", "lift",
            "raise", "enter", "follow", "hesitate", "watch", "wait", "reach", "touch", "move", "smile",
            "frown", "blush", "listen", "notice", "decide", "manage", "try", "hurry"]


def _past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ied"
    return base + "ed"


def third_person(base: str) -> str:
    """The -s form: "says", "cries", "goes", "watches", "echoes", "has"."""
    if base == "have":
        return "has"
    if base in ("go", "do", "echo"):
        return base + "es"
    if base.endswith(("s", "sh", "ch", "x", "z")):
        return base + "es"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ies"
    return base + "s"


PAST_TO_BASE = {**{_past(b): b for b in _REGULAR}, **_IRREGULAR}
_CONTRACTED = {"wasn't": ("isn't", "isn't", "am not"), "weren't": ("aren't", "aren't", "aren't"),
               "hadn't": ("hasn't", "haven't", "haven't"), "didn't": ("doesn't", "don't", "don't")}
# Between an auxiliary and its participle, or a subject and its verb ("she then said", "had never said").
_ADVERBS = frozenset(["not", "never", "just", "already", "also", "only", "then", "still", "often", "always",
                      "ever", "once", "scarcely", "hardly", "quite", "soon", "now", "first", "at", "last",
                      "suddenly", "again", "presently", "instantly"])
_AUX = frozenset(["had", "have", "has", "having", "was", "were", "is", "are", "be", "been", "being", "am",
                  "'d"])
# A past form after one of these is a noun or a participle-adjective ("a thought", "his cry", "the said").
_DETERMINERS = frozenset(["a", "an", "the", "his", "her", "my", "their", "our", "your", "its", "this",
                          "that", "no", "every", "any", "some", "one", "each", "to", "of", "what", "which"])
_PLURAL = frozenset(["they", "we", "you"])
_PLURAL_NOUNS = frozenset(["men", "women", "people", "children", "others", "both", "all", "few", "many"])
_SUBJUNCTIVE_SINGULAR = frozenset(["i", "he", "she", "it"])
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Every stretch between straight double quotes, paragraph by paragraph, the marks included; a
    quotation still open at a paragraph's end (a speech running on into the next) runs to that end."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        open_at = None
        for m in re.finditer('"', para.group(0)):
            pos = para.start() + m.start()
            if open_at is None:
                open_at = pos
            else:
                spans.append((open_at, pos + 1))
                open_at = None
        if open_at is not None:
            spans.append((open_at, para.end()))
    return spans


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _person(tok: str | None) -> str:
    """'1' (I), 'p' (we/you/they) or 's' (anyone else) for the subject word `tok`."""
    if tok is None:
        return "s"
    low = tok.lower()
    if tok == "I":
        return "1"
    # "they", and a plural noun: "the publishers say", "the women have" (not "his", "was", "glass").
    plural_noun = tok.islower() and (low in _PLURAL_NOUNS or re.fullmatch(r"[a-z]{3,}[^su']s", low) is not None)
    return "p" if low in _PLURAL or plural_noun else "s"


def present(base: str, person: str, subject: str | None) -> str:
    if base == "be_was":
        return "am" if person == "1" else "are" if person == "p" else "is"
    if base == "be_were":
        # "as if she were" is a subjunctive, not a past: it stays.
        if subject is not None and subject.lower() in _SUBJUNCTIVE_SINGULAR:
            return "were"
        return "are"
    return third_person(base) if person == "s" else base


def to_present(text: str, protected: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The substitutions (start, end, new word), in order, that move `text`'s narration to the present."""
    starts = [s for s, _ in protected]
    ends = [e for _, e in protected]

    def shielded(a: int, b: int) -> bool:
        i = bisect.bisect_right(starts, a) - 1
        return (i >= 0 and ends[i] > a) or (i + 1 < len(starts) and starts[i + 1] < b)

    toks = list(_WORD.finditer(text))
    subs: list[tuple[int, int, str]] = []
    last_person: str | None = None
    for k, m in enumerate(toks):
        word = m.group(0)
        low = word.lower()
        if low in ("was", "were"):
            base = "be_" + low
        elif low in _CONTRACTED:
            base = low
        else:
            base = PAST_TO_BASE.get(low, "")
        gap_before = text[toks[k - 1].end() : m.start()] if k else "\n"
        if re.search(r"[.!?;:\"]", gap_before):
            last_person = None  # a new sentence or a quotation: the last subject is forgotten
        if not base or shielded(m.start(), m.end()):
            continue
        # The word before it, past adverbs on the same clause ("she then said", "had never said").
        j = k - 1
        while j >= 0 and (toks[j].group(0).lower() in _ADVERBS or toks[j].group(0).endswith("ly")) \
                and not re.search(r"[^\s]", text[toks[j].end() : toks[j + 1].start()]):
            j -= 1
        prev = toks[j].group(0) if j >= 0 and not re.search(r"[^\s]", text[toks[j].end() : toks[j + 1].start()]) else None
        if prev is not None and (prev.lower() in _AUX or prev.lower().endswith("'d")):
            continue  # "had said", "was asked": a participle
        if prev is not None and prev.lower() in _DETERMINERS and prev != "I":
            continue  # "a thought", "the said", "to wonder"
        # The subject: the word after the verb when the verb opens the clause right after a quotation or a
        # comma ('"No," said he', "says they"), else the word before it; "and"/"but" carry the last one on.
        inverted = re.search(r"[\",]\s*$", text[max(0, m.start() - 4) : m.start()]) is not None
        subject = None
        if inverted and k + 1 < len(toks) and not re.search(r"[^\s]", text[m.end() : toks[k + 1].start()]):
            subject = toks[k + 1].group(0)
            person = _person(subject) if subject in ("I", "we", "they", "you") else "s"
        elif prev is not None and prev.lower() in ("and", "or", "but", "then") and last_person is not None:
            person = last_person
        else:
            subject = prev
            person = _person(prev)
        if low in _CONTRACTED:
            new = _CONTRACTED[low][{"s": 0, "p": 1, "1": 2}[person]]
        else:
            new = present(base, person, subject)
        last_person = person
        new = _cased(new, word)
        if new != word:
            subs.append((m.start(), m.end(), new))
    return subs


def apply(text: str, subs: list[tuple[int, int, str]], lo: int = 0, hi: int | None = None) -> str:
    """`text[lo:hi]` with the substitutions that lie wholly inside it made."""
    hi = len(text) if hi is None else hi
    out: list[str] = []
    pos = lo
    for s, e, new in subs[bisect.bisect_left(subs, (lo, -1, "")) :]:
        if e > hi:
            break
        out.append(text[pos:s])
        out.append(new)
        pos = e
    out.append(text[pos:hi])
    return "".join(out)


def convert(text: str) -> str:
    """`text` with all its narration in the present (quotations left alone)."""
    return apply(text, to_present(text, quoted_spans(text)))


def protected_spans(text: str, quotes: list[dict]) -> list[tuple[int, int]]:
    """The spans a rewrite must never touch, merged and in order: every quotation our own scan finds and every
    gold part (with the mark on each side), so a word inside a gold part is safe even where the scan misses it."""
    protected = sorted(set(quoted_spans(text)) | {(max(0, s - 1), e + 1) for q in quotes for s, e in q["parts"]})
    merged: list[tuple[int, int]] = []
    for s, e in protected:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def write_substituted(src: Path, dst: Path, text: str, subs: list[tuple[int, int, str]], fix, fields: tuple[str, ...]) -> str:
    """Write dst (text.txt, characters.json, quotes.jsonl) for `text` with `subs` applied, the gold moved and
    checked by rewrite_quotes (its string `fields` passed through `fix`); returns the new text."""
    new_text = apply(text, subs)
    shift = 0
    shifts: list[tuple[int, int]] = []
    for s, e, new in subs:
        shift += len(new) - (e - s)
        shifts.append((e, shift))
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "text.txt").write_text(new_text, encoding="utf-8")
    shutil.copyfile(src / "characters.json", dst / "characters.json")
    rewrite_quotes(src, dst, new_text, mover(shifts), lambda s, e: apply(text, subs, s, e), fix, fields)
    return new_text


def tense_novel(src: Path, dst: Path) -> int:
    """Write the present-tense copy of one novel folder; returns the number of verbs changed."""
    text = (src / "text.txt").read_text(encoding="utf-8")
    quotes = [json.loads(line) for line in (src / "quotes.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    merged = protected_spans(text, quotes)
    subs = to_present(text, merged)
    new_text = write_substituted(src, dst, text, subs, convert, ("referring_expression",))
    for q in (json.loads(line) for line in (dst / "quotes.jsonl").read_text(encoding="utf-8").splitlines()):
        old = next(o for o in quotes if o["id"] == q["id"])
        if [new_text[s:e] for s, e in q["parts"]] != [text[s:e] for s, e in old["parts"]]:
            raise SystemExit(f"{src.name} {q['id']}: a quoted part changed")
    return len(subs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default="/tmp/tense")
    ap.add_argument("--split", choices=["dev", "all"], default="dev",
                    help="dev (default): the development novels only; the held-out ones are never rewritten for tuning")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    if refuse_inside_repo(out, "present-tense"):
        return 2
    slugs = novel_slugs(corpus, args.split)
    total = sum(tense_novel(corpus / s, out / s) for s in slugs)
    print(f"{len(slugs)} novels put in the present tense into {out} ({total} verbs changed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
