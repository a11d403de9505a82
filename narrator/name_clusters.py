"""Clustering name forms into people: "Elizabeth Bennet", "Elizabeth", "Miss Elizabeth" and "Lizzy" are one.

characters.py collects every form a story writes a name in and what the text says about each (a NameForm:
counts, titles, pronouns after it, uses as a person or a place). This module decides which forms are one
person -- shared words, one title per surname, the family etiquette of "Miss X" and "Mr. X", pet names,
nicknames, never a "he" joined to a "she" -- and picks each person's name for the cast list and gender.
Kept apart from the collection because these rules read the forms and their counts, not the text (the one
exception, the "Mr. and Mrs. X" couples, is read here too, as only the clustering needs it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from narrator.lexicon import (
    CIVIL_EQUIVALENTS,
    FEMALE_NAMES,
    HYPOCORISMS,
    LOWER,
    MALE_NAMES,
    RANK_TITLES,
    TAG_ONLY_WORDS,
    TITLES,
    UPPER,
    civil_title,
    gender_of_title,
    noun_gender,
)
from narrator.models import Character


@dataclass
class NameForm:
    """One surface form ("Mr. Darcy") and what the text says about it."""

    text: str
    title: str | None
    words: tuple[str, ...]
    count: int = 0
    person: int = 0
    he: int = 0
    she: int = 0
    # Reflexives in the clause after the name ("Robert seated himself"): nearly always the name's own,
    # even in a scene where a man and a woman share every paragraph and the first pronoun misleads.
    he_self: int = 0
    she_self: int = 0
    place: int = 0
    role: bool = False
    narrated: int = 0
    tagged: int = 0  # named as the speaker in a speech tag ('"Hi," said Mara.')
    weak: bool = False
    # Joined by the family rules ("Miss Bennet" -> Jane): an alias, never the name a cast list shows.
    alias_only: bool = False
    cluster: int = -1
    extra: set[str] = field(default_factory=set)


BARE_TITLES = frozenset(t.rstrip(".") for t in TITLES)  # "Mr" for "Mr." and "Mr" alike


def title_key(title: str) -> str:
    """A title as one spelling: "Dr." / "Doctor" -> "Dr", "Mrs." -> "Mrs"."""
    t = title.rstrip(".")
    return {"Doctor": "Dr", "Mister": "Mr", "Reverend": "Rev", "Mme": "Madame", "Mlle": "Mademoiselle"}.get(t, t)


def _FORM_RANK(f: NameForm, given: frozenset[str] = frozenset()) -> float:
    if f.role:
        return 4
    if f.title:
        if len(f.words) == 1 and f.title.rstrip(".") in CIVIL_TITLES and f.words[0] in given:
            # "Miss Lydia", "Mr. Edward": how servants and neighbours speak; the cast list says "Lydia".
            return 2.5
        return 0 if len(f.words) == 1 else 3
    return 1 if len(f.words) >= 2 else 2


# Titles of everyday address. Titles of rank ("Sir John", "Lady Catherine", "Lord Henry") go with a
# given name for good and are the name a reader knows the character by.
# (Every language's everyday honorifics are civil, lexicon.CIVIL_EQUIVALENTS: "Signora Varn" is the "Mrs. Varn"
# of an Italian story, not a rank. "Master" has no such equivalent, being a boy's title.)
CIVIL_TITLES = frozenset(["Master"]) | frozenset(CIVIL_EQUIVALENTS)


def _title_owns_bare(f: NameForm, plain: NameForm, first_names: dict[str, set[tuple[str, ...]]],
                     ranked_full: set[tuple[str, ...]]) -> bool:
    """Whether a titled one-word form ("Mrs. Hall") and the same word bare ("Hall") are one person."""
    word = f.words[0]
    g = gender_of_title(f.title or "")
    given = word in MALE_NAMES or word in FEMALE_NAMES or word in first_names
    if g == "female" and word in MALE_NAMES:
        return False  # "Mrs. Charles" is Charles's wife
    if g == "male" and word in FEMALE_NAMES:
        return False
    # The same from the text itself, for names no list holds: the bare word's own pronouns and
    # reflexives say the other gender ("Charles ... he ... himself" beside "Mrs. Charles", his wife).
    he, she = plain.he + 2 * plain.he_self, plain.she + 2 * plain.she_self
    if g in ("male", "female") and given and he + she >= 6 and (she, he)[g == "female"] >= 2 * (he, she)[g == "female"]:
        return False
    if f.title and f.title.rstrip(".") not in CIVIL_TITLES and any(
            (word, *rest) not in ranked_full for rest in first_names.get(word, ())):
        # "Sir John" beside "John Dashwood": the bare "John" is the man with the full name (but
        # "Catherine de Bourgh" is Lady Catherine de Bourgh herself).
        return False
    # A bare surname ("Hall", "Croft") is how narrators name the man of the house, not his wife,
    # unless the pronouns after it say otherwise.
    return not (g == "female" and not given and plain.he >= plain.she)


def _younger_sister(forms: dict[str, NameForm], given: str, surname: str, title: str) -> bool:
    """Whether the book's own usage says Given Surname is a younger sister, not the family's "Miss X".

    "Miss X" is the eldest unmarried daughter. When the story speaks of several ("the Miss Pryces",
    "the Misses Pryce"), a sister it keeps calling "Miss Given" ("Miss Kit", twice or more) is a
    younger one. (Without sisters, "Miss Kit" is only how the servants greet the one Miss Pryce.)
    """
    if title_key(title) not in _UNMARRIED_TITLES:
        return False
    # ("the Miss Pryces" is a role's words or a title's, as the sentence runs.)
    sisters = any((f.title and title_key(f.title) in _UNMARRIED_TITLES and f.words == (surname + "s",))
                  or f.words in (("Miss", surname + "s"), ("Misses", surname)) for f in forms.values())
    return sisters and sum(f.count for f in forms.values()
                           if f.title and title_key(f.title) in _UNMARRIED_TITLES and f.words == (given,)) >= 2


# (No leading \b: the literal "Mr" first lets the scan skip a novel a hundred times faster; the word
# boundary before it is checked on the few matches.)
_COUPLE = re.compile(rf"Mr\.? and Mrs\.? ([{UPPER}][{LOWER}]+)\b")


def couple_surnames(narration: str) -> frozenset[str]:
    """Surnames the narration writes "Mr. and Mrs. X" at least twice: a husband and wife both living."""
    n = Counter(m.group(1) for m in _COUPLE.finditer(narration)
                if not m.start() or not narration[m.start() - 1].isalnum())
    return frozenset(w for w, c in n.items() if c >= 2)


def _married_son(forms: dict[str, NameForm], given: str, surname: str, couples: frozenset[str]) -> bool:
    """Whether Given Surname is a married son of the house, not its "Mr. Surname".

    "Mr. X" is the head of the family, the husband of "Mrs. X". When the story names the couple ("Mr.
    and Mrs. Harrow", twice or more) and a woman is "Mrs. Given Surname" ("Mrs. Ned Harrow": a wife
    named after her husband so as not to be taken for Mrs. X), Given Surname has a wife of his own: a
    son, not Mr. X. (Without the couple, "Mrs. X" may be a widow and her son the head: then he is.)
    """
    return surname in couples and any(
        f.title and title_key(f.title) == "Mrs" and f.words == (given, surname) for f in forms.values())


def cluster_forms(forms: dict[str, NameForm], min_person: int = 2,
             together: Counter[frozenset[str]] | None = None, min_count: int = 2,
             couples: frozenset[str] = frozenset()) -> list[Character]:
    """Group forms into characters and pick each one's canonical name and gender."""
    # Keep forms that behave like people at least twice, or carry a title. (A short story passes
    # min_count=1: a name it gives once, in the narration, as a person, is a character -- not a titled one,
    # whose title alone counts as a person's use: "where Sergeant Pell sat" may be somebody mentioned,
    # and _titles_called_out decides him.)
    good = {
        k: f for k, f in forms.items()
        if ((f.count >= 2 or (f.count >= min_count and not f.title)) and f.narrated and ((f.title and f.count >= 2) or (f.person >= min_person and f.person > f.place)))
        or f.tagged
    }
    for f in good.values():
        if f.count < 2 and not f.tagged and not f.title:
            # Cast on one use: it names a character of its own, but never renames one the story calls by
            # another form more often ("Osric Hale" written once stays an alias of "Osric").
            f.alias_only = True
    # A full name whose given name is itself a character ("Twilight Sparkle" beside "Twilight").
    singles_good = {f.words[0] for f in good.values() if len(f.words) == 1 and not f.title}
    # ("Mary Ann Reed" beside "Mary Ann": two given names are a given name too.)
    pairs_good = {f.words for f in good.values() if len(f.words) == 2 and not f.title and not f.role}
    for k, f in forms.items():
        # ("the Archer Madeira" is a wine, not a person: a pair mostly written after "the" stays out.)
        as_role = forms.get("the " + k)
        if (k not in good and not f.title and not f.role and f.count >= 2
                and ((len(f.words) == 2 and f.words[0] in singles_good) or (len(f.words) == 3 and f.words[:2] in pairs_good))
                and not (as_role is not None and as_role.count * 2 >= f.count)):
            good[k] = f
            f.weak = True  # joins the cluster but does not become its canonical name
        # Nicknames used in the narration: a prefix of a known given name ("Twi" for "Twilight").
        if (k not in good and not f.title and not f.role and len(f.words) == 1 and f.count >= 2 and f.narrated
                and len(f.words[0]) >= 3 and any(w.startswith(f.words[0]) and w != f.words[0] for w in singles_good)):
            good[k] = f
            f.weak = True
    roles = {k: f for k, f in good.items() if f.role}
    good = {k: f for k, f in good.items() if not f.role}
    # Most specific forms first so "Elizabeth Bennet" anchors "Elizabeth".
    parent: dict[str, str] = {k: k for k in good}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # Gender evidence per cluster root: a merge never joins a "he" to a "she" ("Mrs. Archer" is not
    # Newland Archer, "Minnie Beebe" is not Mr. Beebe).
    votes: dict[str, list[int]] = {}
    for k, f in good.items():
        g = gender_of_title(f.title) if f.title else "unknown"
        # A given name of settled gender ("Charles", "Ellen") is the weakest evidence: it keeps
        # "Mrs. Charles" (his wife) out of Charles's cluster when the pronouns are mixed.
        given = f.words[0] if not f.title and not f.role else ""
        votes[k] = [f.count if g == "male" else 0, f.count if g == "female" else 0, f.he, f.she,
                    f.count if given in MALE_NAMES else 0, f.count if given in FEMALE_NAMES else 0]

    def gender_of(root: str) -> str:
        tm, tf, he, she, nm, nf = votes[root]
        if tm or tf:
            return "male" if tm > tf else "female" if tf > tm else "unknown"
        if he + she >= 3 and max(he, she) >= 3 * min(he, she):
            return "male" if he > she else "female"
        if nm or nf:
            return "male" if nm > nf else "female" if nf > nm else "unknown"
        return "unknown"

    members: dict[str, set[str]] = {k: {k} for k in good}

    def apart(ra: str, rb: str) -> bool:
        """Whether the narration names the two clusters side by side, as two people, again and again."""
        if not together:
            return False
        # ("Anne Shirley ... Anne" in one sentence is a writer's repetition, not two people.)
        both = sum(together.get(frozenset((x, y)), 0) for x in members[ra] for y in members[rb]
                   if not (set(good[x].words) <= set(good[y].words) or set(good[y].words) <= set(good[x].words)))
        return both >= 3 and both >= 0.05 * min(sum(good[x].count for x in members[ra]),
                                                   sum(good[y].count for y in members[rb]))

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            ga, gb = gender_of(ra), gender_of(rb)
            if "unknown" not in (ga, gb) and ga != gb:
                return
            if apart(ra, rb):
                return  # "Mr. Emerson and George": father and son, not one man
            va, vb = votes[ra], votes[rb]
            votes[ra] = votes[rb] = [x + y for x, y in zip(va, vb, strict=True)]
            # The more frequent root wins so canonical names stay stable.
            if good[ra].count >= good[rb].count:
                parent[rb] = ra
                members[ra] |= members.pop(rb)
            else:
                parent[ra] = rb
                members[rb] |= members.pop(ra)

    by_words: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for k, f in good.items():
        by_words[f.words].append(k)
    surname_titles: dict[str, set[str]] = defaultdict(set)
    for f in good.values():
        if f.title:
            surname_titles[f.words[-1]].add(f.title)
    first_names: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for f in good.values():
        if len(f.words) >= 2:
            first_names[f.words[0]].add(f.words[1:])
    # Full names carried under a title of rank ("Lady Catherine de Bourgh", "Sir John Middleton").
    ranked_full = {f.words for f in good.values() if f.title and f.title.rstrip(".") not in CIVIL_TITLES and len(f.words) >= 2}
    plain_full = {f.words for f in good.values() if len(f.words) >= 2 and (not f.title or f.title.rstrip(".") in CIVIL_TITLES)}

    for k, f in good.items():
        bare = by_words.get(f.words, [])
        if f.title:
            # "Mr. Darcy" and "Darcy": the same person only when no other title shares the name.
            titled_same = sorted((x for x in bare if good[x].title), key=lambda x: -good[x].count)
            plain = [x for x in bare if not good[x].title]
            # One titled form, or one that dominates the others ("Mr. Darcy" over "Miss Darcy").
            if plain and titled_same and titled_same[0] == k and (
                len(titled_same) == 1 or good[titled_same[0]].count >= 3 * good[titled_same[1]].count
            ) and _title_owns_bare(f, good[plain[0]], first_names, ranked_full):
                union(k, plain[0])
            if len(f.words) >= 2:
                # "Lady Catherine de Bourgh" -> "Lady Catherine"; "Mr. Frank Churchill" -> "Frank Churchill".
                for j in range(1, len(f.words)):
                    sub = f.words[:j]
                    for x in by_words.get(tuple(sub), []):
                        if good[x].title == f.title:
                            union(k, x)
                if sum(1 for x in bare if good[x].title) == 1:
                    for x in bare:
                        if not good[x].title:
                            union(k, x)
        elif len(f.words) >= 2:
            # "Elizabeth Bennet" -> "Elizabeth" when that given name belongs to one full name only.
            first = f.words[0]
            # (A full name held only under a title of rank -- "Sir John Middleton" -- does not count:
            # the narration never calls him plain "John".)
            if len(first_names[first]) == 1 or sum(1 for rest in first_names[first] if (first, *rest) in plain_full) == 1:
                for x in by_words.get((first,), []):
                    if not good[x].title:
                        union(k, x)
            # "Mary Ann Reed" -> "Mary Ann": two given names, when they begin no other full name.
            if len(f.words) == 3 and sum(1 for w in plain_full if len(w) == 3 and w[:2] == f.words[:2]) == 1:
                for x in by_words.get(f.words[:2], []):
                    if not good[x].title:
                        union(k, x)
            # "Robert Cohn" -> "Cohn" when the surname has no titled form nor another given name.
            last = f.words[-1]
            if not surname_titles.get(last) and sum(1 for g in good.values() if len(g.words) >= 2 and g.words[-1] == last and not g.title) == 1:
                for x in by_words.get((last,), []):
                    union(k, x)
            # "Mr. Bingley" + "Charles Bingley" when exactly one titled form has that surname.
            titled = [x for x in good if good[x].title and good[x].words == (last,)]
            if len(titled) == 1 and sum(1 for g in good.values() if len(g.words) >= 2 and g.words[-1] == last and not g.title) == 1 \
                    and not _younger_sister(forms, f.words[0], last, good[titled[0]].title or "") \
                    and not (title_key(good[titled[0]].title or "") == "Mr" and _married_son(forms, f.words[0], last, couples)):
                union(k, titled[0])

    # A wife named after her husband ("Mrs. Ned Harrow") says the household's bare "Ned" is Ned Harrow,
    # though the story has another Ned ("Ned Tandy") -- the one it takes care to name in full.
    wives: dict[str, set[str]] = defaultdict(set)
    for f in forms.values():
        if f.title and title_key(f.title) == "Mrs" and len(f.words) == 2 and f.words[0] not in TITLES:
            wives[f.words[0]].add(f.words[1])
    for given, surnames in wives.items():
        if len(surnames) != 1:
            continue  # two women named after a Hal: no one household owns the name
        full = [x for x in by_words.get((given, next(iter(surnames))), []) if not good[x].title]
        bare = [x for x in by_words.get((given,), []) if not good[x].title]
        if full and bare and gender_of(find(bare[0])) != "female":
            union(bare[0], full[0])

    # Nicknames: a short form that is a prefix of exactly one single-word name ("Twi" -> "Twilight").
    # Not when the short form is a role of its own ("the Cat" is not "the Caterpillar").
    # A nickname shortens a given name, never a surname: "Kit" is not "Mr. Kitson" nor "Amos Kitson".
    # (The evidence that a word is a surname: it ends a full name or follows "Mr."/"Mrs.", and never
    # begins a full name.)
    # (Every form the text writes counts as evidence, even one named once: "Amos Kitson".)
    firsts = {f.words[0] for f in forms.values() if len(f.words) >= 2 and not f.title and not f.role}
    family_names = {f.words[-1] for f in forms.values() if not f.role and
                    ((len(f.words) >= 2 and not (f.title and len(f.words) == 1))
                     or (f.title and civil_title(f.title) in ("Mr", "Mrs") and len(f.words) == 1))} - firsts
    role_words = {f.words for f in roles.values()}
    singles = [k for k, f in good.items() if len(f.words) == 1 and not f.title]
    for k in singles:
        w = good[k].words[0]
        if len(w) < 6 and good[k].words not in role_words and w not in family_names:
            longer = [x for x in singles if x != k and good[x].words[0].startswith(w) and len(good[x].words[0]) >= len(w) + 2
                      and good[x].words[0] not in family_names]
            if len(longer) == 1:
                union(k, longer[0])

    _join_pet_names(good, singles, role_words, find, union, gender_of, members)

    def leaning(root: str) -> str:
        """gender_of with a lighter hand on pronouns: a family's members are told apart by their
        gender alone, and two "she" against none is enough to call a daughter a daughter."""
        g = gender_of(root)
        if g != "unknown":
            return g
        _, _, he, she, _, _ = votes[root]
        return "male" if he >= 2 * she and he else "female" if she >= 2 * he and she else "unknown"

    _join_family_forms(forms, good, find, union, leaning, members)
    _join_titled_surnames(good, find, union, leaning, members,
                          lambda given, surname: _married_son(forms, given, surname, couples))

    # A title on its own ('"Yes," said Mademoiselle') is the one character who carries that title;
    # with several candidates it names nobody in particular.
    by_title: dict[str, set[str]] = defaultdict(set)
    for k, f in good.items():
        if f.title:
            by_title[title_key(f.title)].add(find(k))
    for k, f in list(good.items()):
        if len(f.words) == 1 and not f.title and f.words[0].rstrip(".") in BARE_TITLES:
            owners = by_title.get(title_key(f.words[0]), set())
            if len(owners) == 1:
                parent[k] = next(iter(owners))
            elif f.words[0] not in TAG_ONLY_WORDS or owners:
                del good[k]

    groups: dict[str, list[NameForm]] = defaultdict(list)
    for k, f in good.items():
        groups[find(k)].append(f)
    for k, f in roles.items():
        # "the Mouse" and the bare "Mouse" (found inside it) are one character.
        bare = [x for x in by_words.get(f.words, []) if not good[x].title]
        owners = by_title.get(title_key(f.words[0]), set()) if len(f.words) == 1 and f.words[0] in TITLES else set()
        if len(owners) == 1:
            # "the Colonel" is the one Colonel Brandon, "the Doctor" the one Dr. Bull; the role is only
            # an alias then, never the name.
            f.weak = True
            groups[find(next(iter(owners)))].append(f)
            continue
        if not bare and len(f.words) == 2 and f.words[0] in TITLES:
            # "the Countess Olenska" is the one Olenska of her sex the story gives a title ("Madame
            # Olenska"): a woman is called by her rank and by her courtesy title in turn.
            g = gender_of_title(f.words[0])
            same = {find(x) for x, h in good.items() if h.title and h.words[-1] == f.words[1]
                    and g != "unknown" and gender_of_title(h.title) == g}
            if len(same) == 1:
                f.weak = True
                groups[next(iter(same))].append(f)
                continue
        groups[find(bare[0]) if bare else k].append(f)

    surnames = {f.words[-1] for f in good.values() if len(f.words) >= 2 or f.title}
    chars: list[Character] = []
    for members in groups.values():
        # The canonical name is the form a cast list most likely uses: a title and one name ("Mr.
        # Darcy", "Miss Bates"), else a full name ("Harriet Smith", even if used only a few times),
        # else the single name, else a titled full name. (Measured on the PDNC development novels:
        # these forms are a listed alias of the character 92 %, 89 %, 81 % and 49 % of the time.)
        # (A full name under a title counts too: "Miss Lydia Bennet" shows "Lydia" is a given name, in a
        # novel whose names no list of English names holds.)
        given = frozenset(w for f in members if not f.role and len(f.words) >= 2 for w in f.words[:1]) | \
            frozenset(w for f in members for w in f.words[:1] if w in MALE_NAMES or w in FEMALE_NAMES)
        # A given name also written "Miss Lydia" / "Mr. Edward" is what everyone calls the character:
        # the bare "Lydia" goes before a full name nobody uses in dialogue.
        called = {f.words[0] for f in members if f.title and len(f.words) == 1 and f.title.rstrip(".") in CIVIL_TITLES
                  and f.words[0] in given}
        # A full name written once still names a character better than the bare given name ("Harvey
        # Stone" over "Harvey"), when that given name is the character's.
        singles = {f.words[0] for f in members if len(f.words) == 1 and not f.title and not f.role}
        # Two given names ("Mary Ann") before a surname ("Mary Ann Reed") are the given name, as "Mary" is
        # before "Mary Reed": the full name goes first, as for a one-word given name.
        plain = {f.words for f in members if not f.title and not f.role}
        given_pairs = {f.words[:-1] for f in members if len(f.words) == 3 and f.words[:-1] in plain}

        def rank(f: NameForm, called: set[str] = called, given_pairs: set[tuple[str, ...]] = given_pairs,
                 given: frozenset[str] = given) -> float:
            if not f.title and not f.role and f.words == (f.words[0],) and f.words[0] in called:
                return 0.5
            if not f.title and not f.role and f.words in given_pairs:
                return 2
            return _FORM_RANK(f, given)

        members.sort(key=lambda f: (rank(f)
                                    if (f.count >= 2 or (len(f.words) == 2 and not f.title and not f.role and f.words[0] in singles)
                                        or (len(f.words) == 3 and f.words[:-1] in given_pairs))
                                    and not f.alias_only else 9, -f.count, -len(f.words)))
        # A name mostly written after "the" is a role: "the Mock Turtle", not "Mock Turtle".
        role = [f for f in members if f.role and not f.weak]
        if role and not (any(f.title for f in members) and role[0].words[0] in TITLES):
            bare = [f for f in members if not f.role and f.words == role[0].words]
            if not bare or role[0].count >= 0.5 * bare[0].count:
                members.remove(role[0])
                members.insert(0, role[0])
        name = members[0].text
        total = sum(f.count for f in members)
        he = sum(f.he for f in members)
        she = sum(f.she for f in members)
        he_self = sum(f.he_self for f in members)
        she_self = sum(f.she_self for f in members)
        titled = Counter(gender_of_title(f.title) for f in members if f.title)
        titled.pop("unknown", None)
        # A given name of settled gender ("Cecil", "Ellen") decides unless the pronouns clearly disagree.
        named = Counter("male" if w in MALE_NAMES else "female" for f in members if not f.title and not f.role
                        for w in f.words[:1] if w in MALE_NAMES or w in FEMALE_NAMES)
        if not titled and not named:
            # A role's own noun tells it: "the King", "the Countess", "the old woman".
            titled = Counter(next((gender_of_title(w) for w in f.words if w in TITLES), noun_gender(f.words[-1].lower()))
                             for f in members if f.role)
            titled.pop("unknown", None)
        pronouns = ("male" if he > she else "female") if he + she >= 1 and max(he, she) >= 2 * min(he, she) else None
        ranked_only = all(f.title in RANK_TITLES for f in members if f.title)
        if titled and not (ranked_only and pronouns):
            gender = titled.most_common(1)[0][0]
        elif titled:
            # "Captain Sella ... she": a rank is held by women too; the pronouns decide.
            gender = pronouns  # type: ignore[assignment]
        elif named and not (he + she >= 4 and max(he, she) >= 3 * min(he, she)
                            and ("male" if he > she else "female") != named.most_common(1)[0][0]) and not (
                he_self + she_self >= 3 and max(he_self, she_self) >= 3 * min(he_self, she_self)
                and ("male" if he_self > she_self else "female") != named.most_common(1)[0][0]):
            # (The text overrules the list: a French "Jean" who "seats himself" is a man.)
            gender = named.most_common(1)[0][0]
        elif (he_self + she_self >= 2 and max(he_self, she_self) >= 2 * min(he_self, she_self)
              and not (he + she >= 4 and max(he, she) >= 3 * min(he, she) and (he > she) != (he_self > she_self))):
            # Reflexives decide where the first pronoun after the name does not: a man written beside
            # one woman in every scene ("Robert ... she") still "seats himself".
            gender = "male" if he_self > she_self else "female"
        elif he + she >= 1 and max(he, she) >= 2 * min(he, she):
            gender = "male" if he > she else "female"
        elif len(members[0].words) == 1 and not members[0].title and members[0].words[0] in surnames:
            # A bare surname ("Bingley", "Barnes") is how these narrators refer to men.
            gender = "male"
        else:
            gender = "unknown"
        aliases = tuple(f.text for f in members[1:])
        chars.append(Character(name=name, aliases=aliases, gender=gender, mentions=total))  # type: ignore[arg-type]
    chars.sort(key=lambda c: -c.mentions)
    return chars


# Titles a woman takes by marriage ("Mrs. Pontellier", "Madame Olenska", "the Countess Olenska"); "Miss"
# and "Mademoiselle" say she is unmarried, so a woman is never both.
_MARRIED_TITLES = frozenset(["Mrs", "Madame", "Mme", "Signora", "Frau", "Senora", "Countess", "Duchess", "Marchioness",
                             "Baroness", "Lady"])
# In the order "Miss X" forms are matched to a daughter.
_UNMARRIED_ORDER = ("Miss", "Mademoiselle", "Mlle", "Signorina", "Fraulein", "Senorita")
_UNMARRIED_TITLES = frozenset(_UNMARRIED_ORDER)
_FOREIGN_MARRIED_TITLES = frozenset(["Madame", "Mme", "Countess", "Duchess", "Marchioness", "Baroness"])


def _join_pet_names(good: dict[str, NameForm], singles: list[str], role_words: set[tuple[str, ...]],
                    find, union, gender_of, members: dict[str, set[str]]) -> None:
    """Join a pet name ("Lizzy", "Bob") to the one character whose given name it stands for.

    The prefix rule cannot see these: "Lizzy" does not begin "Elizabeth". Conservative on purpose: the
    full name must belong to one character of the pet name's gender (two Elizabeths leave "Lizzy"
    alone), and union() keeps its vetoes (a "he" never joins a "she"; two forms named side by side in
    one sentence are two people).
    """
    for k in singles:
        if k not in good or good[k].words in role_words:
            continue
        entry = HYPOCORISMS.get(good[k].words[0])
        if entry is None:
            continue
        sex, fulls = entry
        root = find(k)
        # Mentions of the full given name per cluster, leaving out clusters of the other gender
        # ("Lady Henry" is his wife, not one more Henry).
        weight: Counter[str] = Counter()
        for x, f in good.items():
            r = find(x)
            if f.words[0] in fulls and not f.role and r != root and gender_of(r) in (sex, "unknown"):
                weight[r] += f.count
        if not weight:
            continue
        target, top = weight.most_common(1)[0]
        # One cluster holds the name; a stray "Sir Henry Ashton" named once or twice beside the
        # Lord Henry of a whole novel does not make the name ambiguous.
        if sum(weight.values()) - top > max(2, 0.05 * top):
            continue
        own = [x for x in members[target] if good[x].words[0] in fulls and not good[x].role]
        # The full name must be used as a given name, bare or after "Miss"/"Master" ("Elizabeth", "Miss
        # Elizabeth"), not only inside "Mr. Henry Dashwood" (the father; "Harry" is his grandson).
        if not any(not good[x].title or civil_title(good[x].title) == "Miss"
                   or good[x].title.rstrip(".") == "Master" for x in own):
            continue
        # The narrator calls a lord or a lady by rank ("Lord Henry", "Lady Catherine"); a pet name the
        # narration itself uses for someone is that person's own name ("Kitty" Bennet), and only a pet
        # name heard in speech ("Harry", said to Lord Henry by his friends) is the lord's.
        if any(good[x].title and good[x].title.rstrip(".") not in CIVIL_TITLES for x in own) \
                and good[k].narrated * 4 > good[k].count:
            continue
        # "Jack Hale" is not "John Carter" under a pet name: two surnames that differ keep them apart.
        pet_surnames = {good[x].words[-1] for x in members[root] if len(good[x].words) >= 2}
        full_surnames = {good[x].words[-1] for x in members[target] if len(good[x].words) >= 2}
        if pet_surnames and full_surnames and not pet_surnames & full_surnames:
            continue
        union(root, target)


def _join_titled_surnames(good: dict[str, NameForm], find, union, gender_of, members: dict[str, set[str]],
                          married_son=lambda given, surname: False) -> None:
    """Join "Mr. Denham" to the one man of the family the story names in full ("Ralph Denham").

    The surname rule in cluster_forms stops when several full names share the surname (Ralph's sisters
    are Denhams too); a reader still knows "Mr. Denham" is the one Denham man. union() keeps its
    vetoes: a father and son named side by side ("Mr. Emerson and George") stay two people.
    Only "Mr.": the same join for "Mrs." ("Mrs. Pontellier" to "Edna Pontellier" in a family without a
    "Miss") was measured and lost on the development novels (82.5 % -> 82.4 %, Emma and Dorian Gray
    falling), so it is not made.
    """
    for k, f in list(good.items()):
        if not f.title or len(f.words) != 1 or civil_title(f.title) != "Mr":
            continue
        surname, g = f.words[0], gender_of_title(f.title)
        if any(len(good[m].words) >= 2 and good[m].words[-1] == surname for m in members.get(find(k), ())):
            continue  # already one with a full name
        roots = {find(x) for x, h in good.items()
                 if len(h.words) == 2 and h.words[1] == surname and h.words[0] not in TITLES and not h.role
                 and (not h.title or title_key(h.title) == title_key(f.title))
                 and not married_son(h.words[0], surname)}
        roots.discard(find(k))
        same = {r for r in roots if gender_of(r) == g}
        unknown = {r for r in roots if gender_of(r) == "unknown"}
        if len(same) == 1 and not unknown:
            union(k, next(iter(same)))
            if find(k) == find(next(iter(same))) and any(
                    not good[m].title and len(good[m].words) >= 2 for m in members.get(find(k), ())):
                # The full name stays the name a cast list shows ("Ralph Denham", not "Mr. Denham"); with
                # only a titled full name ("Mr. Thomas Marvel") the short "Mr. Marvel" still is.
                f.alias_only = True


def _join_family_forms(forms: dict[str, NameForm], good: dict[str, NameForm], find, union, gender_of,
                       members: dict[str, set[str]]) -> None:
    """Join the forms a family's members go by, the way the etiquette of the novel assigns them.

    A surname alone does not say which member of a family is meant; the text's full names do. Every
    full name "Given Surname" written anywhere (even once: "Lucy Honeychurch") makes Given a member
    of the Surname family. Then:
      * "Miss X" is the eldest unmarried daughter: the one woman of the family with a given name who
        is never "Mrs." -- when several qualify, the younger ones are the sisters also called "Miss
        Given" ("Miss Lydia") as a habit of the book, and the eldest is the one who is not; and of
        two sisters left, the one the book writes "Miss Given X" in full is the younger;
      * a foreign married title ("Madame X", "the Countess X") is the one woman of the family with a
        given name when the family has no "Miss X". ("Mrs. X" is not: an English family's "Mrs." is as
        often the mother of the one daughter the story names in full as the wife.)
      * a bare surname the narration uses for a man ("Archer ... he") is the one man of the family
        with a given name ("Newland Archer").
    The union keeps its own vetoes: a "he" never joins a "she", and two forms named side by side in
    the narration again and again are two people.
    """
    def title_of(k: str) -> str:
        return title_key(good[k].title or "")

    # Given names written with more than one surname ("Charles Musgrove", "Charles Smith") say
    # nothing about which family the bare given name belongs to.
    # (Unless one of them is written far more often: "Ellen Olenska" over her maiden "Ellen Mingott".)
    surnames_of: dict[str, Counter[str]] = defaultdict(Counter)
    givens_of: dict[str, set[str]] = defaultdict(set)
    for f in forms.values():
        if len(f.words) == 2 and f.words[0] not in TITLES:
            surnames_of[f.words[0]][f.words[1]] += f.count
            givens_of[f.words[1]].add(f.words[0])
    # Surnames some family bears: written after "Mr."/"Mrs."/"Miss", or after two given names.
    borne = {f.words[0] for f in forms.values() if f.title and len(f.words) == 1} | {
        s for s, gs in givens_of.items() if len(gs) >= 2}

    def owns_given(g: str, surname: str) -> bool:
        # A second "surname" written once that no family bears ("Tessa Hollow": a place the name
        # parser ran into) is no second Tessa.
        n = surnames_of[g]
        other = sum(c for s, c in n.items() if s != surname and (c >= 2 or s in borne))
        return n[surname] >= 3 * other

    def family(surname: str) -> dict[str, tuple[set[str], str]]:
        """Given name -> (cluster roots of that member, the member's gender)."""
        out: dict[str, tuple[set[str], str]] = {}
        for f in forms.values():
            if not (len(f.words) == 2 and f.words[1] == surname and f.words[0] not in TITLES
                    and (not f.title or title_key(f.title) in _UNMARRIED_TITLES | {"Master"}
                         or civil_title(f.title) == "Mr")):
                continue
            g = f.words[0]
            shapes = ((g,), (g, surname)) if owns_given(g, surname) else ((g, surname),)
            roots = {find(x) for x, h in good.items() if not h.title and not h.role and h.words in shapes}
            genders = {gender_of(r) for r in roots}
            if len(genders) == 1:
                gender = next(iter(genders))
            elif f.title:
                gender = gender_of_title(f.title)  # "Mr. Orvan Schell" is no daughter
            else:
                gender = "male" if g in MALE_NAMES else "female" if g in FEMALE_NAMES else "unknown"
            # (A member named once, with no cluster and no known gender, may still be a daughter.)
            out[g] = (roots, gender)
        return out

    def married(roots: set[str]) -> bool:
        return any(title_of(m) in _MARRIED_TITLES for r in roots for m in members.get(r, ()) if good[m].title)

    def miss_given(g: str) -> bool:
        """Whether the book calls this member "Miss Given" ("Miss Lydia"): a younger sister's mark."""
        return sum(h.count for h in good.values()
                   if h.title and title_key(h.title) in _UNMARRIED_TITLES and h.words == (g,)) >= 2

    def miss_full(g: str, surname: str) -> bool:
        """Whether the book writes "Miss Given Surname" ("Miss Nell Schell"), even once."""
        return any(f.title and title_key(f.title) in _UNMARRIED_TITLES and f.words == (g, surname)
                   for f in forms.values())

    def people(members_: dict[str, set[str]]) -> dict[object, set[str]]:
        """Members that are one person ("Elizabeth" and "Eliza" in one cluster) counted once."""
        out: dict[object, set[str]] = {}
        for g, roots in members_.items():
            out[frozenset(roots) if roots else g] = roots
        return out

    for surname in sorted({f.words[0] for f in good.values() if len(f.words) == 1}):
        fam = family(surname)
        if not fam:
            continue
        titled = {title_of(k): k for k, f in good.items() if f.title and f.words == (surname,)}
        women = {g: roots for g, (roots, gender) in fam.items()
                 if (gender == "female" or (gender == "unknown" and not roots)) and not married(roots)}
        misses = [titled[t] for t in _UNMARRIED_ORDER if t in titled]
        for miss in misses:
            if any(find(miss) in roots for roots in women.values()):
                continue  # already one of the daughters (by her full name): her sister is not "Miss X" too
            cands = dict(women)
            marked = {r for g, roots in cands.items() if miss_given(g) for r in roots}
            cands = {g: roots for g, roots in cands.items() if not miss_given(g) and not (roots & marked)}
            if len(people(cands)) > 1:
                # Two daughters the story knows by name, one of them written "Miss Nell Schell": she is the
                # younger, named in full where the eldest is plain "Miss Schell". (Only sisters the story
                # speaks of: a "Miss Agathe Schell" named once may be the old aunt who is "Miss Schell". And
                # an only daughter is "Miss Tessa Schell" and "Miss Schell" alike.)
                full = {r for g, roots in cands.items() if roots and miss_full(g, surname) for r in roots}
                cands = {g: roots for g, roots in cands.items() if not (roots and roots & full)}
            cands = people(cands)
            if len(cands) == 1:
                for r in next(iter(cands.values())):
                    union(miss, r)
                if any(find(miss) == find(r) for r in next(iter(cands.values()))):
                    good[miss].alias_only = True
        if not misses:
            ladies = people({g: roots for g, (roots, gender) in fam.items() if gender == "female"})
            if len(ladies) == 1 and all(gender != "unknown" for _, gender in fam.values()):
                for t, k in titled.items():
                    if t in _FOREIGN_MARRIED_TITLES:
                        for r in next(iter(ladies.values())):
                            union(k, r)
        bare = next((k for k, f in good.items() if not f.title and not f.role and f.words == (surname,)), None)
        if bare is not None and gender_of(find(bare)) == "male" and not any(
                good[m].title or len(good[m].words) > 1 for m in members.get(find(bare), ())):
            men = {g: roots for g, (roots, gender) in fam.items() if gender == "male" and g not in FEMALE_NAMES}
            men = people(men)
            if len(men) == 1:
                for r in next(iter(men.values())):
                    union(bare, r)
