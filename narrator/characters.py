"""find_characters: discover who is in the story (names, aliases, gender), most salient first.

Names are capitalised word runs (optionally behind a title such as "Mrs.") that behave like people:
they stand next to speech verbs, carry titles, or act as sentence subjects, and their words are
rarely written in lower case. Forms are clustered into characters ("Elizabeth Bennet" / "Elizabeth"
/ "Miss Elizabeth"; "Mr. Darcy" / "Darcy"), gender comes from titles and the pronouns that follow a
name, and epithets used in speech tags ("the dragon said") are linked to the name they keep company
with. A first-person narrator who speaks ("I said") becomes a character with the alias "I".

This module collects the name forms and runs the steps in order; the clustering is name_clusters.py,
epithet linking epithets.py, the gender passes over the finished cast gender.py, the first-person
narrator and the special voices (chat writers, "a voice") first_person.py.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from narrator.dialogue import plain_marks
from narrator.epithets import (
    A_NOUN_S,
    EPITHET_RE,
    EPITHET_RE_PRESENT,
    GENERIC_EPITHETS,
    NOT_SPEAKERS,
    link_epithets,
    norm_form,
    plural,
    told_in_present,
)
from narrator.first_person import add_narrator_and_voices
from narrator.gender import gender_from_address, gender_from_introduction
from narrator.lexicon import (
    CONTRAST_WORDS,
    CREATURES,
    FEMALE_NAMES,
    FEMALE_NOUNS,
    FEMALE_PRONOUNS,
    FUNCTION_WORDS,
    HOLIDAYS,
    LETTER,
    LETTER_WORD_RE,
    LOWER,
    MALE_NAMES,
    MALE_NOUNS,
    MALE_PRONOUNS,
    NAME_WORD,
    NEUTRAL_TITLES,
    NOT_NAMES,
    OCCUPATIONS,
    RANK_TITLES,
    SPEECH_VERB_ALT,
    SPEECH_VERBS,
    STOPWORDS,
    TAG_EPITHET_ALT,
    TAG_ONLY_WORDS,
    TITLES,
    UPPER,
    VOCATIVE_RE,
    asks_name,
    both_tenses,
    name_answer,
    noun_gender,
    self_introductions,
)
from narrator.mentions import mention_regex, name_lookup, paragraph_texts
from narrator.models import Character, Segment, Story
from narrator.name_clusters import NameForm, cluster_forms, couple_surnames, title_key

_TITLE_ALT = "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True))
_UP, _LO = f"[{UPPER}]", f"[{LOWER}]"  # accented letters too: "Léonce", "Zoë", "Émile"
# A title (optional) followed by one to three capitalised words.
# Lower-case particles inside a surname: "Mr. van der Luyden", "Lady Catherine de Bourgh".
_PARTICLES = frozenset(["van", "von", "der", "de", "du", "da", "di", "del", "della", "le", "la", "ten", "ter"])
_PARTICLE_ALT = "|".join(sorted(_PARTICLES))
# Every match starts with a capital, a title's or a particle's first letter: the look-ahead for those
# changes no match and skips the rest of the pattern everywhere else (half the time of a novel's scan).
_NAME_FIRST = "(?=[" + UPPER + "".join(sorted({re.escape(w[0]) for w in (*TITLES, *_PARTICLES)})) + "])"
_NAME_RE = re.compile(
    rf"\b{_NAME_FIRST}(?:(?P<title>{_TITLE_ALT})\s+)?(?P<name>(?:(?:{_PARTICLE_ALT})\s+){{0,2}}{NAME_WORD}"
    rf"(?:\s+(?:(?:{_PARTICLE_ALT})\s+){{0,2}}{NAME_WORD}){{0,2}})\b"
)
# Capitalised adjectives that, right before a name, are part of it ("Big Mac", "Little Nell").
_NAME_ADJECTIVES = frozenset(["Big", "Little", "Old", "Young", "Tiny", "Long", "Mad", "Black", "Red"])
# The stop first, then the titles looked behind it: the same matches as the titles first, tried only
# where a stop is (a ninth of the time). Each look-behind's unescaped "." is that stop, whichever it is
# ("Mr;" no more ends a sentence here than "Mr."), as it was before the stop moved first.
_SENTENCE_BREAK = re.compile(r"[.!?;](?<!\bMr.)(?<!\bMrs.)(?<!\bDr.)(?<!\bMs.)(?<!\bSt.)\s")
_PERSON_VERBS = frozenset(
    ["was", "had", "looked", "turned", "smiled", "laughed", "nodded", "shook", "went", "came", "sat", "stood", "walked", "ran", "took", "gave", "felt", "knew", "thought", "saw", "heard", "seemed", "made", "began", "rose", "sighed", "paused", "hesitated", "glanced", "stared", "answered", "replied", "said", "asked", "cried", "exclaimed", "added", "continued", "whispered", "muttered", "murmured", "shouted", "called", "would", "could", "did", "does", "has", "is", "will", "might", "must", "should", "shall"]
)
# A story told in the present marks its people with the present as well ("Mara turns", "Tobin knows"); a past-tense
# novel's present forms are idioms more often than people ("Heaven knows", "the story goes").
_PERSON_VERBS_PRESENT = both_tenses(_PERSON_VERBS)
_ROLE_RE = re.compile(rf"\b[Tt]he\s+(?P<role>(?:{_UP}{_LO}+\s+){{0,2}}{_UP}{_LO}+)\b(?!\s+{_UP})")
_PLACE_NOUNS = frozenset(["Street", "Road", "Lane", "Row", "Avenue", "Square", "Terrace", "Crescent", "Gardens",
                          "Bridge", "Ford", "Wharf", "Quay", "Harbour", "Harbor", "Station", "Abbey", "Cathedral",
                          "Chapel", "Church", "Castle", "Palace", "Manor", "Park", "Common", "Heath", "Moor", "River",
                          "Lake", "Valley", "Hill", "Hills", "Mountain", "Mountains", "Forest", "Wood", "Woods",
                          "Island", "Bay", "Market", "College", "School", "Academy", "Inn", "Tavern", "Tower"])
_PLACE_PREPS = frozenset(["at", "in", "to", "from", "of", "near", "towards", "toward", "into", "through", "round", "across", "reached", "left", "visit"])


def _with_segments(story: Story, segments: Sequence[Segment], plain: Sequence[Segment]) -> Story:
    """The story with the stretch of each segment plain_marks changed replaced by its (same length) text."""
    changed = [p for s, p in zip(segments, plain, strict=True) if p is not s]
    if not changed:
        return story
    chars = list(story.text)
    for s in changed:
        chars[s.start : s.end] = s.text
    return replace(story, text="".join(chars))


def find_characters(story: Story, segments: Sequence[Segment]) -> list[Character]:
    """Characters named in the story, most salient first."""
    # Read with the quote marks straightened (plain_marks: single quotes, curly quotes, guillemets as '"'),
    # the spelling the cues below are written for; offsets are unchanged.
    plain = plain_marks(list(segments))
    story, segments = _with_segments(story, segments, plain), plain
    text = story.text
    body = [s for s in segments if not s.heading and not s.note]
    narration = "\n".join(s.text for s in body if s.kind == "narration")
    everything = "\n".join(s.text for s in body)
    if not everything.strip():
        return []

    # Counted once, then split by the first letter of each distinct word (a tenth as many tests as words;
    # the same counts in the same first-seen order).
    counts = Counter(LETTER_WORD_RE.findall(everything))
    lower_counts = Counter({w: n for w, n in counts.items() if w[0].islower()})
    cap_counts = Counter({w: n for w, n in counts.items() if w[0].isupper()})
    del counts
    for w in _initial_only(everything, cap_counts):
        # "Returning, she said", '"Quickly," he said': counted as the ordinary word it is.
        lower_counts[w.lower()] += cap_counts[w]
    # "Vasel of the Oru", "Star Swirl the Bearded": a name with small words inside is read as one word from
    # here on ("Vasel-of-the-Oru"), so "the Oru" is no role of its own; _unjoin gives the names their spaces back.
    joint_names = _joined_names(everything, lower_counts, cap_counts)
    if joint_names:
        joints = _names_re(joint_names, r"\s+")
        body = [replace(s, text=_join(s.text, joints)) if joints.search(s.text) else s for s in body]
        narration = "\n".join(s.text for s in body if s.kind == "narration")
        everything = "\n".join(s.text for s in body)

    forms: dict[str, NameForm] = {}
    together: Counter[frozenset[str]] = Counter()
    # Ordinary capitalised words the story keeps using as names: three tags or more ("said Hum", "said
    # May": not interjections, months or the animal the story also writes in lower case, "a rabbit
    # hole"), or the mid-sentence capitals of a name ("asked Table").
    tags = _tag_words(body)
    person_verbs = _PERSON_VERBS_PRESENT if told_in_present([narration]) else _PERSON_VERBS
    promoted = (frozenset(w for w, n in tags.items() if n >= 3) | _proper_mid_sentence(body, lower_counts, tags)
                | _modal_names(narration) | _kin_names(narration, person_verbs))
    # Short stories name their people fewer times: one person-like use is evidence enough, and a name the
    # narration gives only once is a character when that use is a person's ("Applejack was already there").
    short = len(everything) < 100_000
    for k, seg in enumerate(body):
        # An action beat: narration that leads straight into a quotation of the same paragraph ('Bob shrugged.
        # "Not for me."').
        beat = short and _leads_into_quote(body, k)
        _collect(seg.text, seg.kind == "narration", forms, lower_counts, cap_counts, together, promoted, short,
                 person_verbs, beat)
    _collect_tags(body, forms, lower_counts, cap_counts, together, promoted)
    if not forms:
        return _unjoin(add_narrator_and_voices([], story, body, narration, promoted), joint_names)

    called = _titles_called_out(body, forms)
    chars = cluster_forms(forms, min_person=1 if short else 2, together=together, min_count=1 if short else 2,
                     couples=couple_surnames(narration))
    chars = _title_alias(chars, called)
    chars = link_epithets(chars, body, short)
    chars = _self_introduced(chars, body)
    chars = _drop_named_things(chars, body)
    chars = _drop_family_plurals(chars)
    chars = gender_from_introduction(chars, body)
    chars = gender_from_address(chars, body)
    if promoted & _KIN_NAMES.keys():
        # "Mother" is a woman whatever pronouns the scene gives her.
        chars = [replace(c, gender=_KIN_NAMES[c.name]) if c.name in _KIN_NAMES and c.gender == "unknown" else c
                 for c in chars]
    if short:
        chars = _unnamed_speakers(chars, body)
    del text
    return _unjoin(add_narrator_and_voices(chars, story, body, narration, promoted), joint_names)


# A capitalised word, the small words of a name ("of the", "the") and another capitalised word:
# "Vasel of the Oru", "Swirl the Bearded" (hard-wrapped novels break lines anywhere inside).
_JOINT_RE = re.compile(rf"(?<![{LETTER}'])(?<![{LETTER}]-)(?P<x>{_UP}{_LO}+)(?P<j>\s+of\s+the\s+|\s+the\s+)(?P<y>{_UP}{_LO}+)(?![{LETTER}]|-[{LETTER}])")
_JOINT_MIN = 2  # once may be "told Ann the News"; a name comes back


def _joined_names(everything: str, lower_counts: Counter[str], cap_counts: Counter[str]) -> list[str]:
    """The names with "of the" or "the" inside that the story keeps writing whole ("Vasel of the Oru",
    "Swirl the Bearded"), one space between words.

    A careful reader takes "Vasel of the Oru" for one person when the story does not use the word after "the"
    on its own as somebody: the capital after "the" is part of a name, not a role ("the Captain") nor a place
    ("the Abbey") the story keeps naming by itself. So: the whole phrase at least twice, its first word a name
    word, its last word no title or function word, written outside such phrases no more often than inside
    them ("the Oru woman" once is the name's own people), and as a person there -- a speech verb before it, a
    verb of doing after it ("said the Oru", "the Oru smiled") -- at most a quarter as often."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for m in _JOINT_RE.finditer(everything):
        seen[(m.group("x"), " ".join(m.group("j").split()), m.group("y"))] += 1
    inside: Counter[str] = Counter()
    for (_, _, y), n in seen.items():
        inside[y] += n
    keep = [(x, j, y) for (x, j, y), n in seen.items()
            if n >= _JOINT_MIN and x not in _NEVER_NAME_WORDS and x not in TAG_ONLY_WORDS
            and _is_name_word(x, lower_counts, cap_counts)
            and y not in _NEVER_NAME_WORDS and y not in TAG_ONLY_WORDS
            and cap_counts.get(y, 0) - inside[y] <= inside[y]]
    if not keep:
        return []
    # The last words' uses outside the joined names, looked at in the text with those names joined.
    rest = _join(everything, _names_re([f"{x} {j} {y}" for x, j, y in keep], r"\s+"))
    alone: Counter[str] = Counter()
    for y in {y for _, _, y in keep}:
        for m in re.finditer(rf"(?<![{LETTER}'])(?<![{LETTER}]-){y}(?![{LETTER}]|-[{LETTER}])", rest):
            prev = LETTER_WORD_RE.findall(rest[max(0, m.start() - 30) : m.start()])[-2:]
            nxt = LETTER_WORD_RE.findall(rest[m.end() : m.end() + 30])[:1]
            # ("said the Oru woman": a word of her people's, not the Oru speaking.)
            ends = not nxt or nxt[0].endswith("ly") or bool(re.match(r"\s*(?:[,.;:!?\u2014]|--)", rest[m.end() :]))
            spoken = bool(prev) and (prev[-1] in SPEECH_VERBS or (prev[-1] == "the" and prev[0] in SPEECH_VERBS))
            if (spoken and ends) or (nxt and nxt[0] in _PERSON_VERBS_PRESENT):
                alone[y] += 1
    return [f"{x} {j} {y}" for x, j, y in keep if 4 * alone[y] <= inside[y]]


def _names_re(names: Sequence[str], space: str) -> re.Pattern[str]:
    """Any of `names` as a whole word, `space` (a pattern) between its words."""
    alts = sorted((space.join(re.escape(w) for w in n.split()) for n in names), key=len, reverse=True)
    return re.compile(rf"(?<![{LETTER}'])(?<![{LETTER}]-)(?:{'|'.join(alts)})(?![{LETTER}]|-[{LETTER}])")


def _join(text: str, joints: re.Pattern[str]) -> str:
    """"Vasel of the Oru" -> "Vasel-of-the-Oru": one name word for the name rules."""
    return joints.sub(lambda m: "-".join(m.group().split()), text)


def _unjoin(chars: list[Character], names: Sequence[str]) -> list[Character]:
    """The joined names written as the story writes them ("Vasel of the Oru"), their first word an alias
    ("Vasel", when no other joined name starts with it), and a character named by that first word alone
    ("Vasel", "Mr. Vasel") folded into the joined name's."""
    if not names:
        return chars
    # Only the joints _join made: a name the story itself writes with hyphens ("Tam-the-Piper") keeps them.
    joined = _names_re(names, "-")

    def spaced(form: str) -> str:
        return joined.sub(lambda m: m.group().replace("-", " "), form)

    out = [Character(spaced(c.name), tuple(dict.fromkeys(spaced(a) for a in c.aliases)), c.gender, c.mentions)
           for c in chars]
    heads = Counter(n.split()[0] for n in names)
    for name in names:
        head = name.split()[0]
        if heads[head] != 1:
            continue  # "Alfred the Great" and "Alfred the Small": "Alfred" alone is either
        owner = next((i for i, c in enumerate(out) if any(name in f for f in (c.name, *c.aliases))), None)
        if owner is None:
            continue
        # "Vasel", "Mr. Vasel", "Star Swirl": the joined name's first word as a name of its own.
        bare = [i for i, c in enumerate(out) if i != owner
                and all(len(f.split()) <= 2 and f.split()[-1] == head for f in (c.name, *c.aliases))]
        keep = out[owner]
        for i in bare:
            c = out[i]
            keep = Character(keep.name, tuple(dict.fromkeys((*keep.aliases, c.name, *c.aliases))),
                             keep.gender if keep.gender != "unknown" else c.gender, keep.mentions + c.mentions)
        if not any(head in (c.name, *c.aliases) for c in out):
            keep = Character(keep.name, (*keep.aliases, head), keep.gender, keep.mentions)
        out = [keep if i == owner else c for i, c in enumerate(out) if i not in bare]
    return out


_TAG_WORD = rf"{_UP}[{LOWER}']*(?:-[{LETTER}][{LOWER}']*)*"  # "Fish-Footman", but not the dash in "Woodhouse--"
_TAG_NAME = rf"(?:(?P<title>{_TITLE_ALT})\s+)?(?P<name>{_TAG_WORD}(?:\s+(?:(?:{_PARTICLE_ALT})\s+)?{_TAG_WORD}){{0,2}})"
# An epithet adjective may stand before the name in a tag: "broke in old Isaac", '"No," young Thorley
# said', "cried poor Tom".
_TAG_ADJ = r"(?:(?:" + TAG_EPITHET_ALT + r")\s+)?"
# The verb of an inverted tag and what may stand around it: "said", "then added", "broke in", "put in".
_INVERTED_VERB = (r"^[\s,;:\-\u2014]*(?:[a-z]+ly\s+|then\s+|again\s+)?(?P<verb>(?:" + SPEECH_VERB_ALT
                  + r")\b|[a-z]+ed\b|(?:put|puts)\s+in\b|(?:broke|breaks)\s+in\b)(?:\s+(?:in|out|up|on|back))?\s+")
_TAG_AFTER_INVERTED = re.compile(_INVERTED_VERB + _TAG_ADJ + _TAG_NAME + r"(?![\w'\u2019?])")
# A capitalised role as the speaker of a tag: "asserted the Colonel", '"Dearly beloved," the Rector began'.
# The words are those _ROLE_RE keys a role by ("the Mock Turtle"), so the tag lands on the same form.
_ROLE_WORDS = rf"(?P<role>(?:{_UP}{_LO}+\s+){{0,2}}{_UP}{_LO}+)(?![\w'\u2019]|\s+{_UP})"
_ROLE_TAG_INVERTED = re.compile(_INVERTED_VERB + r"the\s+" + _ROLE_WORDS)
_ROLE_TAG_NORMAL = re.compile(r"^[\s,;:\-\u2014]*[Tt]he\s+" + _ROLE_WORDS + r"(?:\s+[a-z]+ly)?\s+(?:" + SPEECH_VERB_ALT + r")\b")
_TAG_AFTER_NORMAL = re.compile(
    r"^[\s,;:\-\u2014]*" + _TAG_ADJ + _TAG_NAME + r"(?:\s+[a-z]+ly)?\s+(?:" + SPEECH_VERB_ALT + r")\b"
)
_TAG_SPLIT_ED = re.compile(r"^[\s,;:\-\u2014]*" + _TAG_ADJ + _TAG_NAME + r"(?:\s+[a-z]+ly)?\s+[a-z]+ed\s*[,;:\u2014]\s*$")
# "Name said" with the verb right after the name (no adverb between): a word before a speech verb like
# that is the speaker even when it is also a common word ('"Out," May said').
_TAG_AFTER_NORMAL_BARE = re.compile(r"^[\s,;:\-\u2014]*" + _TAG_ADJ + _TAG_NAME + r"\s+(?:" + SPEECH_VERB_ALT + r")\b")


def _collect_tags(body: Sequence[Segment], forms: dict[str, NameForm], lower_counts: Counter[str],
                  cap_counts: Counter[str], together: Counter[frozenset[str]] | None = None,
                  promoted: frozenset[str] = frozenset()) -> None:
    """Names in speech tags: a person named once, as the speaker of one line, is still a speaker."""
    for i, (a, b) in enumerate(itertools.pairwise(body)):
        if a.kind != "dialogue" or b.kind != "narration" or a.paragraph != b.paragraph:
            continue
        comma = a.text.rstrip().rstrip("\"'\u201d\u2019").rstrip().endswith(",")
        _collect_role_tag(b.text, comma, forms)
        m = _TAG_AFTER_INVERTED.match(b.text)
        if m is None and comma and i + 2 < len(body) and body[i + 2].kind == "dialogue" \
                and body[i + 2].paragraph == b.paragraph:
            # '"Perhaps," young Thorley hazarded, "she is unhappy."': between the two halves of one
            # quotation, a name and any verb in "-ed" are the speaker and his tag.
            split = _TAG_SPLIT_ED.match(b.text)
        else:
            split = None
        if m and not comma and _any_ed_verb(m):
            m = None
        inverted = m is not None
        # '"Gone," Rabbit said': a capitalised word right after the quotation with the speech verb
        # straight after it is the speaker, however often the story writes "a rabbit hole".
        bare = not inverted and _TAG_AFTER_NORMAL_BARE.match(b.text) is not None
        m = m or _TAG_AFTER_NORMAL.match(b.text) or split
        if m is None:
            continue
        title = m.group("title")
        kept: list[str] = []
        for w in m.group("name").split():
            # Right after "said" any capitalised word is a name ("said May", "said Hall"), even one
            # that is also an ordinary word; before the verb only real names ("Nobody answered").
            ok = w in _PARTICLES or _is_name_word(w, lower_counts, cap_counts, promoted) or (
                w in TAG_ONLY_WORDS or (title and w not in FUNCTION_WORDS)) or (inverted and w not in NOT_NAMES) or (
                bare and not kept and w not in NOT_NAMES and w not in STOPWORDS and len(m.group("name").split()) == 1)
            if not ok or w in FUNCTION_WORDS:
                break
            kept.append(w)
        while kept and kept[-1] in _PARTICLES:
            kept.pop()
        if not kept:
            continue
        key = (title + " " if title else "") + " ".join(kept)
        form = forms.get(key)
        if form is None:
            form = forms[key] = NameForm(key, title, tuple(kept), count=1, narrated=1)
        form.tagged += 1
        form.person += 2
        if together is not None:
            # '"George!" cried Mr. Emerson': nobody calls out to himself, so the speaker and the
            # name he calls are two people.
            for v in VOCATIVE_RE.finditer(a.text):
                voc = " ".join(v.group("v").split())
                if voc != key and voc in forms:
                    together[frozenset((key, voc))] += 10  # worth many sentences side by side


def _any_ed_verb(m: re.Match[str]) -> bool:
    """Whether an inverted tag's verb is one in "-ed" that is no speech verb ("corroborated Flora Jane",
    "asserted the Colonel"): a tag only right after a quote ending in a comma."""
    verb = m.group("verb")
    return verb.endswith("ed") and verb not in SPEECH_VERBS


def _titles_called_out(body: Sequence[Segment], forms: dict[str, NameForm]) -> set[str]:
    """Ranks and offices the speech calls someone by alone ('"Good morning, Captain"', '"Aye, Cap."'); returned
    as the words called ("Captain", "Doctor", "Cap").

    A titled name the narration gives once ("where Captain Ironhoof stood guard") is a character when
    the speech greets someone by that title and no other name carries it: the reader knows who is
    being greeted, and that he is there to answer. (Only ranks and offices: "Yes, Miss" and "Thank
    you, Sir" are said to anybody.)"""
    called: set[str] = set()
    for seg in body:
        if seg.kind == "dialogue":
            called.update(m.group("t") for m in _TITLE_CALLED.finditer(seg.text))
    if not called:
        return called
    holders: dict[str, list[NameForm]] = defaultdict(list)
    for f in forms.values():
        if f.title:
            holders[title_key(f.title)].append(f)
    for t in {_called_key(w) for w in called}:
        fs = holders.get(t, [])
        # (Not when the narration has its own name for him, "the General": the greeting is the role's,
        # and a full name written once is no better name for him.)
        role = forms.get("the " + _title_word(t))
        if len(fs) == 1 and fs[0].count == 1 and fs[0].narrated and (role is None or role.count < 2):
            fs[0].person += 1
            fs[0].count += 1  # the greeting is one more mention of the same person
    return called


# What a crew, a squad or a ward calls the one holding the rank to their face: "Aye, Cap.", "All quiet, Sarge."
_TITLE_NICKNAMES = {"Cap": "Captain", "Cap'n": "Captain", "Capt": "Captain", "Sarge": "Sergeant", "Doc": "Doctor",
                    "Prof": "Professor", "Lieut": "Lieutenant"}
_CALLED_TITLES = "|".join(sorted((re.escape(t) for t in RANK_TITLES | NEUTRAL_TITLES | _TITLE_NICKNAMES.keys()),
                                 key=len, reverse=True))


_TITLE_CALLED = re.compile(rf"(?:^[\"\u201c']|,\s+)(?P<t>{_CALLED_TITLES})(?=\s*[,.!?])")


def _called_key(word: str) -> str:
    """The title key of a word the speech calls someone by: "Cap" -> "Captain", "Doctor" -> "Dr"."""
    return title_key(_TITLE_NICKNAMES.get(word, word))


def _title_alias(chars: list[Character], called: set[str]) -> list[Character]:
    """The bare title the speech calls out ("Captain", or what a crew calls a captain, "Cap") becomes an alias
    of the one character who holds that title, so the greeting marks him as the one addressed (the next
    speaker, most likely)."""
    if not called:
        return chars
    known = {f for c in chars for f in (c.name, *c.aliases)}
    owners: dict[str, set[str]] = defaultdict(set)
    for c in chars:
        for f in (c.name, *c.aliases):
            first = f.split()[0] if len(f.split()) >= 2 else ""
            if first in TITLES:
                owners[title_key(first)].add(c.name)
    extra: dict[str, list[str]] = defaultdict(list)
    for called_word in sorted(called):
        t = _called_key(called_word)
        # ("Cap" is its own alias as well: the vocative the lines use.)
        for word in dict.fromkeys((_title_word(t), called_word)):
            if len(owners.get(t, ())) == 1 and word not in known and word not in extra[next(iter(owners[t]))]:
                extra[next(iter(owners[t]))].append(word)
    if not extra:
        return chars
    return [Character(c.name, c.aliases + tuple(extra.get(c.name, ())), c.gender, c.mentions) for c in chars]


def _collect_role_tag(tag: str, comma: bool, forms: dict[str, NameForm]) -> None:
    """A capitalised role that speaks in a tag ("asserted the Colonel", "the Rector began") is a speaker,
    however seldom the narration names it otherwise: the tag itself says a person is talking."""
    m = _ROLE_TAG_INVERTED.match(tag)
    if m and not comma and _any_ed_verb(m):
        m = None
    m = m or _ROLE_TAG_NORMAL.match(tag)
    if m is None:
        return
    words = tuple(m.group("role").split())
    if any(w in FUNCTION_WORDS for w in words):
        return
    key = "the " + " ".join(words)
    form = forms.get(key)
    if form is None:  # (_collect found it in the narration already, unless the tag is its one use)
        form = forms[key] = NameForm(key, None, words, count=1, narrated=1, role=True)
    form.tagged += 1
    form.person += 2


def _title_word(key: str) -> str:
    """A title key as the word the speech calls someone by: "Dr" -> "Doctor", "Captain" -> "Captain"."""
    return {"Dr": "Doctor"}.get(key, key)


_SAINTS_DAY = re.compile(r"['\u2019]s\s+(?:Day|Eve)\b")
_FEAST_BEFORE = re.compile(r"(?:['\u2019]s|s['\u2019])\s+$")  # "New Year's Eve", "All Hallows' Eve"


def _mid_sentence(text: str, pos: int) -> bool:
    """True when `pos` follows a lower-case word or a comma: a capital there is not a sentence start."""
    before = text[:pos].rstrip()
    return bool(before) and (before[-1].islower() or before[-1] == ",")


# Capitalised words that are no part of a name however a story uses them: function and stop words, titles,
# place nouns (one set, so each test is one lookup).
_NEVER_NAME_WORDS = STOPWORDS | NOT_NAMES | TITLES | _PLACE_NOUNS


def _tag_words(body: Sequence[Segment]) -> Counter[str]:
    """How often each capitalised word (no title before it) names the speaker in a tag right after a
    quotation ('"Oh, bother!" said Hum', '"Yes," said May', '"Gone," Rabbit said')."""
    seen: Counter[str] = Counter()
    for a, b in itertools.pairwise(body):
        if a.kind == "dialogue" and b.kind == "narration" and a.paragraph == b.paragraph:
            m = _TAG_AFTER_INVERTED.match(b.text)
            if not (m and m.group("verb") in SPEECH_VERBS):
                # The speaker before the verb counts as well ('"Out," May said', '"Can I?" Will asked'):
                # right after a quote, a capitalised word and a speech verb are a name and its tag,
                # whatever else the word may mean.
                m = _TAG_AFTER_NORMAL_BARE.match(b.text)
            if m and not m.group("title"):
                w = m.group("name").split()[0]
                # (Not only function words: "Rabbit said" in a story full of "rabbit holes".)
                if w not in NOT_NAMES and w not in TITLES and w not in TAG_ONLY_WORDS:
                    seen[w] += 1
    return seen


# "Will said", "Will laughed", "Will stopped at the door": a modal takes a bare verb ("Will you stay?", "Can
# anyone say?"), never a past tense or "said", so a capitalised modal before one is somebody's name. Twice, in
# the narration: once may be a slip. ("May" is left to the tag rule: "May passed quickly" is the month.)
# (The speech verbs' bare forms, "Will say", "Can ask", are the modal's own; so is a bare verb that ends in
# "eed", "Will need", "Must proceed": the look-behind keeps the "-ed" alternative from taking it.)
_MODAL_OWN_VERBS = frozenset(["say", "ask", "answer", "reply", "put", "saying"])
_PAST_SPEECH_VERB_ALT = "|".join(sorted((re.escape(v) for v in SPEECH_VERBS - _MODAL_OWN_VERBS), key=len, reverse=True))
_MODAL_NAME = re.compile(r"\b(?P<w>Will|Can|Shall|Must)\s+(?:" + _PAST_SPEECH_VERB_ALT + r"|[a-z]{2,}(?<!e)ed)\b")


def _modal_names(narration: str) -> frozenset[str]:
    """Modal verbs the narration uses as names ("Will said", "Will laughed")."""
    seen = Counter(m.group("w") for m in _MODAL_NAME.finditer(narration))
    return frozenset(w for w, n in seen.items() if n >= 2)


# What a family calls its parents and grandparents, written as a name: "Mother called up to me".
_KIN_NAMES = {**dict.fromkeys(["Mother", "Mum", "Mom", "Mama", "Mamma", "Ma", "Mummy", "Mommy", "Granny", "Grandma",
                               "Gran", "Nana"], "female"),
              **dict.fromkeys(["Father", "Dad", "Papa", "Pa", "Daddy", "Grandpa", "Grandad", "Granddad"], "male")}
_KIN_ACTING = re.compile(r"(?<![A-Za-z'])(?P<w>" + "|".join(sorted(_KIN_NAMES, key=len, reverse=True))
                         + r")\s+(?:[a-z]+ly\s+)?(?P<v>[a-z]+)\b")
_KIN_OWNERS = frozenset(["my", "his", "her", "our", "your", "their", "the", "a", "its", "whose", "of"])


def _kin_names(narration: str, person_verbs: frozenset[str]) -> frozenset[str]:
    """Kinship words the narration writes as a name and makes do what a person does ("Mother called up to me",
    "Dad was already at the table"): what the story calls that parent, so a name of a character like any other.

    Not after a possessive or an article ("my Mother said" is a relation, however written), not before another
    capital ("Mother Nature", "Father Brown"), and not in speech: every family says "Mother, look!" to someone
    the narration may never show."""
    found: set[str] = set()
    for m in _KIN_ACTING.finditer(narration):
        if m.group("v") not in _PERSON_ACTS and m.group("v") not in person_verbs:
            continue
        before = LETTER_WORD_RE.findall(narration[max(0, m.start() - 12) : m.start()])[-1:]
        if not (before and before[0].lower() in _KIN_OWNERS):
            found.add(m.group("w"))
    return frozenset(found)


# A capital after a lower-case word or a comma starts no sentence ("said Table", "with Table, who"):
# the word is written as a proper noun there -- unless a determiner makes it a thing ("the House",
# "his Lordship", "a Baby"), which the group (?P<det>...) catches so the match can be dropped.
_MID_CAP = re.compile(
    rf"(?:\b(?P<det>the|a|an|this|that|these|those|his|her|its|my|your|our|their|every|each|no|any|some)\b|\b[{LOWER}]+[,;]?)"
    rf"\s+(?P<w>{_UP}{_LO}+)\b"
)


def _proper_mid_sentence(body: Sequence[Segment], lower_counts: Counter[str], tags: Counter[str]) -> frozenset[str]:
    """Words the story writes capitalised mid-sentence often enough to be names, although the same word
    is also an everyday word of the book ("Table", "Rabbit", "Small"): a person called Table is
    capitalised wherever the text names him, and nobody capitalises "table" after "with" by chance.
    Three such uses, at least a third as many as the lower-case ones, and uses as a person -- a tag
    and a call, or three calls: the speaker of a tag (`tags`) counts twice, a name called out in a
    quotation ('"Come, Table!"') once -- make it a name. Without that last test a capitalised Emphasis
    Word would pass ("Nature", "Death", "Fate"), and a poet may still call out to it once or twice
    ('"Death, where is thy sting?"')."""
    mid: Counter[str] = Counter()
    called: Counter[str] = Counter()
    for seg in body:  # segment by segment: the end of one and the start of the next are no sentence
        for m in _MID_CAP.finditer(seg.text):
            if m.group("det") is None:
                mid[m.group("w")] += 1
        if seg.kind == "dialogue":
            for v in VOCATIVE_RE.finditer(seg.text):
                called.update(v.group("v").split())  # "Affair Short," calls out both words
    return frozenset(
        w for w, n in mid.items()
        if n >= 3 and 3 * n >= lower_counts.get(w.lower(), 0) and 2 * tags[w] + called[w] >= 3
        and w not in _NEVER_NAME_WORDS and w not in TAG_ONLY_WORDS)


# A capitalised participle or adverb ("Returning", "Startled", "Quickly") right after a lower-case word
# or a comma: a name there; at a sentence or quotation start any word is capitalised.
_SUFFIXED = re.compile(rf"{_UP}{_LO}+(?:ing|ly|ed)")
_SUFFIXED_MID = re.compile(rf"[{LOWER},;]\s+(?P<w>{_UP}{_LO}+(?:ing|ly|ed))\b")
_SUFFIXED_SPEAKS = re.compile(rf"\b(?P<w>{_UP}{_LO}+(?:ing|ly|ed))\s+(?:{SPEECH_VERB_ALT})\b(?!\s+{_UP})")


def _initial_only(everything: str, cap_counts: Counter[str]) -> set[str]:
    """Capitalised words shaped like a participle or an -ly adverb that the story only ever writes at
    the start of a sentence or a quotation ("Returning, she said"): not names, however rarely the
    lower-case word turns up. A real name of that shape ("Dolly", "Manning", "Fred") is sooner or
    later written mid-sentence ("said Manning", "to Dolly")."""
    # (A given name of that shape -- "Emily", "Ned" -- is a name wherever it stands, and so is a word
    # that a speech verb follows: '"Hi," Emily said' starts no sentence of its own -- unless a name
    # follows the verb: "Slowly said Mara".)
    shaped = {w for w in cap_counts if _SUFFIXED.fullmatch(w) and w not in MALE_NAMES and w not in FEMALE_NAMES}
    if not shaped:
        return set()
    mid = {m.group("w") for m in _SUFFIXED_MID.finditer(everything)}
    mid |= {m.group("w") for m in _SUFFIXED_SPEAKS.finditer(everything)}
    return shaped - mid


def _is_given(word: str, lower_counts: Counter[str], cap_counts: Counter[str],
              proper: frozenset[str] = frozenset()) -> bool:
    """A word that is a given name: a listed one, a name word the story never writes in lower case, or
    one it keeps writing as a name mid-sentence or in tags ("asked Table", '"No," Rabbit said')."""
    return word in MALE_NAMES or word in FEMALE_NAMES or word in proper or (
        lower_counts.get(word.lower(), 0) == 0 and cap_counts.get(word, 0) >= 2)


def _is_name_word(word: str, lower_counts: Counter[str], cap_counts: Counter[str],
                  promoted: frozenset[str] = frozenset()) -> bool:
    if word in promoted:
        return True
    if word in STOPWORDS or word in TITLES or (word.upper() == word and len(word) > 1):
        return False
    low = lower_counts.get(word.lower(), 0)
    # A word mostly written in lower case is an ordinary word capitalised at a sentence start.
    return low * 2 < cap_counts.get(word, 0) or (low == 0)


def _collect(
    seg_text: str, is_narration: bool, forms: dict[str, NameForm], lower_counts: Counter[str], cap_counts: Counter[str],
    together: Counter[frozenset[str]] | None = None, promoted: frozenset[str] = frozenset(), short: bool = False,
    person_verbs: frozenset[str] = _PERSON_VERBS, beat: bool = False,
) -> None:
    # Forms named in one sentence of narration ("Mr. Emerson and George came in") are two people.
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(seg_text)] if is_narration and together is not None else []
    in_sentence: dict[int, set[str]] = defaultdict(set)
    if is_narration:
        # Characters known by a capitalised role: "the General", "the Mock Turtle".
        for m in _ROLE_RE.finditer(seg_text):
            words = tuple(m.group("role").split())
            key = "the " + " ".join(words)
            form = forms.get(key)
            if form is None:
                form = forms[key] = NameForm(key, None, words, role=True)
            form.count += 1
            form.narrated += 1
            after = seg_text[m.end() : m.end() + 40]
            before = seg_text[max(0, m.start() - 30) : m.start()]
            nxt = LETTER_WORD_RE.findall(after)[:1]
            prev = LETTER_WORD_RE.findall(before)[-1:]
            if (nxt and nxt[0].lower() in person_verbs) or (prev and prev[-1].lower() in SPEECH_VERBS):
                form.person += 1
    for m in _NAME_RE.finditer(seg_text):
        title = m.group("title")
        words = m.group("name").split()
        # Trim leading non-name words ("Then Emma" -> "Emma"), stop at the first non-name word.
        kept: list[str] = []
        for j, w in enumerate(words):
            if not kept and not title and w in HOLIDAYS:
                break  # "Christmas Eve", "Easter Sunday": the capital after a holiday is the day's, not a name
            if w in _PARTICLES:
                # Kept only between a title or name and the surname it belongs to.
                if (kept or title) and j + 1 < len(words):
                    kept.append(w)
                    continue
                if kept or title:
                    break
                continue
            # Right after a title any capitalised word is a name; after its particles too ("Professor de
            # Cloud"), but not an abbreviation there ("the Marquis de St. Eustache").
            if _is_name_word(w, lower_counts, cap_counts, promoted) or (title and w not in FUNCTION_WORDS and (
                    not kept or (all(k in _PARTICLES for k in kept) and len(w) > 2))):
                kept.append(w)
            elif (len(kept) == 1 and not title and kept[0] == words[j - 1] and w not in _NEVER_NAME_WORDS
                  and _is_given(kept[0], lower_counts, cap_counts, promoted)):
                # "Harvey Stone": a capitalised word right after a given name cannot be a sentence start,
                # so it is the surname even when the story also writes it in lower case ("a stone").
                kept.append(w)
            elif (not kept and not title and j == 0 and len(words) > 1 and _is_name_word(words[1], lower_counts, cap_counts, promoted)
                  and _mid_sentence(seg_text, m.start()) and (w in _NAME_ADJECTIVES or (
                      w not in _NEVER_NAME_WORDS and not _AFTER_DETERMINER.search(seg_text, max(0, m.start() - 12), m.start())))):
                # "Big Mac", "Little Nell", "Old Jolyon", "old Stage Talbot": capitalised where no sentence
                # starts, before a name, the word is part of the name although it is also an ordinary word
                # ("Young Hamilton hastened" at a sentence start is not; nor "the Green Gables", a thing).
                kept.append(w)
            elif kept or title:
                break
        while kept and kept[-1] in _PARTICLES:
            kept.pop()
        if not kept or (kept[0] in _PARTICLES and not title):
            continue
        if title and words and kept[0] != words[0]:
            title = None
        if not title and (_SAINTS_DAY.match(seg_text, m.end()) or (
                kept == ["Eve"] and _FEAST_BEFORE.search(seg_text, 0, m.start()))):
            continue  # "St. Valentine's Day", "New Year's Eve": a day, whoever it is named after
        key = (title + " " if title else "") + " ".join(kept)
        form = forms.get(key)
        if form is None:
            form = forms[key] = NameForm(key, title, tuple(kept))
        form.count += 1
        if is_narration and together is not None:
            in_sentence[bisect.bisect_right(ends, m.start())].add(key)
        after = seg_text[m.end() : m.end() + 80]
        before = seg_text[max(0, m.start() - 30) : m.start()]
        nxt = LETTER_WORD_RE.findall(after)[:3]
        prev = LETTER_WORD_RE.findall(before)[-2:]
        if (title or (nxt and nxt[0].lower() in person_verbs) or (prev and prev[-1].lower() in SPEECH_VERBS)
                or (short and is_narration and _acting_subject(seg_text, m, kept, cap_counts, beat))):
            form.person += 1
        if not title and prev and prev[-1] in _PLACE_PREPS and not _turned_to_person(before):
            # ("looked at Rarity", "talked to Ann", "waved to Cora" are at or to a person, not a place.)
            form.place += 1
        if not title and len(words) > len(kept) and words[len(kept)] in _PLACE_NOUNS:
            form.place += 2  # "Fen Street", "Candle Row": a place named after someone is not that someone
        if is_narration:
            form.narrated += 1
        _count_apposition(form, before, after)
        if not is_narration:
            # Vocatives: a name set off by commas inside speech is a person being addressed.
            if re.match(r"\s*[,!?]", after) and (not prev or before.rstrip().endswith((",", '"', "\u201c"))):
                form.person += 1
            elif re.match(r"\s*\.", after) and before.rstrip().endswith(",") and prev and words[0] == kept[0] and (
                    prev[-1] in _GREETINGS or prev[-2:] == ["Thank", "you"]
                    or re.match(r"\s*\.[\"'\u201d\u2019]?\s*$", after)):
                # '"Morning, Fenwick."', '"Thanks, Corbin."': the name a greeting or a thanks is said to is
                # called out before a full stop too, and so is a name set off by a comma at a speech's very end
                # ('"Go home, Corbin."'); "bread, and Corbin." is neither: he is talked about, and "this new
                # dive, The Select." names a place (a name the sentence writes after "The" is called nobody).
                form.person += 1
            elif short and not prev and re.match(r"\.\s+\S", after):
                # '"Marcus. Talk to me."': a name alone as the first sentence of a speech is called out;
                # in a short story that call may be the only person-like use the name gets.
                form.person += 1
            continue
        _count_fronted_participle(form, seg_text, m.start())
        # Gender: the first personal pronoun after the name, before another name turns up.
        ahead = seg_text[m.end() : m.end() + 160]
        _count_reflexive(form, ahead)
        found = list(LETTER_WORD_RE.finditer(ahead))[:25]
        ws = [f.group() for f in found]
        alone: bool | None = None  # whether the name is its sentence's named subject (worked out once)
        for j, w in enumerate(ws):
            lw = w.lower()
            if j and w[0].isupper() and w not in STOPWORDS:
                break
            if lw in ("her", "him") and j and ws[j - 1].lower() in _OBJECT_PREPS:
                # "Spike huddled under her cloak": the "her" may be someone named before Spike. A
                # possessive ("up to her nose", "with her headset") goes with the sentence's named
                # subject when nobody else is named before it: "Priya comes in with her headset".
                if lw == "him" or not _possessive(ahead, found, j) or (
                        j > 1 and ws[j - 1].lower() == "at" and ws[j - 2].lower() in _LOOK_VERBS):
                    break  # "Berry looked at her hard": one looks at someone else
                if re.search(r"[.!?;]", ahead[: found[j].start()]):
                    break  # only within the name's own sentence
                if alone is None:
                    alone = _named_subject(seg_text, m.start(), kept)
                if not alone:
                    break
            if lw == "him" or (lw == "her" and not _possessive(ahead, found, j)):
                # An object pronoun right after a name is somebody else: "Tobin showed her how",
                # "Pip corrected her.", "Sella handed him the can". "her" before a noun is possessive.
                break
            if lw in MALE_PRONOUNS:
                form.he += 1
                break
            if lw in FEMALE_PRONOUNS:
                form.she += 1
                break
    for keys in in_sentence.values():
        if len(keys) > 1:
            for pair in itertools.combinations(sorted(keys), 2):
                together[frozenset(pair)] += 1  # type: ignore[index]


# What only a person (or a creature that talks) does: "Bob shrugged", "Cass woke", "Moss leaned". Not what weather,
# days or silence do ("Thunder rolled", "Tuesday dragged on", "Silence followed", "Night fell"), so a capitalised
# word the story never writes in lower case is not a person for doing one of those before a quotation.
_PERSON_ACTS = both_tenses(frozenset(
    ["shrugged", "nodded", "smiled", "grinned", "frowned", "sighed", "laughed", "chuckled", "giggled", "winced",
     "blinked", "gasped", "swallowed", "hesitated", "paused", "waited", "woke", "yawned", "knelt", "leaned", "crouched",
     "stood", "sat", "rose", "turned", "looked", "glanced", "stared", "peered", "watched", "listened", "waved",
     "pointed", "reached", "grabbed", "took", "gave", "picked", "shook", "wiped", "scowled", "groaned", "smirked",
     "snorted", "scoffed", "nudged", "tapped", "folded", "tilted", "raised", "lifted", "set", "put", "held", "hugged",
     "kissed", "thought", "wondered", "decided", "remembered", "noticed", "realized", "realised", "agreed", "insisted",
     "promised", "refused", "tried", "wanted", "knew", "felt", "saw", "heard", "carried", "pulled", "pushed", "walked",
     "stepped", "hurried", "climbed", "knocked", "opened", "closed", "slept", "sobbed", "wept", "blushed", "flinched",
     "squinted", "stiffened", "beamed", "huffed", "fetched", "found", "wrote", "ate", "drank", "came", "went",
     "returned", "entered", "bent", "threw", "caught", "dropped", "kicked", "whistled", "hummed", "coughed", "sniffed",
     "muttered", "whispered", "shouted", "called", "cried", "replied", "answered", "asked", "said", "told"]))
_ACT_ED = re.compile(r"[a-z]{2,}ed")
# Words that greet, thank or take leave of the one named right after them ('"Morning, Fenwick."').
_GREETINGS = frozenset(["Morning", "morning", "Evening", "evening", "Afternoon", "afternoon", "Night", "night", "Hey",
                        "Hi", "Hello", "Hullo", "Hallo", "Thanks", "Thank", "thanks", "Bye", "Goodbye", "Cheers",
                        "Welcome", "Sorry", "Howdy", "Greetings"])


def _leads_into_quote(body: Sequence[Segment], k: int) -> bool:
    """Whether segment k is an action beat: narration that leads straight into a quotation of its own paragraph
    ('Bob shrugged. "Not for me."')."""
    seg = body[k]
    nxt = body[k + 1] if k + 1 < len(body) else None
    return (seg.kind == "narration" and nxt is not None and nxt.kind == "dialogue"
            and nxt.paragraph == seg.paragraph and nxt.chapter == seg.chapter)


_LATER_SENTENCE = re.compile(r"[.!?;]\s+\S")


def _in_last_sentence(rest: str) -> bool:
    """Whether `rest`, the text after a word, starts no new sentence: the word is in its text's last one."""
    return _LATER_SENTENCE.search(rest.rstrip()) is None


def _acting_subject(text: str, m: re.Match[str], kept: list[str], cap_counts: Counter[str], beat: bool) -> bool:
    """Whether the name at m is the subject of a past verb right after it ("Bob shrugged", "Cass woke") where a
    short story shows a person: opening a sentence of a name that comes back, or in the beat's last sentence
    just before a quotation. (A short story may name a person only so: no "said Bob", no "Bob was".)"""
    verb = re.match(r"\s+(?:[a-z]+ly\s+)?([a-z]+)\b", text[m.end():])
    if verb is None or verb.group(1) not in _PERSON_ACTS:
        return False
    if beat and _in_last_sentence(text[m.end():]):
        return True  # the beat's last sentence: its subject speaks next, or is spoken to
    head = text[max(0, m.start() - 60) : m.start()]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    opens = all(w.lower() in _SUBJECT_LEAD for w in LETTER_WORD_RE.findall(head[cut + 1 :])) and (cut >= 0 or m.start() < 60)
    return opens and cap_counts.get(kept[0], 0) >= 2


def _possessive(ahead: str, found: list[re.Match[str]], j: int) -> bool:
    """Whether the "her" at found[j] is a possessive: a noun follows it ("her nose", not "her how")."""
    nxt = found[j + 1].group().lower() if j + 1 < len(found) else ""
    return (bool(nxt) and nxt not in _NOT_A_NOUN and not (nxt.endswith("ly") and nxt not in _LY_NOUNS)
            and ahead[found[j].end() : found[j + 1].start()].isspace())


# "-ly" words that are nouns; any other after "her" is an adverb ("looked at her helplessly": an object).
_LY_NOUNS = frozenset(["family", "belly", "lily", "folly", "jelly", "ally", "holly", "rally", "bully", "melancholy"])


# Verbs of looking at someone: in "Berry frowned at her brother" the "her" is another's, and says nothing of
# Berry's sex. In both tenses ("Berry frowns at her brother"): six of them had no present.
_LOOK_VERBS = both_tenses(frozenset(["look", "looks", "looked", "looking", "stare", "stared", "staring", "gaze", "gazed",
                                     "gazing", "glance", "glanced", "glancing", "smile", "smiled", "smiling", "glare",
                                     "glared", "peered", "frowned", "grinned", "winked", "laughed", "nodded"]))


# Verbs one does to or at a person, not a place ("talked to Ann", "turned to Ann", "waved at Cora", "seemed to
# Alice"): the capital after their "to", "at" or "towards" is somebody. On the development novels "turned to X",
# "said to X", "glanced at X" and "seemed to X" are a character's name 180 times in 185; "went to", "came to",
# "walked to" and "returned to" a place two times in three, so the verbs of going are not among them (nor
# "called", which "called at Hartfield" makes a visit).
_TO_PERSON_VERBS = both_tenses(frozenset(
    ["said", "spoke", "talked", "whispered", "murmured", "muttered", "shouted", "cried", "yelled", "explained",
     "replied", "turned", "waved", "nodded", "bowed", "beckoned", "gestured", "motioned", "signalled", "signaled",
     "winked", "smiled", "grinned", "seemed", "appeared", "engaged", "married", "introduced", "listened",
     "appealed", "apologised", "apologized", "lied", "confided", "confessed", "complained", "sang", "read",
     "bent", "leaned", "whistled", "called", "snapped", "scowled", "glowered", "sneered", "pointed",
     "blinked", "pouted", "growled", "hissed", "barked", "laughed"])) | _LOOK_VERBS | frozenset(
    ["say", "saying", "speak", "speaking", "talk", "talking", "whisper", "whispering", "turn", "turning", "wave",
     "waving", "nod", "nodding", "bow", "bowing", "smile", "smiling", "grin", "grinning", "wink", "winking",
     "listen", "listening", "shout", "shouting", "call", "calling", "explain", "explaining", "kind", "rude",
     "civil", "devoted", "related", "attached", "known", "writing"])
_TO_PERSON_AT = re.compile(r"(?<![A-Za-z])(?P<verb>[a-z]+)\s+(?:[a-z]+ly\s+|back\s+|round\s+|around\s+){0,2}"
                           r"(?P<prep>to|at|towards|toward)\s+$")


def _turned_to_person(before: str) -> bool:
    """Whether the text right before a name is a verb one does to or at a person and its preposition ("talked
    to", "turned slowly to", "looked at"): the name is the one talked to, not a place gone to."""
    m = _TO_PERSON_AT.search(before)
    if m is None or m.group("verb") not in _TO_PERSON_VERBS:
        return False
    # "called at Hartfield" is a visit, "called to Ann" a call.
    return not (m.group("prep") == "at" and m.group("verb") in ("called", "calls", "call", "calling"))


# Words that may open a sentence before its subject without bringing in anyone else ("And then Quill ...").
_SUBJECT_LEAD = frozenset(["and", "but", "then", "so", "yet", "now", "still", "at", "last", "presently", "soon",
                           "suddenly", "meanwhile", "here", "there", "just"])


def _named_subject(text: str, start: int, kept: list[str]) -> bool:
    """Whether the name at start is its sentence's subject with nobody named or described before it: it opens
    the sentence ("And Quill ..."), follows a speech verb ("said Quill, with her ..."), or opens a second clause
    of a sentence it also opened ("Twilight Sparkle closed the book, and Twilight Sparkle sighed at her
    notes"). Not "the sight of Matthew ... her", nor "Starlight stood there, and Spike huddled under her cloak"."""
    head = text[max(0, start - 200) : start]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    words = LETTER_WORD_RE.findall(head[cut + 1 :])
    if all(w.lower() in _SUBJECT_LEAD or w.lower() in SPEECH_VERBS for w in words):
        return True
    names = [w for w in words if w[0].isupper() and w not in STOPWORDS]
    return (len(words) > 2 and words[-1] in ("and", "but") and bool(names) and all(w in kept for w in names)
            and (words[0] in kept or words[0] in TITLES))


# Nouns that say a person's sex and nothing else (no rank or trade: "Sella, the captain" may be a woman).
_SEX_NOUNS = {w: "male" for w in ("man", "gentleman", "boy", "lad", "fellow", "youth", "father", "brother", "son", "uncle",
                                  "husband", "nephew", "grandfather", "grandson", "widower", "stallion", "colt")}
_SEX_NOUNS.update({w: "female" for w in ("woman", "lady", "girl", "lass", "mother", "sister", "daughter", "aunt", "wife",
                                         "niece", "grandmother", "granddaughter", "widow", "mare", "filly")})
_SEX_ALT = "|".join(sorted(_SEX_NOUNS))
# "their father Harl", "the mare Rarity": a sex noun right before the name, after a determiner.
_APPOSED_BEFORE = re.compile(rf"\b(?:[Tt]he|[Aa]n?|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Yy]our)\s+(?:[a-z-]+\s+)?(?P<noun>{_SEX_ALT})\s+$")
# "Rarity, the young mare," / "Tobin, her brother.": the noun heads a phrase set off after the name (not
# an item of a list: "Rarity, the colt, and the filly"; nor "my lady" after a name, a form of address to
# someone else: "Rosings, my lady, I dare say").
_APPOSED_AFTER = re.compile(rf"\s*,\s*(?!my lady\b)(?:the|an?|my|his|her|their|our|your)\s+(?:[a-z-]+\s+){{0,3}}?(?P<noun>{_SEX_ALT})(?=\s*[,.;:!?]|\s+who\b)(?!\s*,\s*(?:and|or)\b)")


# "Returning to his basket, Rabbit sighed": a sentence opened by a participle clause with a possessive in it,
# closed by a comma right before the name. The clause's unstated subject is the name, so is the possessive's owner.
# Lower-case words only, so no one else is named in the clause, and no "that" or "what" opening a clause of its
# own ("Seeing that her thoughts were elsewhere, Cecil": her thoughts are someone else's).
_FRONTED_PARTICIPLE = re.compile(r"(?P<verb>[A-Z][a-z]+ing)(?:\s+(?!that\b|what\b|whether\b|if\b|how\b|as\b|when\b)[a-z]+)*?"
                                 r"\s+(?P<pron>his|her)\s+(?P<next>[a-z]+)(?:\s+[a-z]+)*\s*,\s*$")
# Capitalised -ing words that are no participle with the name as subject: prepositions ("During his stay,
# Emma ...": anyone's stay) and nouns.
_NOT_PARTICIPLES = frozenset(["During", "Notwithstanding", "Regarding", "Concerning", "Including", "Considering",
                              "Excepting", "Barring", "Pending", "Following", "According", "Touching", "Respecting",
                              "Morning", "Evening", "Nothing", "Something", "Anything", "Everything", "King", "Spring",
                              "Thing", "Wedding", "Darling", "Ring", "Sing", "Bring"])


def _count_fronted_participle(form: NameForm, text: str, start: int) -> None:
    head = text[max(0, start - 120) : start]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    m = _FRONTED_PARTICIPLE.match(head[cut + 1 :].lstrip())
    if m is None or m.group("verb") in _NOT_PARTICIPLES or m.group("next") in _NOT_A_NOUN:
        return  # "Handing her the basket, Rabbit ...": an object "her" is somebody else
    if m.group("pron") == "his":
        form.he += 1
    else:
        form.she += 1


def _count_apposition(form: NameForm, before: str, after: str) -> None:
    """A noun of sex in apposition to the name tells its gender as well as a pronoun does (counted as two)."""
    m = _APPOSED_BEFORE.search(before) or _APPOSED_AFTER.match(after)
    if m is None:
        return
    if _SEX_NOUNS[m.group("noun")] == "male":
        form.he += 2
    else:
        form.she += 2


_AFTER_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|his|her|its|my|your|our|their|of)\s+$")
_CLAUSE_END = re.compile(r"[.!?;:\u2014\"]|--")


def _count_reflexive(form: NameForm, ahead: str) -> None:
    """Count a reflexive pronoun in the clause after a name, before any other name or capitalised word."""
    clause = ahead[: m.start()] if (m := _CLAUSE_END.search(ahead)) else ahead
    for j, w in enumerate(LETTER_WORD_RE.findall(clause)):
        if j and w[0].isupper() and w not in STOPWORDS:
            return  # "Edna watched Robert help himself": the reflexive goes with the nearer name
        if w == "himself":
            form.he_self += 1
            return
        if w == "herself":
            form.she_self += 1
            return


# Words that cannot follow a possessive "her": after them "her" is an object ("showed her how").
_NOT_A_NOUN = frozenset(["the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "my", "your", "our", "its",
                         "how", "what", "where", "when", "why", "who", "whether", "if", "to", "and", "but", "or", "so",
                         "up", "down", "out", "in", "off", "back", "away", "over", "on", "again", "too", "as", "with",
                         "for", "from", "into", "at", "by", "of", "something", "nothing", "everything", "it"])


_OBJECT_PREPS = frozenset(["under", "over", "with", "for", "to", "at", "by", "beside", "behind", "near", "from", "into", "onto", "upon", "on", "of", "about", "around"])


# "The griffon folded her wings": a sentence whose subject is a lower-case epithet.
_SUBJECT_EPITHET = re.compile(r"(?:^|[.!?]\s+)[Tt]he\s+(?P<ep>(?:[a-z\-]+\s+){0,2}?[a-z\-]+)\s+[a-z]+(?:ed|s)\b")


_THE_NAME = re.compile(rf"the\s+({_UP}[{LOWER}]+)")
_AFTER_ARTICLE_OR_NAME = re.compile(rf"(?:\b[Tt]he|{_UP}[{LOWER}]+)\s+$")
_ROLE_OF = re.compile(rf",\s+(?:the\s+)?({_UP}[{LOWER}]+)\s+of\b")


def _drop_family_plurals(chars: list[Character]) -> list[Character]:
    """Drop "the Emersons", "the Miss Steeles": a family or a set of sisters, never one voice.

    A form is a family plural when its last word is another character's surname (or name word) with an
    "s" added; a character all of whose forms are such plurals is the group, and a reader gives no line
    to a group by name. (A name that merely ends in "s" -- "Mr. Hastings" -- has no "Hasting" beside it.)
    """
    words = {w for c in chars for f in (c.name, *c.aliases) for w in f.split() if w[:1].isupper()}

    def plural(form: str) -> bool:
        ws = form.split()
        if not ws or not ws[-1].endswith("s") or len(ws[-1]) < 4:
            return False
        return ws[-1][:-1] in words or (ws[-1].endswith("es") and ws[-1][:-2] in words)

    out = []
    for c in chars:
        forms = [f for f in (c.name, *c.aliases) if f != "I"]
        own = {w for f in forms for w in f.split()}
        # The article or "Miss" says it is a group ("the Emersons", "Miss Thorpes"); a bare "Braddocks" or a
        # "Mrs. Braddocks" is a person whose name ends in "s".
        group = any(f.startswith(("the ", "Miss ")) for f in forms) and not any(
            f.split()[0] in TITLES and f.split()[0] != "Miss" for f in forms)
        if forms and group and all(plural(f) and f.split()[-1][:-1] not in own for f in forms):
            continue
        out.append(c)
    return out


def _drop_named_things(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """Drop "the Atlas", "the Marigold": a capitalised name that always takes the article and never speaks.

    A book or a ship gets "she" and a capital letter, so discovery takes it for a woman, and then her
    pronoun tags go to it. A person called "the Gardener" is in a speech tag at least once ("said the
    Gardener"); a thing never is, and no speech addresses it. Only names that take the article every time
    are looked at: "Marigold" alone would be a name.
    """
    out = []
    speech = whole = ""
    for c in chars:
        m = _THE_NAME.fullmatch(c.name)
        if m is None or c.mentions < 2 or m.group(1).lower() in OCCUPATIONS or noun_gender(m.group(1).lower()) != "unknown":
            # "the Rector", "the Duchess": a person's role, capitalised.
            out.append(c)
            continue
        if not whole:  # joined once, and only when a story has such a name at all
            speech = " ".join(s.text for s in body if s.kind == "dialogue")
            whole = " ".join(s.text for s in body if s.kind == "narration") + " " + speech
        keep = bool(re.search(rf"\b{re.escape(m.group(1))}\s*[,!?]", speech))  # addressed: "Atlas, stay!"
        for k in re.finditer(rf"\b{re.escape(m.group(1))}\b", whole):
            if keep:
                break
            before = whole[max(0, k.start() - 30):k.start()]
            after = re.match(r"\s+([a-z]+)", whole[k.end():k.end() + 20])
            verb = re.search(r"\b([a-z]+)\s+[Tt]he\s+$", before)
            # Used as a name (without the article, and not as the last word of a longer title such as
            # "The Moonwatch Atlas"), or in a speech tag ("said the Gardener", "the Gardener said").
            keep = (not _AFTER_ARTICLE_OR_NAME.search(before)
                    or (verb is not None and verb.group(1) in SPEECH_VERBS)
                    or (after is not None and after.group(1) in SPEECH_VERBS and re.search(r"\b[Tt]he\s+$", before) is not None))
        if keep:
            out.append(c)
    return out


def _self_introduced(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """A speaker who gives their own name is a character, and the epithet the narration uses for them is theirs.

    A careful reader knows that whoever says "I am Nocturne" is Nocturne, and that "the alicorn" who bowed
    her head just before is the same person. Only names the rest of the discovery missed are added, and only
    epithets no character holds yet are linked (one the story gives two owners is left alone).
    """
    known = {f for c in chars for f in (c.name, *c.aliases)}
    known_first = {f.split()[0] for f in known if f and f[0].isupper()}
    paras: list[list[Segment]] = []
    for seg in body:
        if paras and paras[-1][0].paragraph == seg.paragraph and paras[-1][0].chapter == seg.chapter:
            paras[-1].append(seg)
        else:
            paras.append([seg])
    found: dict[str, list[str]] = {}
    genders: dict[str, str] = {}
    asked = False  # the last speech before this paragraph asked its listener's name
    for k, para in enumerate(paras):
        quotes = [s for s in para if s.kind == "dialogue"]
        for seg in para:
            if seg.kind != "dialogue":
                continue
            hits = self_introductions(seg.text)
            if not hits and asked and seg is quotes[0] and (answer := name_answer(seg.text)) is not None:
                # '"Who are you?" / "Ines Calder. I'm the new relief keeper."': the answer gives the name.
                hits = [answer]
            if not hits:
                continue
            m = hits[0]
            name = " ".join(m.group("name").split())
            if name in NOT_NAMES or name.split()[0] in NOT_NAMES or name.split()[0] in TITLES:
                continue  # "I am Mrs. Weston" is matched as "Mrs": the title alone is nobody
            if " " not in name and re.search(r"(?:sh|ese|ch)$", name) and name not in known:
                continue  # "I'm English", "I'm Scotch": a nationality, not a name
            narr = " ".join(s.text for s in para if s.kind == "narration")
            eps = [e.group("ep") for e in _SUBJECT_EPITHET.finditer(narr.strip())]
            if not eps and k > 0 and all(s.kind == "narration" for s in paras[k - 1]):
                eps = [e.group("ep") for e in _SUBJECT_EPITHET.finditer(" ".join(s.text for s in paras[k - 1]).strip())]
            eps = [e for e in eps if e.split()[-1] not in GENERIC_EPITHETS and "the " + e not in known]
            found.setdefault(name, [])
            found[name].extend("the " + e for e in eps[:1])
            # "I am Nocturne, Keeper of the eastern sky": the title given with the name is how the
            # narration goes on calling her ("the Keeper lifted her head").
            role = _ROLE_OF.match(seg.text, m.end())
            if role and role.group(1) not in NOT_NAMES:
                found[name].append("the " + role.group(1))
            pron = re.match(r"^[\s,]*(?:he|she)\b", narr.strip().lower()) if narr else None
            if pron:
                genders.setdefault(name, "male" if pron.group(0).strip(" ,") == "he" else "female")
            elif eps:
                genders.setdefault(name, noun_gender(eps[0].split()[-1]))
        if quotes:
            asked = asks_name(quotes[-1].text)
    if not found:
        return chars
    owners = Counter(ep for eps in found.values() for ep in set(eps))
    out = list(chars)
    for name, eps in found.items():
        links = tuple(dict.fromkeys(ep for ep in eps if owners[ep] == 1))
        hit = next((c for c in out if name in (c.name, *c.aliases)), None)
        if hit is None and name.split()[0] in known_first:
            hit = next((c for c in out if any(f.split()[0] == name.split()[0] for f in (c.name, *c.aliases) if f)), None)
        if hit is not None:
            # "Ines" of the narration introduced herself in full: "Ines Calder" is hers too.
            full = (name,) if name not in (hit.name, *hit.aliases) else ()
            out = [Character(c.name, c.aliases + full + links, c.gender, c.mentions) if c is hit else c for c in out]
        else:
            # "Ines Calder" introduced in full is "Ines" in the narration after.
            given = (name.split()[0],) if " " in name and name.split()[0] not in known_first else ()
            out.append(Character(name, given + links, genders.get(name, "unknown"), 1))
    return out


# A sentence whose subject is a role ("The ferryman looked past her", "The guard had gone"): the article, at most
# one describing word, the role noun and its verb.
_ROLE_SUBJECT = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)The\s+(?:[a-z\-]+\s+)?(?P<noun>"
                           + "|".join(sorted(OCCUPATIONS, key=len, reverse=True))
                           + r")\s+(?:[a-z]+ly\s+|already\s+|then\s+)?(?P<verb>[a-z]+)\b")


# Looks and ages fan fiction calls its named characters by in turn ("the blonde said", "the older one").
_LOOKS = frozenset(["blonde", "blond", "redhead", "brunette", "teen", "teenager", "kid", "elder", "youngster",
                    "newcomer", "smaller", "taller", "older", "younger"])

# Nouns that say only a person's sex or age ("filly", "boy", "old woman"): a pronoun's worth, unless the narration
# brings that person on as somebody new, "A small filly trotted up" (a sentence that starts with "A" and the noun
# as its subject, and does not go on to name her).
_NEWCOMER_NOUNS = (MALE_NOUNS | FEMALE_NOUNS | frozenset(["child", "kid"])) - frozenset(["sir", "master", "mistress"])
_NEWCOMER_INTRO = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)An?\s+(?:[a-z\-]+\s+){0,2}?(?P<noun>"
                             + "|".join(sorted(_NEWCOMER_NOUNS, key=len, reverse=True))
                             + r")\s+(?:[a-z]+ly\s+)?(?P<verb>[a-z]+)\b(?![^.!?]*\b(?:named|called)\b)")
_ARRIVALS = both_tenses(frozenset(["ran", "came", "sat", "stood", "rode", "flew", "swam", "crept", "slid", "burst",
                                   "was", "had"]))
_NEWCOMER_SUBJECT = re.compile(r"(?:^|(?<=[.!?\"\u201d])\s+|^\s+)The\s+(?:[a-z\-]+\s+)?(?P<noun>"
                               + "|".join(sorted(_NEWCOMER_NOUNS, key=len, reverse=True))
                               + r")\s+(?:[a-z]+ly\s+|already\s+|then\s+)?(?P<verb>[a-z]+)\b")


def _unnamed_speakers(chars: list[Character], body: Sequence[Segment]) -> list[Character]:
    """Add the people a short story never names but shows speaking or at work: a tag's noun that is nobody's
    ("said the bird", "the witch replied") and a role that acts in the narration ("The ferryman looked
    past her").

    A reader of a short scene hears the bird, the witch and the ferryman as voices of their own, as a stranger
    is "a voice": never the woman they answer, who is the only one the story names. Left out: people-nouns
    that fit anyone ("the man", "the girl": GENERIC_EPITHETS), plurals, and the kinds of creature fan fiction
    calls its named characters by ("the unicorn" is Rarity seen from another side; CREATURES keep their own
    rule in link_epithets). A novel names its people, so this is for short stories only.
    """
    known = {norm_form(f) for c in chars for f in (c.name, *c.aliases)}
    lookup = name_lookup(chars)
    pattern = mention_regex(lookup)
    paragraphs = paragraph_texts(body, narration_only=True)
    epithet_re = EPITHET_RE_PRESENT if told_in_present(paragraphs) else EPITHET_RE
    singular = {m.group(1) for para in paragraphs for m in A_NOUN_S.finditer(para)}

    def fits(ep: str) -> bool:
        head = ep.split()[-1]
        # (A noun that only says the sex, "the mare", "the stallion", or the looks, "the blonde", is a
        # pronoun's worth: "she said" of whoever fits in the scene, which the attribution resolves.)
        return (ep not in known and head not in GENERIC_EPITHETS and head not in NOT_SPEAKERS
                and head not in MALE_NOUNS and head not in FEMALE_NOUNS and head not in _LOOKS
                and head not in CONTRAST_WORDS
                and head not in CREATURES and head not in MALE_PRONOUNS and head not in FEMALE_PRONOUNS
                and head not in STOPWORDS and not plural(head, singular))

    tagged: Counter[str] = Counter()
    named_near: set[str] = set()
    for para in paragraphs:
        for m in epithet_re.finditer(para):
            ep = " ".join((m.group("a") or m.group("b")).lower().split()).rstrip("-")
            if len(ep.split()) != 2 or not fits(ep):
                continue  # a bare noun only: "the new detective" is somebody we know, newly described
            tagged[ep] += 1
            if pattern is not None and pattern.search(para, 0, m.start()):
                named_near.add(ep)  # "Twilight looked up. ... the scholar said": maybe Twilight's epithet
    # "A small filly trotted up": the newcomers the narration brings on by sex or age alone.
    newcomers = {m.group("noun") for para in paragraphs for m in _NEWCOMER_INTRO.finditer(para)
                 if _ACT_ED.fullmatch(m.group("verb")) or m.group("verb") in _PERSON_ACTS
                 or m.group("verb") in _ARRIVALS}
    acting: Counter[str] = Counter()
    for k, seg in enumerate(body):
        if seg.kind != "narration":
            continue
        beat = _leads_into_quote(body, k)
        subjects = list(_ROLE_SUBJECT.finditer(seg.text))
        if newcomers:
            subjects += [m for m in _NEWCOMER_SUBJECT.finditer(seg.text) if m.group("noun") in newcomers
                         and "the " + m.group("noun") not in known and not plural(m.group("noun"), singular)]
        for m in subjects:
            noun, verb = m.group("noun"), m.group("verb")
            if noun not in newcomers and not fits("the " + noun):
                continue
            if not (_ACT_ED.fullmatch(verb) or verb in _PERSON_ACTS or verb in ("was", "had", "is", "has")):
                continue
            # Twice, or once in the beat that leads into a quotation.
            acting["the " + noun] += 2 if beat and _in_last_sentence(seg.text[m.end():]) else 1
    new = [ep for ep in tagged if ep not in named_near]
    new += [ep for ep, n in acting.items() if n >= 2 and ep not in new]
    if not new:
        return chars
    # "Mira looked up from the library desk" ... "the librarian said": the one person the story puts at that
    # work is the one the role means, not a stranger.
    holders = {ep: who for ep in new if pattern is not None
               and (who := _work_holder(ep.split()[-1], paragraphs, pattern, lookup)) is not None}
    if holders:
        chars = [replace(c, aliases=(*c.aliases, *(ep for ep, who in holders.items() if who == c.name)))
                 if c.name in holders.values() else c for c in chars]
        new = [ep for ep in new if ep not in holders]
    return chars + [Character(ep, (), noun_gender(ep.split()[-1]), tagged[ep] + acting[ep]) for ep in new]  # type: ignore[arg-type]


# A role and the place of its work: "librarian" / "library", "baker" / "bakery", "brewer" / "brewery",
# "innkeeper" / "inn". (Not "gardener" / "garden", "boatman" / "boat", "headmaster" / "head": anyone walks in a
# garden or sits in a boat, so only the workplaces English forms with "-y", "-ery", "-ry", and an inn or a shop.)
_ROLE_ENDINGS = ("ian", "er", "ist")
_KEPT_PLACES = frozenset(["inn", "shop", "lighthouse", "tavern", "store"])
# Comings and goings: whoever walks into the library is a visitor there, not its librarian.
_ARRIVING = re.compile(r"\b(?:came|comes|come|walked|walks|ran|runs|went|goes|entered|enters|hurried|hurries|"
                       r"burst|bursts|stepped|steps|arrived|arrives|visited|visits|reached|reaches|left|leaves|"
                       r"into|towards?|past)\b")


def _works_at(role: str, word: str) -> bool:
    """Whether `word` is the place of `role`'s work ("library" for "librarian", "inn" for "innkeeper")."""
    if role.endswith("keeper"):
        return word == role[: -len("keeper")] and word in _KEPT_PLACES
    for end in _ROLE_ENDINGS:
        stem = role[: -len(end)]
        if role.endswith(end) and len(stem) >= 3 and word in (stem + "y", stem + "ery", stem + "ry"):
            return True
    return False


def _work_holder(role: str, paragraphs: Sequence[str], pattern: re.Pattern[str], lookup: dict[str, str]) -> str | None:
    """The one character the narration shows at the role's place of work ("Mira looked up from the library
    desk" for "the librarian"): named alone in every sentence that mentions the place without anyone coming
    or going. None when no sentence does, or two people share one ("Tom and Jess sat in the library")."""
    holder: set[str] = set()
    for para in paragraphs:
        for sentence in re.split(r"(?<=[.!?;])\s+", para):
            if not any(_works_at(role, w) for w in re.findall(r"[a-z]+", sentence)) or _ARRIVING.search(sentence):
                continue
            names = {lookup[" ".join(m.group(0).split())] for m in pattern.finditer(sentence)}
            if len(names) > 1:
                return None
            holder |= names  # ("The library was quiet." names nobody there)
    return next(iter(holder)) if len(holder) == 1 else None
