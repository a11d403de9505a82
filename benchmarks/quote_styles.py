"""Quote-mark style corpora: the development novels rewritten into the other ways books mark speech.

    python benchmarks/quote_styles.py [CORPUS] [--out /tmp/quote-styles] [--style STYLE ...]
    python benchmarks/attribution.py /tmp/quote-styles/STYLE --split dev

Why: every development novel quotes speech with straight double marks ("), so our quote-detection F1 is
measured on one style only, while fan-fiction exports and British books come in others. Each style here is
the same novels with only their quote marks and apostrophes changed, so a style's score against the
straight-double original measures the style alone:

    curly          \u201cHello,\u201d said Ann.   nested \u2018 \u2019, apostrophe \u2019 (don\u2019t)
    single         'Hello,' said Ann.   nested " ", apostrophe ' -- the British convention
    curly-single   \u2018Hello,\u2019 said Ann.   nested \u201c \u201d, apostrophe \u2019: the closing mark and the
                   apostrophe are one character (don\u2019t, \u2019em, the Joneses\u2019 house)
    guillemets     \u00abHello,\u00bb said Ann.   nested \u2039 \u203a, apostrophe ' (Swiss style, no inner spaces)

How the source's marks are read: a double mark opens when white space (or a bracket or dash) stands before
it and a word after it, closes in the mirror case, and otherwise flips the paragraph's open/closed state; the
gold quotations' own marks agree with this reading (checked below). A single mark is a nested quotation's
opener when it starts a word (after white space, a double mark, a bracket or a dash) and is no elision
('tis, 'em, 'bout ...), and its closer is the next single mark that ends a word before white space or
punctuation in the same quotation (or stretch of narration); every other single mark is an apostrophe. A
plural possessive ("the Joneses' house") is never taken for a closer: lower-case word after it.

Every replacement is one character for one, so the gold offsets do not move; the gold is rewritten (its
`text` carries the new nested marks) and checked: each quotation's text is the source's with only quote marks
and apostrophes changed, and each quoted part whose source marks were double now stands between the style's
opening and closing marks. Writes OUT/STYLE/SLUG/{text.txt,quotes.jsonl,characters.json}, never inside
the repository. Standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.renamed_corpus import novel_slugs, refuse_inside_repo, rewrite_quotes  # noqa: E402

# style -> (outer open, outer close, nested open, nested close, apostrophe)
STYLES: dict[str, tuple[str, str, str, str, str]] = {
    "curly": ("\u201c", "\u201d", "\u2018", "\u2019", "\u2019"),
    "single": ("'", "'", '"', '"', "'"),
    "curly-single": ("\u2018", "\u2019", "\u201c", "\u201d", "\u2019"),
    "guillemets": ("\u00ab", "\u00bb", "\u2039", "\u203a", "'"),
}

_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t\r]*\n))*")
# Word-initial elisions: a single mark before these letters is an apostrophe, not a nested opener.
_ELISION = re.compile(
    r"'(?:tis|twas|twere|twill|twould|em|cause|cos|til|till|n|round|roun|bout|nuff|ello|e|im|er|ad|ave|ere|ow|"
    r"un|ud|uz|fore|gainst|mongst|neath|pon|spose|specially|cept|ceptin|stead|long|most|less)\b",
    re.IGNORECASE,
)
_BEFORE_OPEN = set("([{-_\u2014\u2013")


def double_marks(text: str, start: int, end: int) -> dict[int, bool]:
    """Offset -> True (opens) / False (closes) for every straight double mark of one paragraph."""
    kinds: dict[int, bool] = {}
    is_open = False
    for i in range(start, end):
        if text[i] != '"':
            continue
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        openish = (prev.isspace() or prev in _BEFORE_OPEN) and not nxt.isspace()
        closeish = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
        opens = (not is_open) if openish == closeish else openish
        kinds[i] = is_open = opens
    return kinds


def nested_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(opener, closer) offsets of the single-mark quotations inside one stretch (a quotation's inside, or
    narration between quotations). An opener never closed in the stretch stays an apostrophe.

    Several novels' texts lost their nested openers (a curly opening mark the conversion dropped), left as a
    run of spaces ("a    she'", "question,  And what ...'") or as a question mark before a word ("?Amen'");
    a closer with no opener takes the last such place before it as its opener (the rewrite puts the mark
    back there), so the single-quote styles do not inherit a stray closer a real book would not have. (A run
    of two spaces after a full stop is taken only when such a closer follows with no opener.)"""
    pairs: list[tuple[int, int]] = []
    opener: int | None = None
    lost: int | None = None
    for i in range(start, end):
        if text[i] == " " and text[i - 1] == " " and i - 1 > start and i + 1 < end and text[i + 1] != " ":
            lost = i
        elif text[i] == "?" and (i == start or text[i - 1].isspace()) and i + 1 < end and text[i + 1].isalpha():
            lost = i  # another novel's lost openers are question marks before a word ("?Amen'")
        if text[i] != "'":
            continue
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if prev.isalnum() and nxt.isalnum():
            continue  # don't, o'clock
        closes = not prev.isspace() and (nxt.isspace() or nxt in '.,;:!?)-"_\u2014' or i + 1 >= end)
        if closes and prev == "s" and re.match(r"\s+[a-z]", text[i + 1 : i + 4]):
            continue  # the Joneses' house
        if opener is None:
            if (prev.isspace() or prev in _BEFORE_OPEN or prev == '"') and (nxt.isalnum() or nxt in '_"') \
                    and not _ELISION.match(text, i):
                opener = i
            elif closes and lost is not None:
                pairs.append((lost, i))
                lost = None
        elif closes:
            pairs.append((opener, i))
            opener = lost = None
    return pairs


def restyle(text: str, style: str) -> str:
    """The text with its quote marks and apostrophes in `style` (same length, same offsets)."""
    o_out, c_out, o_in, c_in, apos = STYLES[style]
    chars = list(text)
    for m in _PARAGRAPH.finditer(text):
        kinds = double_marks(text, m.start(), m.end())
        for i, opens in kinds.items():
            chars[i] = o_out if opens else c_out
        cuts = [m.start(), *sorted(kinds), m.end()]
        nested: set[int] = set()
        for a, b in itertools.pairwise(cuts):
            for qo, qc in nested_pairs(text, a + (a in kinds), b):
                chars[qo], chars[qc] = o_in, c_in
                nested.update((qo, qc))
        for i in range(m.start(), m.end()):
            if text[i] == "'" and i not in nested:
                chars[i] = apos
    return "".join(chars)


def _only_marks_changed(old: str, new: str) -> bool:
    """Same length, and every changed character a quote mark or apostrophe, or a space or question mark that
    stood for a lost nested opener (see nested_pairs) now one."""
    marks = {c for s in STYLES.values() for c in s}
    return len(old) == len(new) and all(a == b or (a in "\"' ?" and b in marks) for a, b in zip(old, new, strict=True))


def restyle_novel(src: Path, dst: Path, style: str) -> tuple[int, int]:
    """Write one novel in `style`; returns (gold parts between the style's marks, gold parts with double
    marks in the source). Stops on a gold quotation whose text is not the source's with only marks changed."""
    text = (src / "text.txt").read_text(encoding="utf-8")
    new = restyle(text, style)
    if not _only_marks_changed(text, new):
        raise SystemExit(f"{src.name}: rewriting changed more than quote marks")
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "text.txt").write_text(new, encoding="utf-8")
    shutil.copyfile(src / "characters.json", dst / "characters.json")

    def expect(s: int, e: int) -> str:
        return new[s:e] if _only_marks_changed(text[s:e], new[s:e]) else text[s:e]

    rewrite_quotes(src, dst, new, lambda pos: pos, expect, lambda s: s, ())
    o_out, c_out = STYLES[style][:2]
    marked = both = 0
    for line in (src / "quotes.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            for s, e in json.loads(line)["parts"]:
                if s > 0 and e < len(text) and text[s - 1] == '"' == text[e]:
                    both += 1
                    marked += new[s - 1] == o_out and new[e] == c_out
    return marked, both


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default="/tmp/quote-styles")
    ap.add_argument("--style", choices=sorted(STYLES), action="append",
                    help="only this style (repeatable; default every one)")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    if refuse_inside_repo(out, "quote-style"):
        return 2
    # The development novels only: the held-out ones are never rewritten for tuning.
    slugs = novel_slugs(corpus)
    for style in args.style or list(STYLES):
        marked = both = 0
        for s in slugs:
            m, b = restyle_novel(corpus / s, out / style / s, style)
            marked, both = marked + m, both + b
        print(f"{style:13} {len(slugs)} novels into {out / style}: {marked}/{both} gold parts between the style's marks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
