"""Speech normalisation: one table row per rule, plus properties over arbitrary text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.errors import CastError
from narrator.normalize import load_lexicon, shout_level, split_for_engine, to_speech

RULES = [
    # numbers, ordinals, years, decades, times, money, percentages
    ("I have 3 cats.", "I have three cats."),
    ("We had 1,204 sheep and 3.14 goats.", "We had one thousand two hundred and four sheep and three point one four goats."),
    ("She came 21st, then 2nd.", "She came twenty-first, then second."),
    ("It happened in 1987.", "It happened in nineteen eighty-seven."),
    ("Since 2005 nothing changed.", "Since two thousand and five nothing changed."),
    ("Music of the 1990s and the '80s.", "Music of the nineteen nineties and the eighties."),
    ("At 3:45 pm we left.", "At three forty-five PM we left."),
    ("March 3rd, 7:15 am, home.", "March third, seven fifteen AM, home."),
    ("By 10:00 it was over.", "By ten o'clock it was over."),
    ("Meet at 7am.", "Meet at seven AM."),
    ("It cost $3.50.", "It cost three dollars fifty."),
    ("Just $1 or $0.25.", "Just one dollar or twenty-five cents."),
    ("A £12 ticket.", "A twelve pounds ticket."),
    ("Nell Barrow, 4d. Paid.", "Nell Barrow, four pence. Paid."),
    ("A fare of 1d, then 11d.", "A fare of one penny, then eleven pence."),
    ("A 3d model and 2D art.", "A 3d model and 2D art."),
    ("A $5 million deal.", "A five million dollars deal."),
    ("Only 50% left.", "Only fifty percent left."),
    ("It was 30°C outside.", "It was thirty degrees Celsius outside."),
    ("Pages 10-20.", "Pages ten to twenty."),
    ("It was -5 today.", "It was minus five today."),
    ("Add 1/2 a cup.", "Add one half a cup."),
    # Roman numerals only where clearly numerals
    ("Chapter III", "Chapter three"),
    ("Part IV: The Return", "Part four: The Return"),
    ("World War II ended.", "World War two ended."),
    ("Louis XIV was king.", "Louis the fourteenth was king."),
    ("Henry VIII and Elizabeth II.", "Henry the eighth and Elizabeth the second."),
    ("The best part I think is this.", "The best part I think is this."),
    ("Dear CC, hello.", "Dear CC, hello."),
    # abbreviations and titles
    ("Mr. Jones met Dr. Smith.", "Mister Jones met Doctor Smith."),
    ("Mrs. Patel and Prof. Ng.", "Missus Patel and Professor Ng."),
    ("Mr Pell met Mrs Hale and Dr Ruiz.", "Mister Pell met Missus Hale and Doctor Ruiz."),
    # Accented names are names (eSpeak reads "Mr." before one as "Mister" and a full stop, and "XIV" as "roman fourteen").
    ("Mr. Émile met Dr Łucja and Mrs. Zoë.", "Mister Émile met Doctor Łucja and Missus Zoë."),
    ("Étienne II was king.", "Étienne the second was king."),
    ("Turn left at Elm Dr and Mr.", "Turn left at Elm Dr and Mr."),
    ("We prayed at St. Mark's.", "We prayed at Saint Mark's."),
    ("She lives on Baker St.", "She lives on Baker Street."),
    # "St." beside an accented capital: a saint before the name, a street after one.
    ("We prayed at St. Étienne.", "We prayed at Saint Étienne."),
    ("She lives on Émile St. Then she moved.", "She lives on Émile Street. Then she moved."),
    ("Turn at Łódź St. and walk.", "Turn at Łódź Street and walk."),
    ("Apples, pears, etc. And more.", "Apples, pears, et cetera. And more."),
    ("Fruit, e.g. apples, i.e. food.", "Fruit, for example apples, that is food."),
    ("Cats vs. dogs.", "Cats versus dogs."),
    # symbols
    ("Salt & pepper.", "Salt and pepper."),
    ("a+b = c", "a plus b equals c"),
    ("We're #1!", "We're number one!"),
    ("Tag #winning now.", "Tag hashtag winning now."),
    ("5 < 6 and ~10 people.", "five is less than six and about ten people."),
    ("and/or", "and or"),
    # pauses
    ("Wait... what?", "Wait, what?"),
    ("I thought… No.", "I thought. No."),
    ("...and then it rained.", "and then it rained."),
    ("He paused—then ran.", "He paused, then ran."),
    ("He paused -- then ran.", "He paused, then ran."),
    ('"Stop—"', '"Stop."'),
    # links and e-mail
    ("See https://www.example.com/a/b?c=1 now.", "See a link to example dot com now."),
    ("Mail me@example.org today.", "Mail me at example dot org today."),
    ("Visit example.com.", "Visit example dot com."),
    # emoji and control characters
    ("Hi 😀 there 👍🏽 ok", "Hi there ok"),
    ("Before\x00after", "Before after"),
    ("\x1b[31mred\x1b[0m text\x07", "red text"),
    ("zero\u200bwidth", "zerowidth"),
    # fan-fiction habits
    ("Spi–i-ike!", "Spike!"),
    ("No-o-o!", "No!"),
    ("S-Spike, wait!", "Spike, wait!"),
    ("W-w-what? Th-that's it.", "What? that's it."),
    ("A no-nonsense co-op.", "A no-nonsense co-op."),
    ("Nooooo!", "No!"),
    ("Goooood job.", "Good job."),
    ("Sooo tired.", "So tired."),
    ("I SAID GET OUT NOW!", "I said get out now!"),
    ("STOP!", "stop!"),
    ("The FBI and NASA are OK.", "The FBI and NASA are OK."),
    ("I WORK AT THE FBI.", "I work at the FBI."),
    ("*Really*, she said. _Fine_.", "Really, she said. Fine."),
    ("Twi and Dash.", "Twi and Dash."),
    ("I-I don't know.", "I don't know."),
    ("I-I-I'm sorry.", "I'm sorry."),
    ("Bye-bye, so-so.", "Bye-bye, so-so."),
    # sounds without a vowel, which eSpeak would spell out letter by letter
    ("Hmmmm... fine.", "Hmm, fine."),
    ("Shhh! Grrr. Brrr, cold. Hmph.", "Shush! Gurr. Burr, cold. Humph."),
    # dates
    ("On Sept. 12, 1990 we met.", "On September twelfth, nineteen ninety we met."),
    ("By May 5 it was over.", "By May fifth it was over."),
    ("She may 5 times.", "She may five times."),
    ("2 * 3", "two times three"),
]


@pytest.mark.parametrize(("source", "spoken"), RULES)
def test_normalize_rule(source: str, spoken: str) -> None:
    assert to_speech(source) == spoken


def test_normalize_lexicon_whole_word_and_case_aware() -> None:
    lexicon = {"Twi": "Twee", "gif": "jif", "Will": "Wil"}
    assert to_speech("Twi said GIF, Gif and gifts; Will will go.", lexicon) == (
        "Twee said jif, jif and gifts; Wil will go."
    )


def test_normalize_load_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('[lexicon]\nTwi = "Twee"\n"Celestia" = "Seh-LESS-tee-uh"\n', encoding="utf-8")
    assert load_lexicon(path) == {"Twi": "Twee", "Celestia": "Seh-LESS-tee-uh"}
    assert load_lexicon(tmp_path / "missing.toml") == {}
    path.write_text("[lexicon\n", encoding="utf-8")
    with pytest.raises(CastError, match="not valid TOML"):
        load_lexicon(path)
    path.write_text("[lexicon]\nTwi = 3\n", encoding="utf-8")
    with pytest.raises(CastError, match="must map words to strings"):
        load_lexicon(path)


def test_normalize_load_lexicon_reads_entries_written_without_the_table_header(tmp_path: Path) -> None:
    # voices/lexicon.toml with 'Twi = "Twee"' and no [lexicon] line above it was read as an empty lexicon,
    # without a word: every pronunciation in the file silently did nothing.
    path = tmp_path / "lexicon.toml"
    path.write_text('Twi = "Twee"\n\n[lexicon]\n"Celestia" = "Seh-LESS-tee-uh"\n', encoding="utf-8")
    assert load_lexicon(path) == {"Twi": "Twee", "Celestia": "Seh-LESS-tee-uh"}


def test_normalize_shout_level() -> None:
    assert shout_level("I SAID GET OUT NOW!") == 1.0
    assert shout_level("The FBI is here.") == 0.0
    assert 0.0 < shout_level("She yelled STOP RIGHT THERE at him.") < 1.0
    assert shout_level("...") == 0.0


# ------------------------------------------------------------------ properties

_AVOID = {"http", "https", "www", "ftp", "mr", "mrs", "ms", "mx", "dr", "st", "no", "aka", "vs", "etc", "mt",
          "ave", "rd", "ft", "min", "est", "dept", "jr", "sr", "oz", "hrs", "lbs", "blvd", "approx", "prof",
          "capt", "cpt", "lt", "sgt", "gen", "col", "maj", "cmdr", "rev", "fr", "gov", "sen", "rep", "pres",
          "insp", "det", "supt", "com", "org", "net", "edu", "io", "co", "uk", "de", "info", "me", "tv", "ly",
          "fm", "eg", "ie", "am", "pm", "gif", "the", "and", "hm", "hmm", "sh", "shh", "gr", "grr", "br", "brr",
          "mph", "hmph"}
_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda w: w not in _AVOID and not re.search(r"(.)\1\1", w)
)
# Separators: any character that is neither a letter/digit nor something that joins words (hyphens,
# apostrophes), so every generated word stands alone in the input.
_separators = st.text(
    alphabet=st.characters(
        blacklist_categories=("L", "N", "Mn", "Mc", "Me", "Cs"),
        blacklist_characters="-–'’_\u00ad",
    ),
    min_size=1,
    max_size=4,
).map(lambda s: s + " ")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_words, _separators), min_size=1, max_size=12))
def test_normalize_never_loses_a_word(pairs: list[tuple[str, str]]) -> None:
    text = "".join(w + s for w, s in pairs)
    spoken = to_speech(text).lower()
    found = re.findall(r"[a-z]+", spoken)
    # Every input word is spoken, in order (symbols may add words such as "and" or "dot").
    position = 0
    for word, _ in pairs:
        assert word in found[position:], (text, spoken, word)
        position = found.index(word, position) + 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_never_raises_and_emits_no_control_characters(text: str) -> None:
    spoken = to_speech(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in spoken)
    # Letters that are part of an ANSI escape ("\x1bA" moves the cursor) are rightly dropped.
    from narrator.normalize import _ANSI

    if any(c.isalpha() for c in _ANSI.sub(" ", text) if c.isascii()):
        assert any(c.isalpha() for c in spoken)


# ------------------------------------------------------------------ splitting


def test_split_for_engine_keeps_short_text_whole() -> None:
    assert split_for_engine("One. Two.") == ["One. Two."]
    assert split_for_engine("") == []


def test_split_for_engine_prefers_sentence_then_clause_boundaries() -> None:
    text = "Dr. Smith arrived early. " + "The rain, which had started at dawn, kept falling; nobody minded. " * 3
    pieces = split_for_engine(text, 80)
    assert all(len(p) <= 80 for p in pieces)
    assert pieces[0] == "Dr. Smith arrived early."
    assert pieces[1].endswith(("minded.", ",", ";"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_categories=("Z", "Cc", "Cs")), min_size=1, max_size=30),
            st.sampled_from([" ", ". ", "! ", ", ", "; ", "\n", "?\n\n", "... "]),
        ),
        max_size=60,
    ),
    # Longer than any generated word plus its punctuation ("..." adds three), so no word must be cut.
    st.integers(min_value=34, max_value=400),
)
def test_split_for_engine_every_word_in_exactly_one_piece_in_order(
    parts: list[tuple[str, str]], max_chars: int
) -> None:
    text = "".join(w + s for w, s in parts)
    pieces = split_for_engine(text, max_chars)
    assert all(len(p) <= max_chars for p in pieces)
    assert [w for p in pieces for w in p.split()] == text.split()


def test_normalize_lexicon_is_one_pass_and_exact_spelling_wins() -> None:
    # "Twi" -> "Twilight" must not then become "Twilight Sparkle" through a second entry.
    lexicon = {"Twi": "Twilight", "twilight": "Twilight Sparkle", "twi": "Tweesh", "Mr Twi": "Mister Twee"}
    assert to_speech("Twi, TWI, twilight and Mr Twi.", lexicon) == (
        "Twilight, Tweesh, Twilight Sparkle and Mister Twee."
    )


def test_normalize_unterminated_terminal_escape_keeps_the_words_after_it() -> None:
    # Found by the property test above: an OSC escape with no terminator swallowed the rest of the text.
    assert re.findall(r"[a-z]+", to_speech("a\x1b] a: ").lower()) == ["a", "a"]
    assert re.findall(r"[a-z]+", to_speech("red\x1b]0;title\x07 green").lower()) == ["red", "green"]
