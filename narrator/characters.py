"""find_characters: discover who is in the story (names, aliases, gender), most salient first.

Names are capitalised word runs (optionally behind a title such as "Mrs.") that behave like people:
they stand next to speech verbs, carry titles, or act as sentence subjects, and their words are
rarely written in lower case. Forms are clustered into characters ("Elizabeth Bennet" / "Elizabeth"
/ "Miss Elizabeth"; "Mr. Darcy" / "Darcy"), gender comes from titles and the pronouns that follow a
name, and epithets used in speech tags ("the dragon said") are linked to the name they keep company
with. A first-person narrator who speaks ("I said") becomes a character with the alias "I".

This module collects the name forms and runs the steps in order; the clustering is name_clusters.py,
epithet linking epithets.py, the pronoun votes per form and the gender passes over the finished cast
gender.py, the corrections to the finished cast (self-introduced speakers, named things, family plurals,
a short story's unnamed speakers) cast_passes.py, the first-person narrator and the special voices (chat
writers, "a voice") first_person.py.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from narrator.cast_passes import drop_family_plurals, drop_named_things, self_introduced, unnamed_speakers
from narrator.dialogue import plain_marks
from narrator.epithets import (
    link_epithets,
    told_in_present,
)
from narrator.first_person import add_narrator_and_voices
from narrator.gender import count_apposition, count_pronouns, gender_from_address, gender_from_introduction
from narrator.lexicon import (
    FEMALE_NAMES,
    FUNCTION_WORDS,
    HOLIDAYS,
    LETTER,
    LETTER_WORD_RE,
    LOOK_VERBS,
    LOWER,
    MALE_NAMES,
    NAME_WORD,
    NEUTRAL_TITLES,
    NOT_NAMES,
    PERSON_ACTS,
    RANK_TITLES,
    SHORT_STORY,
    SPEECH_VERB_ALT,
    SPEECH_VERBS,
    STOPWORDS,
    SUBJECT_LEAD,
    TAG_EPITHET_ALT,
    TAG_ONLY_WORDS,
    TITLES,
    UPPER,
    VOCATIVE_RE,
    both_tenses,
)
from narrator.mentions import in_last_sentence, leads_into_quote
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
    short = len(everything) < SHORT_STORY
    for k, seg in enumerate(body):
        # An action beat: narration that leads straight into a quotation of the same paragraph ('Bob shrugged.
        # "Not for me."').
        beat = short and leads_into_quote(body, k)
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
    chars = self_introduced(chars, body)
    chars = drop_named_things(chars, body)
    chars = drop_family_plurals(chars)
    chars = gender_from_introduction(chars, body)
    chars = gender_from_address(chars, body)
    if promoted & _KIN_NAMES.keys():
        # "Mother" is a woman whatever pronouns the scene gives her.
        chars = [replace(c, gender=_KIN_NAMES[c.name]) if c.name in _KIN_NAMES and c.gender == "unknown" else c
                 for c in chars]
    if short:
        chars = unnamed_speakers(chars, body)
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


# The name-finding tag grammar (the patterns below, _collect_tags, _collect_role_tag, _tag_words). Attribution
# reads speech tags with its own grammar (speech_tags.py), but that one matches the forms of a cast already
# found (a resolver.CastIndex: "said Emma" when Emma is a character). Here no cast exists yet, and a tag is the
# evidence that a capitalised word is somebody at all ('"Gone," Rabbit said'): any run of capitalised words,
# with a title, particles or an epithet adjective before it, is taken as the speaker and counted as a name form.
# It stays here, beside the name-word tests (_is_name_word, _PARTICLES) and the forms it fills.
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
        if m.group("v") not in PERSON_ACTS and m.group("v") not in person_verbs:
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


# Words that greet, thank or take leave of the one named right after them ('"Morning, Fenwick."').
_GREETINGS = frozenset(["Morning", "morning", "Evening", "evening", "Afternoon", "afternoon", "Night", "night", "Hey",
                        "Hi", "Hello", "Hullo", "Hallo", "Thanks", "Thank", "thanks", "Bye", "Goodbye", "Cheers",
                        "Welcome", "Sorry", "Howdy", "Greetings"])


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
        count_apposition(form, before, after)
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
        count_pronouns(form, seg_text, m, kept)
    for keys in in_sentence.values():
        if len(keys) > 1:
            for pair in itertools.combinations(sorted(keys), 2):
                together[frozenset(pair)] += 1  # type: ignore[index]


def _acting_subject(text: str, m: re.Match[str], kept: list[str], cap_counts: Counter[str], beat: bool) -> bool:
    """Whether the name at m is the subject of a past verb right after it ("Bob shrugged", "Cass woke") where a
    short story shows a person: opening a sentence of a name that comes back, or in the beat's last sentence
    just before a quotation. (A short story may name a person only so: no "said Bob", no "Bob was".)"""
    verb = re.match(r"\s+(?:[a-z]+ly\s+)?([a-z]+)\b", text[m.end():])
    if verb is None or verb.group(1) not in PERSON_ACTS:
        return False
    if beat and in_last_sentence(text[m.end():]):
        return True  # the beat's last sentence: its subject speaks next, or is spoken to
    head = text[max(0, m.start() - 60) : m.start()]
    cut = max(head.rfind(c) for c in ".!?;:\"\u201c\u201d")
    opens = all(w.lower() in SUBJECT_LEAD for w in LETTER_WORD_RE.findall(head[cut + 1 :])) and (cut >= 0 or m.start() < 60)
    return opens and cap_counts.get(kept[0], 0) >= 2


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
     "blinked", "pouted", "growled", "hissed", "barked", "laughed"])) | LOOK_VERBS | frozenset(
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


_AFTER_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|his|her|its|my|your|our|their|of)\s+$")
