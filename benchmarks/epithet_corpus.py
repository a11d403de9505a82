"""Epithet harness: the renamed development novels with some characters called by what they are in their tags.

    python benchmarks/epithet_corpus.py [CORPUS] [--out /tmp/epithet] [--split dev|all] [--seed N] [--share 0.5]
    python benchmarks/attribution.py /tmp/epithet --split dev

Why: fan fiction and many novels tag speech with a description instead of a name ("said the dragon", "the
locksmith replied"), and a careful reader links the description to the person it denotes -- the one the
narration introduced as "Spike, the dragon". The development novels mostly name their speakers, so their
score barely measures that linking. This corpus makes it measurable on the same books.

What changes, starting from the invented names of benchmarks/renamed_corpus.py (same seed, so the same
names as --style invented; its score is the baseline): some characters (each speaking character with at
least two named tags after a usable first mention, chosen with even odds, at most eight per novel) get a
role noun from a fixed list of invented-story occupations and creatures ("locksmith", "glassblower",
"wyvern"), never one the novel itself already uses and never the same role for two characters of one
novel. The role is set once in apposition at the character's first narration mention that can take one
(a name followed by a lower-case word, outside any quotation: "Vasel looked up" -> "Vasel, the
locksmith, looked up"; not "Vasel s" where the ASCII text lost a possessive's apostrophe), and after
that mention a share (--share, half by default) of the speech tags that name the character in the
narration next to one of their own gold quotes becomes the role: "said Vasel" -> "said the locksmith",
"Mr. Vasel replied" -> "the locksmith replied" ("The locksmith" at a sentence's start). A tag before
the introduction is never touched: a reader cannot link a role they have not been told. The rewritten
quotes become "anaphoric" in the gold (a descriptor tag, as PDNC types "said the old man"); speakers stay.

Writes, per novel, text.txt, quotes.jsonl and characters.json (the role added to the character's
aliases) under OUT, never inside the repository, plus epithet_map.json listing each novel's roles and
how many tags each took. The gold is checked after rewriting like every other harness: every quote's
text equals the new text at its new offsets. Standard library plus the renamed-corpus harness.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.renamed_corpus import (  # noqa: E402
    _lexicon_words,
    mover,
    novel_slugs,
    refuse_inside_repo,
    rename_novel,
    rewrite_quotes,
)

# Role nouns with no sex of their own (no "-man", no "-ess"), a few of them ones fan fiction uses for its
# creatures. Some are in narrator's word lists (OCCUPATIONS, CREATURES), most are not, so the corpus
# measures the linking rather than the lists.
ROLES = ("locksmith", "glassblower", "cartographer", "wheelwright", "falconer", "apothecary", "bookbinder",
         "clockmaker", "beekeeper", "astronomer", "alchemist", "herbalist", "tinker", "saddler", "weaver",
         "potter", "cooper", "chandler", "glazier", "thatcher", "ropemaker", "farrier", "dragon", "unicorn",
         "griffin", "wyvern", "centaur", "salamander", "gardener", "innkeeper")
# Verbs of speaking a tag in the novels uses next to a name (the harness's own short list: only these tags
# are rewritten, so no name used otherwise -- "Vasel looked up" -- becomes a role).
_VERBS = ("said", "replied", "cried", "asked", "answered", "exclaimed", "returned", "continued", "added",
          "whispered", "began", "observed", "remarked", "repeated", "rejoined", "interrupted", "muttered",
          "shouted", "called", "explained", "inquired", "enquired", "murmured", "declared", "resumed",
          "persisted", "protested", "retorted", "urged", "pursued", "went on")
_VERB = r"(?:" + "|".join(v.replace(" ", r"\s+") for v in _VERBS) + r")"
_MAX_ROLES = 8


def _spans(quotes: list[dict]) -> list[tuple[int, int]]:
    """Every quoted part of the gold, sorted: the words inside them are speech and never touched."""
    return sorted((s, e) for q in quotes for s, e in q["parts"])


def _inside(pos: int, parts: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in parts)


def _form_re(forms: set[str]) -> re.Pattern[str]:
    """A character's renamed name and aliases, longest first, spaces matching any run of white space."""
    alts = [r"\s+".join(map(re.escape, f.split())) for f in sorted(forms, key=len, reverse=True)]
    return re.compile(r"(?<![A-Za-z.])(?:" + "|".join(alts) + r")(?![A-Za-z'])")


def _tag_regions(q: dict, text: str) -> list[tuple[int, int]]:
    """Where a quote's own speech tag may stand: the narration between its parts, up to 80 characters after
    its last part (within the paragraph and sentence) and up to 80 before its first (within the paragraph)."""
    parts = q["parts"]
    out = [(parts[k][1], parts[k + 1][0]) for k in range(len(parts) - 1)]
    end = parts[-1][1]
    after = text[end:end + 80]
    stop = re.search(r"\n\s*\n|[.!?](?=\s)|\"", after[1:])
    out.append((end, end + 1 + (stop.start() if stop else len(after) - 1)))
    start = parts[0][0]
    before = text[max(0, start - 80):start]
    para = before.rfind("\n\n")
    out.append((max(0, start - 80) + (para + 2 if para >= 0 else 0), start))
    return out


def _quoted(text: str, pos: int) -> bool:
    """Whether `pos` lies inside a double-quoted stretch of its paragraph that the gold does not annotate (a
    letter or a newspaper read out): an odd number of quote marks before it in the paragraph."""
    start = text.rfind("\n\n", 0, pos)
    return text.count('"', start + 1 if start >= 0 else 0, pos) % 2 == 1


def _after_title(before: str) -> bool:
    """Whether the text before a name ends in a capitalised word or an article: "Mrs. Vasel" holds the form
    "Vasel" but is somebody else's name, and "the General" is a role, not a name to give a role."""
    return bool(re.search(r"(?:\b[A-Z][a-z]*\.?|\b[Tt]he)\s+$", before))


def _tags(q: dict, text: str, names: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of the name in the tags of quote `q` that name its speaker ("said Vasel", "Mr. Vasel replied")."""
    found = []
    for s, e in _tag_regions(q, text):
        region = text[s:e]
        for m in names.finditer(region):
            lead = region[:m.start()]
            tail = region[m.end():]
            if _after_title(lead):
                continue  # "Mr. Vasel" where only "Vasel" is a form: replacing it would leave "Mr. the locksmith"
            if re.search(r"\b" + _VERB + r"\s+$", lead) or re.match(r"\s+" + _VERB + r"\b", tail):
                found.append((s + m.start(), s + m.end()))
    return found


def _sentence_start(text: str, pos: int) -> bool:
    """Whether `pos` opens a sentence (or a paragraph): "The locksmith said" there, "the locksmith" elsewhere.
    After a closing quote mark ('"Go!" the locksmith said') the tag goes on the quote's sentence."""
    before = text[max(0, pos - 4):pos]
    if pos == 0 or re.search(r"\n\s*\n\s*$", text[max(0, pos - 40):pos]):
        return True
    return bool(re.search(r"[.!?]\s+$", before)) and not re.search(r"[\"']\s*$", before.rstrip())


def epithet_edits(text: str, quotes: list[dict], characters: list[dict], rng: random.Random, share: float,
                  banned: set[str]) -> tuple[list[tuple[int, int, str]], dict[str, dict], set[str]]:
    """(edits, roles, rewritten quote ids): the (start, end, new words) of every insertion and replacement,
    sorted; character name -> {"role", "introduced_at", "tags"}; the ids of quotes whose tag now uses a role."""
    parts = _spans(quotes)
    roles = [r for r in ROLES if r not in banned]
    rng.shuffle(roles)
    by_speaker: dict[str, list[dict]] = {}
    for q in quotes:
        by_speaker.setdefault(q["speaker"], []).append(q)
    edits: list[tuple[int, int, str]] = []
    chosen: dict[str, dict] = {}
    rewritten: set[str] = set()
    taken: set[tuple[int, int]] = set()
    for c in characters:
        if c.get("special") or c["name"].startswith("_") or c["name"] not in by_speaker or not roles:
            continue
        # Names only: a role the novel already calls someone by ("The General") takes no second role.
        forms = {f for f in (c["name"], *c["aliases"]) if re.search(r"[A-Z]", f) and not re.match(r"[Tt]he\s", f)}
        if not forms:
            continue
        names = _form_re(forms)
        # The first narration mention that can take an apposition: the name, then a lower-case word.
        intro = next((m for m in names.finditer(text) if not _inside(m.start(), parts)
                      and re.match(r"\s+[a-z][a-z]", text[m.end():m.end() + 3])
                      and not _after_title(text[max(0, m.start() - 12):m.start()])
                      and not _quoted(text, m.start())), None)
        if intro is None:
            continue
        tag_quotes: dict[tuple[int, int], set[str]] = {}
        for q in by_speaker[c["name"]]:
            for t in _tags(q, text, names):
                if t[0] > intro.end() and t not in taken:
                    tag_quotes.setdefault(t, set()).add(q["id"])
        tags = sorted(tag_quotes)
        if len(tags) < 2 or rng.random() < 0.5 or len(chosen) >= _MAX_ROLES:
            continue
        role = roles.pop()
        edits.append((intro.end(), intro.end(), f", the {role},"))
        used = 0
        for s, e in tags:
            if rng.random() < share:
                edits.append((s, e, ("The " if _sentence_start(text, s) else "the ") + role))
                taken.add((s, e))
                used += 1
                rewritten |= tag_quotes[(s, e)]
        chosen[c["name"]] = {"role": role, "introduced_at": intro.start(), "tags": used, "named_tags": len(tags)}
    edits.sort()
    # Two characters' edits never overlap (a tag names one speaker); an apposition may not land inside a
    # replaced tag either, which would garble it: drop the later of any overlapping pair.
    clean: list[tuple[int, int, str]] = []
    for ed in edits:
        if clean and ed[0] < clean[-1][1]:
            raise SystemExit("overlapping edits: the harness found one name twice")
        clean.append(ed)
    return clean, chosen, rewritten


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The edited text and (old end, cumulative shift) per edit, as renamed_corpus.mover wants them."""
    out, shifts, pos, shift = [], [], 0, 0
    for s, e, new in edits:
        out.append(text[pos:s])
        out.append(new)
        pos = e
        shift += len(new) - (e - s)
        shifts.append((e, shift))
    out.append(text[pos:])
    return "".join(out), shifts


def epithet_novel(src: Path, dst: Path, seed: int, banned: set[str], share: float) -> dict[str, dict]:
    """Write the epithet copy of one novel folder (renamed first); returns its roles."""
    with tempfile.TemporaryDirectory() as tmp:
        mid = Path(tmp) / src.name
        rename_novel(src, mid, seed, banned, "invented")
        text = (mid / "text.txt").read_text(encoding="utf-8")
        characters = json.loads((mid / "characters.json").read_text(encoding="utf-8"))
        quotes = [json.loads(x) for x in (mid / "quotes.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        own = {w.lower() for w in re.findall(r"[A-Za-z]+", (src / "text.txt").read_text(encoding="utf-8"))}
        rng = random.Random((seed ^ zlib.crc32(src.name.encode())) ^ 0xE717)
        edits, roles, rewritten = epithet_edits(text, quotes, characters, rng, share, own)
        new_text, shifts = apply_edits(text, edits)

        def expect(s: int, e: int) -> str:
            inner = [(a - s, b - s, w) for a, b, w in edits if s <= a and b <= e and not (a == b == s or a == b == e)]
            return apply_edits(text[s:e], inner)[0]

        dst.mkdir(parents=True, exist_ok=True)
        (dst / "text.txt").write_text(new_text, encoding="utf-8")
        role_of = {n: f"the {r['role']}" for n, r in roles.items()}
        chars_out = [{**c, "aliases": sorted({*c["aliases"], role_of[c["name"]]})} if c["name"] in role_of else c
                     for c in characters]
        (dst / "characters.json").write_text(json.dumps(chars_out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        rewrite_quotes(mid, dst, new_text, mover(shifts), expect, lambda s: s, ())
    if rewritten:
        # A tag that calls the speaker by a role is a descriptor tag: PDNC types those anaphoric.
        rows = [json.loads(x) for x in (dst / "quotes.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        forms = {c["name"]: _form_re({f for f in (c["name"], *c["aliases"]) if re.search(r"[A-Z]", f) and not re.match(r"[Tt]he\s", f)})
                 for c in characters if c["name"] in roles}
        for q in rows:
            if q["id"] in rewritten and q.get("quote_type") == "explicit":
                q["quote_type"] = "anaphoric"
                if isinstance(q.get("referring_expression"), str) and q["speaker"] in forms:
                    q["referring_expression"] = forms[q["speaker"]].sub("the " + roles[q["speaker"]]["role"],
                                                                         q["referring_expression"])
        (dst / "quotes.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in rows), encoding="utf-8")
    return roles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "pdnc"))
    ap.add_argument("--out", default="/tmp/epithet")
    ap.add_argument("--split", choices=["dev", "all"], default="dev",
                    help="dev (default): the development novels only; the held-out ones are never rewritten for tuning")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--share", type=float, default=0.5, help="share of a chosen character's named tags after the "
                    "introduction that take the role instead (default 0.5)")
    args = ap.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out).resolve()
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    if not 0.0 < args.share <= 1.0:
        print(f"error: --share must be above 0 and at most 1, not {args.share}", file=sys.stderr)
        return 2
    if refuse_inside_repo(out, "epithet"):
        return 2
    banned = _lexicon_words()
    slugs = novel_slugs(corpus, args.split)
    # As in renamed_corpus: the invented names avoid every word of every development novel.
    for s in slugs:
        banned |= {w.lower() for w in re.findall(r"[A-Za-z]+", (corpus / s / "text.txt").read_text(encoding="utf-8"))}
    maps = {s: epithet_novel(corpus / s, out / s, args.seed, banned, args.share) for s in slugs}
    (out / "epithet_map.json").write_text(json.dumps(maps, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    roles = sum(len(m) for m in maps.values())
    tags = sum(r["tags"] for m in maps.values() for r in m.values())
    print(f"{len(slugs)} novels rewritten into {out} ({roles} roles, {tags} tags call the speaker by a role)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
