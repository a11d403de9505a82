"""resolver: which character of a cast a name, title, epithet or pronoun form denotes.

CastIndex answers, for one cast of characters (find_characters' list), the questions every later reading of
the text asks: which character a form in the text stands for ("Mrs.\nHoneychurch", "the Captain", "the
croupier"), what kind of form it is (a name, a pronoun, an epithet that only points at someone) and whose
gender it carries (lookup, holder, epithet_kind); with the regular expressions that find those forms in the
narration and in speech tags (name_re, epithet_re, and the tag shapes inverted, normal, before).

It also holds what the book's preparation learns about that cast and the answers the tag grammar and the
scorer would otherwise ask again (stated, first_seen, voices, speech_words, recent: filled by
narrator/paragraphs.py; subjects, units, ages: caches of speech_tags, speaker_features and kinship).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from narrator.lexicon import CREATURES, OCCUPATIONS, noun_gender
from narrator.models import Character
from narrator.speech_tags import TAG_ADVERB, TAG_LEAD, TAG_VERB_ALT, TITLE_ABBR, single_spaced

_PRON = r"he|she|I|they|we|He|She|They|We"


# Heads of a lower-case name that is all a character is called: their work or their kind.
_KNOWN_BY_KIND = OCCUPATIONS | CREATURES


class CastIndex:
    """Which character of one cast a name, alias, title, epithet or pronoun of the text denotes (lookup), and
    the patterns that find those forms; built once per book by paragraphs.prepare."""

    def __init__(self, characters: Sequence[Character]) -> None:
        self.chars = list(characters)
        self.gender = {c.name: c.gender for c in characters}
        total = sum(max(c.mentions, 1) for c in characters) or 1
        self.salience = {c.name: math.log(max(c.mentions, 1) / total) for c in characters}
        self.narrator: str | None = None
        # The unseen speaker of "a voice rang out" (find_characters gives it the alias "a voice").
        self.voice = next((c.name for c in characters if "a voice" in c.aliases), None)
        # ...when it is only that: a stand-in the story never names, not a character the book calls "the Voice".
        self.stand_in_voice = next((c.name for c in characters if "a voice" in c.aliases and c.mentions == 0), None)
        forms: dict[str, str] = {}
        epithets: dict[str, str] = {}
        holders: dict[str, list[str]] = {}
        for c in reversed(self.chars):  # earlier (more salient) characters win shared forms
            for form in (c.name, *c.aliases):
                if not form:
                    continue
                if form == "I":
                    self.narrator = c.name
                elif form[0].islower() or form.lower().startswith(("the ", "a ")):
                    epithets[form_key(form)] = c.name
                    holders.setdefault(form_key(form), []).append(c.name)
                else:
                    forms[single_spaced(form)] = c.name
        # An epithet the story gives several characters ("Rarity, the unicorn" and "Twilight, the unicorn"):
        # a tag using it means the one of them the story named last (`recent`, kept up by paragraphs._chains as it
        # goes through the paragraphs), as a reader takes "the unicorn said" for the unicorn in the scene.
        self.shared = {e: tuple(dict.fromkeys(h)) for e, h in holders.items() if len(set(h)) > 1}
        self.recent: dict[str, tuple[int, int]] = {}
        # "the Captain", "the Doctor", "the Princess": a capitalised role is what the others call its holder
        # to their face ("Yes, Captain"), so the bare title is one of its forms, unless another character's
        # name uses the word ("Captain Wentworth") and it could be either.
        taken = {w for f in forms for w in f.split()}
        self.role_words: set[str] = set()
        for c in reversed(self.chars):
            for form in (c.name, *c.aliases):
                m = re.fullmatch(r"[Tt]he ([A-Z][a-z]+)", form or "")
                if m and m.group(1) not in taken:
                    forms[m.group(1)] = c.name
                    self.role_words.add(m.group(1))
        self.forms = forms
        self.epithets = epithets
        # Epithets the narration itself sets beside their holder's name ("Vasel, the locksmith, looked up"):
        # filled by paragraphs.prepare (_stated_epithets), read by epithet_kind.
        self.stated: frozenset[str] = frozenset()
        # The paragraph each character is first named in, narration or speech (filled by paragraphs.prepare).
        self.first_seen: dict[str, int] = {}
        # Per name-tagged speaker, how their words differ from the book's speech (paragraphs._voices, speaker_features._idiolect).
        self.voices: dict[str, tuple[dict[str, float], float]] = {}
        self.speech_words: dict[int, Counter[str]] = {}  # a speech paragraph's words, by its first quote's start
        # People the story knows only by their work ("the croupier", "the parlourmaid"): that is
        # their name, and "said the croupier" names the croupier as surely as "said Emma" names
        # Emma. So does a creature the story never names ("said the unicorn": find_characters only makes it
        # a character of its own when no name goes with it). A descriptive epithet ("the lad", "the
        # painter") may still be a named character seen from another side, and stays a guess the scorer
        # weighs (taking every lower-case character as a name cost dev 83.4 -> 83.0).
        self.role_only = {c.name for c in characters
                          if "I" not in c.aliases and "a voice" not in c.aliases
                          and all(f[:1].islower() and not any(w[:1].isupper() for w in f.split()[1:])
                                  and f.split()[-1] in _KNOWN_BY_KIND for f in (c.name, *c.aliases) if f)}
        # Family names: the last word of every name form of two words or more ("Mrs. Bennet").
        self.family: dict[str, set[str]] = {}
        for c in self.chars:
            self.family[c.name] = {f.split()[-1] for f in (c.name, *c.aliases)
                                   if f and len(f.split()) > 1 and f.split()[-1][:1].isupper()}
        # speech_tags.subjects_of's answers by text: the same narration is asked about from several paragraphs.
        self.subjects: dict[str, list[tuple[str | None, str, str]]] = {}
        # speaker_features._sentence_units' answers by segment start, for the same reason.
        self.units: dict[int, list[tuple[str, ...]]] = {}
        # kinship._age_of's answers: every age-tagged line asks about each candidate of its pool.
        self.ages: dict[str, str] = {}
        # Novels are hard-wrapped: "Mrs.\nHoneychurch" is the form "Mrs. Honeychurch".
        alts = sorted((_flex(f) for f in forms), key=len, reverse=True)
        # The look-ahead for the forms' first letters changes no match: at the many places where none of
        # them starts, the scan moves on without trying every form in turn (half the time on a novel).
        # (An empty form, which would match anywhere, gets none.)
        firsts = "(?=[" + "".join(sorted({re.escape(f[0]) for f in forms})) + "])" if all(forms) else ""
        self.name_re = re.compile(r"(?<![A-Za-z])" + firsts + r"(?:" + "|".join(alts) + r")(?![A-Za-z])") if alts else None
        ep_alts = sorted((_flex(e) for e in epithets), key=len, reverse=True)
        self.epithet_re = (
            re.compile(r"(?<![A-Za-z])(?:" + "|".join(ep_alts) + r")(?![A-Za-z])", re.IGNORECASE) if ep_alts else None
        )
        subj = r"(?P<subj>" + TITLE_ABBR + r"[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,3}|" + _PRON + \
            r"|(?:the|The)\s+[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,2}" + \
            r"|(?:the|his|her|their|my|our|a|an|another)\s+(?:[a-z\-]+\s+){0,2}?[a-z\-]+)"
        # "said Emma" / "said the old man" right after the quote.
        self.inverted = re.compile(TAG_LEAD + r"(?:" + TAG_ADVERB + r")(?P<verb>" + TAG_VERB_ALT + r")\s+" + TAG_ADVERB + subj + r"(?=[\s,.;:!?\-\u2014]|$)")
        # "Emma said" / "she replied" right after the quote.
        self.normal = re.compile(TAG_LEAD + subj + r"[\s,]+" + TAG_ADVERB + r"(?P<verb>" + TAG_VERB_ALT + r")\b")
        # "Emma said:" / "Emma turned to him and said," just before the quote.
        self.before = re.compile(subj + r"\b[^.!?\"]{0,80}?\b(?P<verb>" + TAG_VERB_ALT + r")\b[^.!?\"]{0,60}[,:\u2014\-]?\s*$")

    def holder(self, epithet: str) -> str:
        """The character a known epithet stands for; for one several share, the one named last."""
        n = form_key(epithet)
        if n in self.shared:
            return max(self.shared[n], key=lambda h: self.recent.get(h, (-1, -1)))
        return self.epithets[n]

    def epithet_kind(self, form: str, name: str) -> str:
        """"name" for a capitalised role ("the Mock Turtle") or a role that is all a character is
        called ("the croupier"); "epithet" for a descriptive phrase that only points at someone."""
        if any(w[:1].isupper() for w in form.split()[1:]) or name in self.role_only or form_key(form) in self.stated:
            return "name"
        return "epithet"

    def lookup(self, phrase: str) -> tuple[str | None, str, str]:
        """(character, kind, gender) for a tag subject: kind is name / pronoun / epithet / none."""
        p = single_spaced(phrase).rstrip("-")  # 'said the griffin--"you--"': the dash breaks off the tag
        if not p:
            return None, "none", "unknown"
        low = p.lower()
        if low in ("he", "she"):
            return None, "pronoun", "male" if low == "he" else "female"
        if p == "I":
            return self.narrator, "name" if self.narrator else "none", "unknown"
        if low in ("they", "we"):
            return None, "none", "unknown"
        if p in self.forms:
            return self.forms[p], "name", self.gender.get(self.forms[p], "unknown")
        if self.name_re is not None:
            m = self.name_re.search(p)
            if m and m.start() == 0:
                name = self.forms[single_spaced(m.group(0))]
                return name, "name", self.gender.get(name, "unknown")
        n = form_key(p)
        if n in self.epithets:
            name = self.holder(n)
            # A capitalised role ("the Mock Turtle") names its character as surely as a name does.
            kind = self.epithet_kind(p, name)
            return name, kind, self.gender.get(name, "unknown")
        if re.match(r"(?:a|an|another)\s+(?:[a-z]+\s+){0,2}voice$", n) and self.voice is not None:
            return self.voice, "name", "unknown"
        if p[0].isupper() and not low.startswith(("the ", "his ", "her ", "their ", "my ", "our ", "a ", "an ")):
            return None, "none", "unknown"  # a capitalised word we do not know (not a character)
        return None, "epithet", noun_gender(n.split()[-1] if n.split() else "")


def form_key(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def _flex(form: str) -> str:
    """A regex for `form` that lets a line break stand wherever the form has a space."""
    return r"\s+".join(re.escape(w) for w in form.split())
