"""Text for speech: what the engine is given, never what the story stores.

eSpeak NG reads "Chapter IV" as "chapter roman four", "$3.50" as "dollar three point five zero",
"Spi–i-ike" as "spy eye-ike" and a URL letter by letter (research brief, section 6.4). `to_speech`
rewrites such text into words a voice says naturally; `split_for_engine` cuts long text at
sentence boundaries without losing a word.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from itertools import pairwise
from pathlib import Path

from num2words import num2words

from narrator.errors import CastError
from narrator.lexicon import LOWER, UPPER

# ------------------------------------------------------------------ tables

# Said as letters or known as written; never "shouting" even in capitals.
ACRONYMS = frozenset(
    ["OK", "NASA", "FBI", "CIA", "NSA", "USA", "UK", "US", "EU", "UN", "NATO", "TV", "DNA", "ID", "AI", "PM", "AM", "BC", "AD", "CE", "BCE", "BBC", "CEO", "CFO", "PHD", "DVD", "CD", "MP3", "GPS", "ASAP", "FAQ", "HTML", "URL", "PC", "IQ", "RSVP", "SOS", "VIP", "NYC", "LA", "DC", "HQ", "UFO", "RPG", "ATM", "ER", "ICU", "CPR", "ETA", "MIA", "POW", "RIP", "WWII", "WWI", "LOL", "OMG", "BRB", "IDK", "TBH", "IIRC", "AN", "FYI", "DIY", "KO", "OC", "AU", "OOC", "ATM", "NPC", "MC", "MD", "RN", "DJ", "VR"]
)
_TITLES = {
    "mr": "Mister", "mrs": "Missus", "ms": "Miz", "mx": "Mix", "dr": "Doctor", "prof": "Professor",
    "capt": "Captain", "cpt": "Captain", "lt": "Lieutenant", "sgt": "Sergeant", "gen": "General",
    "col": "Colonel", "maj": "Major", "cmdr": "Commander", "rev": "Reverend", "fr": "Father",
    "gov": "Governor", "sen": "Senator", "rep": "Representative",
    "pres": "President", "insp": "Inspector", "det": "Detective", "supt": "Superintendent",
}
_PLAIN_ABBREVIATIONS = {
    "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "vs.": "versus", "approx.": "approximately",
    "a.k.a.": "also known as", "aka": "also known as", "mt.": "Mount", "ave.": "Avenue", "blvd.": "Boulevard",
    "rd.": "Road", "dept.": "Department", "est.": "established", "ft.": "feet", "lbs.": "pounds",
    "min.": "minutes", "jr.": "Junior", "sr.": "Senior", "hrs.": "hours", "oz.": "ounces", "no.": "number",
}
_MONTHS = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
           "Aug": "August", "Sep": "September", "Oct": "October", "Nov": "November", "Dec": "December"}
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
             "€": ("euro", "euros", "cent", "cents"), "¥": ("yen", "yen", "sen", "sen")}
_SYMBOLS = {
    "&": " and ", "@": " at ", "=": " equals ", "+": " plus ", "×": " times ", "÷": " divided by ",
    "§": " section ", "©": " copyright ", "®": " ", "™": " ", "°": " degrees ", "‰": " per mille ",
    "%": " percent ", "№": " number ", "½": " one half ", "¼": " one quarter ", "¾": " three quarters ",
}
_ROMAN_CUES = r"(?:chapter|chap\.|part|book|act|volume|vol\.|scene|canto|section|episode|season|war|phase)"
_YEAR_CUES = (
    r"(?:in|since|by|of|from|to|until|till|before|after|during|around|circa|c\.|year|summer|winter|spring|"
    r"autumn|fall|january|february|march|april|may|june|july|august|september|october|november|december)"
)

# ------------------------------------------------------------------ patterns

# An OSC sequence ("ESC ] ... BEL") is dropped only when it is terminated: an unterminated one would
# otherwise swallow the rest of the line (found by the property test: "a ESC] a:" lost its second "a").
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_BARE_DOMAIN = re.compile(r"\b((?:[\w-]+\.)+(?:com|org|net|edu|gov|io|co|uk|de|fr|info|me|tv|ly|fm))\b(/\S*)?",
                          re.IGNORECASE)
_ELLIPSIS = re.compile(r"\s*(?:\.\s?){2,}\.|\s*…")
_DASH = re.compile(r"\s*(?:—|―|--+|\s–\s|\s-\s)\s*")
_ROMAN = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBER = re.compile(r"(?<![\w.,])(-)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w]|[.,]\d)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _cardinal(n: int | str) -> str:
    return num2words(int(n)).replace(",", "")


def _year(n: int) -> str:
    return num2words(n, to="year").replace(",", "")


def _roman_value(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(s, [*s[1:], ""], strict=True):
        v = values[a]
        total += -v if b and values[b] > v else v
    return total


# ------------------------------------------------------------------ rules


def _clean(text: str) -> str:
    """Drop what an engine would misread or choke on: ANSI escapes, control and format characters, emoji."""
    text = _ANSI.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r":
            out.append(" ")
        elif cat in {"Cc", "Cs", "Co", "Cn"} or ch in "\u2028\u2029":
            out.append(" ")  # NUL would cut eSpeak's input short; others are noise
        elif cat == "Cf" or ch in "\ufe0e\ufe0f" or 0x1F3FB <= ord(ch) <= 0x1F3FF:
            continue  # zero-width joiners, variation selectors, skin tones: invisible, not separators
        elif cat == "So" and ch not in _SYMBOLS:
            out.append(" ")  # emoji and pictographs: eSpeak would say "grinning face"
        elif cat == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _markers(text: str) -> str:
    """Asterisk and underscore emphasis markers go; "2 * 3" stays arithmetic."""
    text = re.sub(r"(?<=\d)\s*\*\s*(?=\d)", " times ", text)
    text = re.sub(r"(?<=[^\W\d_])_+(?=[^\W\d_])", " ", text)  # snake_case_words
    return re.sub(r"[*_]+", " ", text)


def _links(text: str) -> str:
    """Say where a link goes, not every character of it."""

    def url(m: re.Match[str]) -> str:
        host = re.sub(r"^(?:(?:https?|ftp)://)?(?:www\.)?", "", m.group(0), flags=re.IGNORECASE)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0].rstrip(".,;")
        trail = m.group(0)[-1] if m.group(0)[-1] in ".,;)" else ""
        return f" a link to {host.replace('.', ' dot ')} {trail}"

    text = _URL.sub(url, text)
    text = _EMAIL.sub(lambda m: f" {m.group(1).replace('.', ' dot ')} at {m.group(2).replace('.', ' dot ')} ", text)
    return _BARE_DOMAIN.sub(lambda m: " " + m.group(1).replace(".", " dot ") + " ", text)


def _apply_lexicon(text: str, lexicon: Mapping[str, str]) -> str:
    """Whole-word replacements in one pass; a lowercase key matches any case, a capitalised key only itself.

    One pass, so a replacement is never rewritten by another entry; where both "Twi" and "twi" are
    listed, the exact spelling wins.
    """
    keys = sorted((k for k in lexicon if k.strip()), key=len, reverse=True)  # "Mr Twi" before "Twi"
    if not keys:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)", re.IGNORECASE)

    def say(m: re.Match[str]) -> str:
        found = m.group(0)
        if found in lexicon:
            return lexicon[found]
        lower = found.lower()
        return lexicon.get(lower, found)

    return pattern.sub(say, text)


def _stretch(text: str) -> str:
    """Stretched and stuttered words said as the word: "Spi–i-ike" -> "Spike", "S-Spike" -> "Spike"."""

    def join_repeats(m: re.Match[str]) -> str:
        word = m.group(0)
        pieces = re.split(r"[-–]", word)
        if len(pieces[0]) == 1 and len({p.casefold() for p in pieces}) == 1:
            return pieces[0]  # "I-I-I" is one stuttered "I" (joined, "II" would be read as "two")
        # Only a stretch when some piece is the previous piece's last letter again ("i" in Spi-i-ike);
        # "co-op" and "re-enter" keep their hyphen.
        stretched = any(
            p and set(p.lower()) == {prev[-1].lower()} for prev, p in pairwise(pieces) if prev
        )
        return "".join(pieces) if stretched else word

    text = re.sub(r"[^\W\d_]+(?:[-–][^\W\d_]+)+", join_repeats, text)
    # Stutter: a one- or two-letter start repeated by a longer word ("W-w-what", "Th-that").
    # Two-letter starts must be consonants ("Th-that") so "no-nonsense" keeps its "no".
    stutter = re.compile(r"\b([^\W\d_]|[^\W\d_aeiouyAEIOUY]{2})[-–](?=\1[^\W\d_])", re.IGNORECASE)
    while True:
        new = stutter.sub("", text)
        if new == text:
            break
        text = new

    def squeeze(m: re.Match[str]) -> str:
        letter, start, end = m.group(1), m.start(), m.end()
        if letter in "IXCM":
            return m.group(0)  # Roman numerals ("MMM", "XXX") are not stretched words
        s = m.string
        before = s[start - 1] if start else ""
        after = s[end] if end < len(s) else ""
        # "Goooood", "Sweeeet", "Cooool" keep a double vowel between consonants; "Nooooo" -> "No".
        if letter.lower() in "oe" and before.isalpha() and after.isalpha() and after.lower() not in "aeiou":
            return letter * 2
        return letter

    text = re.sub(r"([^\W\d_])\1{2,}", squeeze, text, flags=re.IGNORECASE)
    return _SOUNDS.sub(lambda m: _sound(m.group(0)), text)


# Interjections without a vowel: eSpeak spells them out ("Hm" -> "aitch em", "Shh" -> "ess aitch aitch").
# These spellings are what eSpeak says as the sound instead (checked with `espeak-ng -x`).
_SOUND_WORDS = {"hm": "hmm", "hmm": "hmm", "sh": "shush", "shh": "shush", "grr": "gurr", "gr": "gurr",
                "brr": "burr", "br": "burr", "hmph": "humph", "mph": "humph"}
_SOUNDS = re.compile(r"(?<![\w'’-])(?:hm+|sh+|gr+|br+|h?mph)(?![\w'’-])", re.IGNORECASE)


def _sound(word: str) -> str:
    key = re.sub(r"(.)\1+", r"\1\1", word.lower())  # "hmmmm" -> "hmm", "shhhh" -> "shh"
    say = _SOUND_WORDS.get(key) or _SOUND_WORDS.get(re.sub(r"(.)\1+", r"\1", key), word)
    return say.capitalize() if word[0].isupper() else say


_MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"


def _abbreviations(text: str) -> str:
    """Titles before names ("Dr. Ruiz" -> "Doctor Ruiz"), "St." as Saint or Street, and Latin ones."""

    def title(m: re.Match[str]) -> str:
        return _TITLES[m.group(1).lower()] + " "

    text = re.sub(r"\b((?i:" + "|".join(_TITLES) + rf"))\.\s*(?=[{UPPER}])", title, text)  # "Mr. Émile" too
    # British usage writes the common titles without a full stop ("Mr Pell"); only before a capitalised
    # word, and only these, so "Dr" as a street ("Elm Dr") or a word ("Col") is left alone.
    text = re.sub(rf"\b(Mr|Mrs|Ms|Dr)\s+(?=[{UPPER}][{LOWER}])", title, text)

    def saint_or_street(m: re.Match[str]) -> str:
        before = m.string[: m.start()].rstrip().split(" ")[-1]
        after = m.string[m.end() :]
        # After a name or a number ("Baker St.", "5th St.") it is a street; before a name, a saint. Names may
        # start with an accented capital ("St. Étienne", "Émile St."), as in the title rule above.
        name = rf"[{UPPER}][{LOWER}]+"
        if re.fullmatch(rf"{name}|\d+(?:st|nd|rd|th)?", before) and not re.match(rf"\s*{name}\s+St\b", after):
            ends = not after.strip() or re.match(rf"\s+[{UPPER}\"“]", after)
            return "Street" + ("." if ends else "")
        return "Saint " if re.match(rf"\s*[{UPPER}]", after) else "Street."

    text = re.sub(r"\bSt\.", saint_or_street, text)
    text = re.sub(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.\s*(?=\d)",
                  lambda m: _MONTHS[m.group(1)[:3]] + " ", text)
    for short, say in _PLAIN_ABBREVIATIONS.items():
        flags = re.IGNORECASE if short != "no." else 0
        if short == "no.":
            text = re.sub(r"\b[Nn]o\.\s*(?=\d)", "number ", text)
            continue
        pattern = r"(?<![\w.])" + re.escape(short) + (r"(?!\w)" if short.endswith(".") else r"\b")

        def plain(m: re.Match[str], say: str = say) -> str:
            after = m.string[m.end() : m.end() + 3]
            # Keep the full stop when the abbreviation also ended the sentence.
            ends = m.group(0).endswith(".") and (not after.strip() or re.match(r"\s+[A-Z\"“]", after))
            return say + ("." if ends else "")

        text = re.sub(pattern, plain, text, flags=flags)
    return text


def _roman(text: str) -> str:
    """Roman numerals where they are clearly numbers: headings, "World War II", regnal "Louis XIV"."""
    text = re.sub(
        rf"\b((?=[A-Z])(?i:{_ROMAN_CUES}))(\s+)({_ROMAN})\b",
        lambda m: f"{m.group(1)}{m.group(2)}{_cardinal(_roman_value(m.group(3)))}",
        text,
    )
    skip = {"Chapter", "Part", "Book", "Act", "Volume", "Scene", "Canto", "Section", "Episode", "Season",
            "I", "A", "The", "And", "Or", "But", "So", "Oh", "Ok"}

    def regnal(m: re.Match[str]) -> str:
        name, numeral = m.group(1), m.group(2)
        if name in skip or _roman_value(numeral) > 40:
            return m.group(0)  # "Dear CC" is not a king
        return f"{name} the {num2words(_roman_value(numeral), to='ordinal')}"

    # Two or more numeral letters, or a lone V/X, after a capitalised name: "Henry VIII", "Pius X".
    return re.sub(rf"\b([{UPPER}][{LOWER}]+)\s+((?=[IVXLCDM]{{2,}}\b|[VX]\b){_ROMAN})\b", regnal, text)


def _money(text: str) -> str:
    def say(m: re.Match[str]) -> str:
        one, many, sub_one, sub_many = _CURRENCY[m.group(1)]
        whole = int(m.group(2).replace(",", ""))
        cents = int((m.group(3) or "0").ljust(2, "0")[:2])
        scale = m.group(4)
        if scale:
            word = {"k": "thousand", "m": "million", "bn": "billion"}.get(scale.lower(), scale.lower())
            amount = _cardinal(whole) + (f" point {' '.join(_cardinal(d) for d in m.group(3))}" if m.group(3) else "")
            return f"{amount} {word} {many}"
        if whole == 0 and cents:
            return f"{_cardinal(cents)} {sub_one if cents == 1 else sub_many}"
        words = f"{_cardinal(whole)} {one if whole == 1 else many}"
        return words + (f" {_cardinal(cents)}" if cents else "")

    text = re.sub(
        r"([$£€¥])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?:\s?(million|billion|thousand|k|m|bn)\b)?",
        say,
        text,
        flags=re.IGNORECASE,
    )
    # Old British pence ("a fare of 4d."), which eSpeak NG reads "four dee": one to eleven pence (twelve made a
    # shilling), a lower-case d, closed by punctuation or the end, so "3d model" or "2D" stay as written.
    return re.sub(r"(?<![\w.,])([1-9]|1[01])d(?=[.,;:!?)]|\s*$)",
                  lambda m: f"{_cardinal(m.group(1))} {'penny' if m.group(1) == '1' else 'pence'}", text)


def _times(text: str) -> str:
    """Clock times; "a.m." is written AM, which eSpeak NG spells out ("ay em"): spaced "A M" it reads the
    article, "uh em" (a listener heard "seven fifteen RM")."""

    def say(m: re.Match[str]) -> str:
        hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
        if minute == 0:
            spoken = _cardinal(hour) + ("" if half else " hundred" if hour > 12 else " o'clock")
        elif minute < 10:
            spoken = f"{_cardinal(hour)} oh {_cardinal(minute)}"
        else:
            spoken = f"{_cardinal(hour)} {_cardinal(minute)}"
        if half:
            spoken += (" AM" if half[0].lower() == "a" else " PM") + _stop_after(m)
        return spoken

    # "a.m." swallows its own full stop, so give one back when it also ended the sentence.
    text = re.sub(r"\b([01]?\d|2[0-3]):([0-5]\d)(?:\s?([ap](?:\.m\.|m\b)))?", say, text, flags=re.IGNORECASE)
    return re.sub(
        r"\b(1[0-2]|[1-9])\s?([ap])(?:\.m\.|m\b)",
        lambda m: f"{_cardinal(m.group(1))} {m.group(2).upper()}M{_stop_after(m)}",
        text,
        flags=re.IGNORECASE,
    )


def _stop_after(m: re.Match[str]) -> str:
    after = m.string[m.end() :]
    ended = m.group(0).endswith(".") and (not after.strip() or re.match(r"\s+[A-Z]", after))
    return "." if ended else ""


def _plural_of_number_words(words: str) -> str:
    last = words.split()[-1]
    if last.endswith("y"):
        plural = last[:-1] + "ies"
    elif last.endswith("x"):
        plural = last + "es"
    else:
        plural = last + "s"
    return " ".join([*words.split()[:-1], plural])


def _numbers(text: str) -> str:
    """Decades, years, ordinals, percentages, fractions, ranges and plain numbers in words."""
    text = re.sub(r"\b(\d{3})0s\b", lambda m: _plural_of_number_words(_year(int(m.group(1) + "0"))), text)
    text = re.sub(r"(?:\b|['’])([2-9])0s\b", lambda m: _plural_of_number_words(_cardinal(int(m.group(1)) * 10)),
                  text)
    # Dates: "September 12, 1990" is "September twelfth, nineteen ninety".
    text = re.sub(
        rf"\b({_MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:(,?\s+)(1[1-9]\d\d|20\d\d)\b)?",
        lambda m: f"{m.group(1)} {num2words(int(m.group(2)), to='ordinal')}"
        + (f"{m.group(3)}{_year(int(m.group(4)))}" if m.group(4) else ""),
        text,
    )
    text = re.sub(
        r"\b(\d{1,15})(st|nd|rd|th)\b", lambda m: num2words(int(m.group(1)), to="ordinal").replace(",", ""), text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        rf"\b({_YEAR_CUES})(\s+)(1[1-9]\d\d|20\d\d)\b(?!,\d)",
        lambda m: f"{m.group(1)}{m.group(2)}{_year(int(m.group(3)))}",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\b(\d{3,4})\s*(BC|BCE|AD|CE)\b", lambda m: f"{_year(int(m.group(1)))} {' '.join(m.group(2))}",
                  text)
    text = re.sub(r"(\d)\s*°\s*([CF])\b",
                  lambda m: f"{m.group(1)} degrees {'Celsius' if m.group(2) == 'C' else 'Fahrenheit'}", text)
    fractions = {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters", (1, 3): "one third",
                 (2, 3): "two thirds"}

    def fraction(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        if (a, b) in fractions:
            return fractions[(a, b)]
        return f"{_cardinal(a)} over {_cardinal(b)}"

    text = re.sub(r"(?<![\w/])(\d{1,2})/(\d{1,2})(?![\w/])", fraction, text)
    text = re.sub(r"(?<=\d)\s*[-–]\s*(?=\d)", " to ", text)

    def number(m: re.Match[str]) -> str:
        sign, whole, frac = m.group(1), m.group(2).replace(",", ""), m.group(3)
        if len(whole) > 15:
            return " ".join(_cardinal(d) for d in whole)  # a long digit string is read digit by digit
        words = _cardinal(whole)
        if frac:
            words += " point " + " ".join(_cardinal(d) for d in frac)
        return ("minus " if sign else "") + words

    text = _NUMBER.sub(number, text)
    # Leftover digits glued to letters ("3D", "MP3") are left for the engine, which reads them fine.
    return text


def _numeric_symbols(text: str) -> str:
    """Symbols whose reading depends on a number next to them (before numbers become words)."""
    text = re.sub(r"#\s?(?=\d)", " number ", text)
    text = re.sub(r"(?<=\d)\s*<\s*(?=\d)", " is less than ", text)
    text = re.sub(r"(?<=\d)\s*>\s*(?=\d)", " is greater than ", text)
    return re.sub(r"~\s*(?=\d)", " about ", text)


def _symbols(text: str) -> str:
    text = re.sub(r"#(?=[^\W\d_])", " hashtag ", text)
    for symbol, say in _SYMBOLS.items():
        text = text.replace(symbol, say)
    text = re.sub(r"(?<=[^\W\d_])/(?=[^\W\d_])", " ", text)  # "and/or" -> "and or"
    text = re.sub(r"[()\[\]{}|]", ", ", text)
    return re.sub(r"[<>^~\\`#/]", " ", text)


def _pauses(text: str) -> str:
    """Ellipses and dashes become the commas and full stops eSpeak pauses on."""

    def ellipsis(m: re.Match[str]) -> str:
        after = m.string[m.end() :].lstrip()
        before = m.string[: m.start()].rstrip()
        if not before or before[-1] in ".!?,;:\"“'‘(":
            return " "  # "...and then" opens a sentence: nothing to pause after
        if not after or after[0].isupper() or after[0] in "\"”'’":
            return ". "
        return ", "

    text = _ELLIPSIS.sub(ellipsis, text)

    def dash(m: re.Match[str]) -> str:
        after = m.string[m.end() :]
        before = m.string[: m.start()]
        if not after.strip() or after.lstrip()[:1] in "\"”'’":
            return "." if before.strip() and before.rstrip()[-1] not in ".!?,;:" else " "
        if not before.strip():
            return " "
        return ", "

    return _DASH.sub(dash, text)


def _caps_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 1 and all(c.isupper() for c in letters)


def _is_acronym(word: str) -> bool:
    bare = re.sub(r"['’]s$", "", word)
    return bare.upper() in ACRONYMS or not re.search(r"[AEIOUY]", bare)


def _shouting_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of shouted words: runs of two or more capitalised words, or one long one."""
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(words):
        j = k
        while j < len(words) and _caps_word(words[j].group(0)):
            j += 1
        run = words[k:j]
        real = [w for w in run if len(w.group(0)) > 1 and not _is_acronym(w.group(0))]
        if len(run) >= 2 and (len(real) >= 2 or (real and len(run) >= 3)):
            spans.extend((w.start(), w.end()) for w in run)
        elif len(run) == 1 and len(real) == 1:
            word = run[0].group(0)
            after = text[run[0].end() : run[0].end() + 1]
            if len(word) >= 4 or after == "!":
                spans.append((run[0].start(), run[0].end()))
        k = max(j, k + 1)
    return spans


def _unshout(text: str) -> str:
    """ALL-CAPS shouting read as words: lowercased (so never spelled out), acronyms and "I" kept."""
    out = list(text)
    for start, end in _shouting_spans(text):
        word = text[start:end]
        if word == "I" or (word.upper() in ACRONYMS and word.upper() not in {"AN", "US", "AM", "OK"}):
            continue
        out[start:end] = word.lower()
    return "".join(out)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"([.!?])\s*,", r"\1", text)
    text = re.sub(r"^[\s,;:.]+", "", text)
    return text.strip()


_RULES: tuple[Callable[[str], str], ...] = (
    _links,
    _markers,
    _roman,  # before _stretch, which would squeeze "VIII" to "VI"
    _stretch,
    _abbreviations,
    _money,
    _times,
    _numeric_symbols,
    _numbers,
    _symbols,
    _pauses,
    _unshout,
    _tidy,
)


def to_speech(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """The text as an engine should receive it (numbers, abbreviations, symbols spelled out)."""
    text = _clean(text)
    if lexicon:
        text = _apply_lexicon(text, lexicon)
    for rule in _RULES:
        text = rule(text)
    return text


def shout_level(text: str) -> float:
    """How much of the text is ALL-CAPS shouting, 0..1 of its letters (for a louder delivery)."""
    letters = sum(c.isalpha() for c in text)
    if not letters:
        return 0.0
    shouted = sum(sum(c.isalpha() for c in text[a:b]) for a, b in _shouting_spans(text))
    return shouted / letters


def load_lexicon(path: Path) -> dict[str, str]:
    """Read a `[lexicon]` table ("word" = "say it like this") from a TOML file; missing file = empty."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CastError(f"{path}: not valid TOML ({exc}); fix the file or remove it.") from exc
    table = data.get("lexicon", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise CastError(f'{path}: [lexicon] must map words to strings, like  Twi = "Twee" ; fix the entries.')
    # A file called lexicon.toml invites entries without the [lexicon] header above them: they were ignored
    # without a word, and every pronunciation in it silently did nothing. Top-level "word" = "say" pairs count.
    loose = {str(k): v for k, v in data.items() if isinstance(v, str)}
    return {**loose, **{str(k): v for k, v in table.items()}}


# ------------------------------------------------------------------ splitting

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—])\s+")
_NO_BREAK_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Prof|Capt|Lt|Sgt|Jr|Sr|vs|etc|e\.g|i\.e)|\b[A-Z])\.$")


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for m in pattern.finditer(text):
        piece = text[start : m.start()]
        if pattern is _SENTENCE_END and _NO_BREAK_BEFORE.search(piece):
            continue  # "Dr. Ruiz" is one sentence
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _pack(units: list[str], max_chars: int) -> list[str]:
    out: list[str] = []
    current = ""
    for unit in units:
        if current and len((current + unit).strip()) > max_chars:
            out.append(current.strip())
            current = ""
        current += unit
    if current.strip():
        out.append(current.strip())
    return out


def split_for_engine(text: str, max_chars: int = 400) -> list[str]:
    """Cut text at sentence boundaries into pieces no longer than max_chars (every word kept)."""
    max_chars = max(max_chars, 1)
    units: list[str] = []
    for sentence in _cut(text, _SENTENCE_END):
        if len(sentence.strip()) <= max_chars:
            units.append(sentence)
            continue
        for clause in _cut(sentence, _CLAUSE_END):
            if len(clause.strip()) <= max_chars:
                units.append(clause)
                continue
            for word in re.findall(r"\S+\s*", clause):
                # A single "word" longer than the limit is cut where it must be: never dropped.
                while len(word.strip()) > max_chars:
                    units.append(word[:max_chars] + " ")
                    word = word[max_chars:]
                units.append(word)
    return _pack(units, max_chars)
