"""Characters whose names are everyday words of the same story ("Button" beside "a button")."""

from __future__ import annotations

from narrator.characters import find_characters

from .attribution_helpers import lines_of, segments_of, speech


def _chars(text: str):
    story, segs = segments_of(text)
    return {c.name: c for c in find_characters(story, segs)}


def _by_form(chars, form):
    return next((c for c in chars.values() if form == c.name or form in c.aliases), None)


# The word "button" is everywhere in lower case (more often than the capitalised name), so counting
# capitals alone calls it an ordinary word; only two speech tags name her, too few to make a rule.
_BUTTON = (
    "The coat had a loose button, and the button on the cuff was gone. Sella sewed a button on it.\n\n"
    "Sella sat down with Button by the window. She handed the needle to Button, and Button threaded it.\n\n"
    '"You missed a button," said Button. She held up the button to the light.\n\n'
    '"Then give it here, Button," Sella said.\n\n'
    "There was a button in the tin and a button on the floor. Sella looked at Button, and Button laughed.\n\n"
    '"I like a coat with every button on," Button said.\n\n'
    '"So do I, Button."\n\n'
    "Sella went out to the yard. Button picked up the coat and looked at it.\n\n"
    '"It is done now," she said.\n\n'
)


def test_word_names_capitalised_mid_sentence_is_a_name_although_the_word_is_common():
    chars = _chars(_BUTTON)
    button = _by_form(chars, "Button")
    assert button is not None and button is not _by_form(chars, "Sella")
    assert button.gender == "female"


def test_word_names_the_tag_names_the_speaker_called_button():
    said = speech(lines_of(_BUTTON))
    assert said[0] == ('"You missed a button,"', "Button")
    assert said[2] == ('"I like a coat with every button on,"', "Button")
    assert said[-1] == ('"It is done now,"', "Button")  # "she": the woman just named, Button


def test_word_names_a_capitalised_emphasis_word_is_no_character():
    # "Nature" is capitalised mid-sentence as often as the story likes, and it "was" and "had" like a
    # person -- but nobody ever speaks as Nature or calls out to it.
    text = ("The nature of the place was wild. "
            "Odile said that Nature had made the hills and Nature was kind.\n\n"
            '"Nature is cruel," said Odile. "I have no love for nature."\n\n'
            "Pim believed in Nature, and Nature was his comfort. The nature of men is another thing.\n\n"
            '"The nature of it," said Pim, "is mystery."\n\n') * 2
    chars = _chars(text)
    assert _by_form(chars, "Nature") is None
    assert _by_form(chars, "Odile") is not None and _by_form(chars, "Pim") is not None


def _narrated_by(name: str, surname: str, lower: str) -> str:
    """A first-person story whose narrator is called `name` (an ordinary word: `lower` is common) and,
    by strangers, "Mr. `surname`"."""
    text = f"I put the {lower} on the stove. The {lower} was old, and the {lower} whistled.\n\n"
    for place in ("barn", "orchard", "cellar", "mill"):
        text += (f'Applejack found me at dusk. "Where were you?" Applejack asked.\n\n'
                 f'"In the {place}," I said.\n\n"You are late again, {name}. The {lower} is cold."\n\n'
                 f'The porter bowed to me. "Your bag, Mr. {surname}?"\n\n"Yes, thank you," I said.\n\n'
                 f'"This way, Mr. {surname}. Mind the {lower}."\n\n')
    return text


def test_word_names_first_person_narrator_named_by_a_common_word():
    # "You are late again, Kettle": called out mid-sentence in the replies to the narrator's own
    # lines, "Kettle" is the narrator's name although the story's kettle whistles all the time.
    narr = [c for c in _chars(_narrated_by("Kettle", "Stove", "kettle")).values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Kettle Stove"]
    assert narr[0].gender == "male"  # "Mr." -- and nobody says "Mr. stove" of a stove


def test_word_names_two_word_vocative_with_one_common_word_is_a_name():
    # "Tovrak Short," -- "short" is an ordinary word, "Tovrak" is not: the pair is a name.
    text = "I was short of breath, and the day was short.\n\n"
    for place in ("barn", "orchard", "cellar", "mill"):
        text += (f'Applejack found me at dusk. "Where were you?" Applejack asked.\n\n'
                 f'"In the {place}," I said.\n\n"Tovrak Short, you are late again."\n\n')
    narr = [c for c in _chars(text).values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Tovrak Short"]


def test_word_names_a_word_after_a_title_and_particle_is_a_name():
    # "Professor de Cloud": after a title and its particle the capitalised word is the surname, although
    # the story's sky is full of clouds; "the Marquis de St. Eustache" keeps no abbreviation as a name.
    text = ("A cloud passed, and another cloud, and the cloud hid the sun. Professor de Cloud looked up.\n\n"
            'Pim bowed to Professor de Cloud. Every cloud was grey.\n\n'
            '"Not yet," said Pim, and the Marquis de St. Eustache laughed.\n\n') * 3
    chars = _chars(text)
    assert _by_form(chars, "Professor de Cloud") is not None
    forms = [f for c in chars.values() for f in (c.name, *c.aliases)]
    assert not any(f.endswith(" St") for f in forms)


def test_word_names_an_ordinary_word_before_a_name_mid_sentence_is_the_given_name():
    # "Odile and Reed Varnek": no sentence starts there, so "Reed" belongs to the name although the
    # story's river is full of reeds; "the Reed Hollow" (after an article) stays a thing.
    text = ("The reed bent in the wind, and a reed broke. Odile and Reed Varnek walked by the reed beds.\n\n"
            '"Look," said Odile, and Reed Varnek laughed. Varnek nodded and he smiled.\n\n'
            "A reed grew by the Reed Hollow, and the Reed Hollow was quiet. "
            "Odile sat with Reed Varnek all day.\n\n") * 2
    chars = _chars(text)
    varnek = _by_form(chars, "Reed Varnek")
    assert varnek is not None and varnek is _by_form(chars, "Varnek")
    assert _by_form(chars, "Reed Hollow") is None  # (what "the Reed Hollow" is, is the role rule's business)


# A pony called Twilight in a story full of twilight, beside a dragon called Spike and a fence full of
# spikes: "twilight" is written in lower case more often than the name, and only one tag names her.
_TWILIGHT = (
    'The twilight settled over the valley. In the twilight the spike of the old fence caught the light, '
    'and every spike was rusted.\n\n'
    'Twilight walked along the fence with Spike. The dragon yawned, and Spike rubbed his eyes.\n\n'
    '"Is it time for bed yet?" asked Spike.\n\n'
    '"Not yet, Spike," Twilight said. "We need to check every spike on this fence first."\n\n'
    'Spike groaned. He hated the twilight; the twilight always meant more chores.\n\n'
    '"Fine," he said. "But you owe me a gem."\n\n'
    'Twilight laughed and she patted his head. "A spike-shaped gem, then."\n\n'
    'A spike of pain shot through her hoof, and Twilight winced. The twilight was deeper now.\n\n'
    '"Are you hurt?" asked Spike.\n\n'
    '"It\'s nothing," she said.\n\n'
    'Rarity came down the hill in the twilight, her mane shining. '
    '"Darlings! Whatever are you doing out here?"\n\n'
    '"Fence duty," said Spike, and he puffed out his chest.\n\n'
    '"How dreadfully dull," Rarity said. She looked at Twilight. "You\'ll catch a cold, dear."\n\n'
    '"I\'m fine, Rarity," said Twilight.\n\n'
)


def test_word_names_she_is_twilight_although_the_story_is_full_of_twilight():
    chars = _chars(_TWILIGHT)
    assert chars["Twilight"].gender == "female" and chars["Spike"].gender == "male"
    said = dict(speech(lines_of(_TWILIGHT)))
    # Rarity has not come down the hill yet: the "she" who is hurt is Twilight.
    assert said['"It\'s nothing,"'] == "Twilight"
