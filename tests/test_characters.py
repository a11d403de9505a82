"""find_characters: names, alias clusters, gender, epithets, the first-person narrator."""

from __future__ import annotations

import pytest

from narrator.characters import find_characters
from tests.attribution_helpers import FIXTURES, segments_of


def chars_of(text: str):
    story, segs = segments_of(text)
    return {c.name: c for c in find_characters(story, segs)}


def by_form(chars, form):
    return next((c for c in chars.values() if form == c.name or form in c.aliases), None)


def test_characters_cluster_full_name_short_name_and_nickname():
    chars = chars_of((FIXTURES / "library.txt").read_text())
    twi = by_form(chars, "Twilight")
    assert twi is not None and twi is by_form(chars, "Twilight Sparkle") and twi is by_form(chars, "Twi")
    assert twi.name == "Twilight Sparkle"
    assert by_form(chars, "Spike") is not None and by_form(chars, "Spike") is not twi
    assert by_form(chars, "Princess") is None  # a title alone is not a character


def test_characters_gender_from_pronouns():
    text = ("Spike ran to the door and he opened it. Spike said he was tired.\n\n"
            "Rarity laughed and she waved. Rarity said she would stay.\n\n") * 2
    chars = chars_of(text)
    assert chars["Spike"].gender == "male"
    assert chars["Rarity"].gender == "female"


def test_characters_titles_keep_mr_and_mrs_apart_and_give_gender():
    text = ("Mr. Bennet looked up from his book. Mrs. Bennet was talking again.\n\n"
            '"My dear," said Mrs. Bennet, "have you heard?"\n\n"I have not," said Mr. Bennet.\n\n') * 2
    chars = chars_of(text)
    assert chars["Mr. Bennet"].gender == "male" and chars["Mrs. Bennet"].gender == "female"
    assert "Mrs. Bennet" not in chars["Mr. Bennet"].aliases


def test_characters_places_are_not_people():
    text = ("Emma walked to Highbury. Emma said she liked Highbury. They went from Highbury to "
            "Randalls. Emma smiled at Randalls.\n\n") * 3
    chars = chars_of(text)
    assert "Emma" in chars and "Highbury" not in chars


def test_characters_a_street_named_after_someone_is_not_a_person():
    # "Fen Street," read aloud looks like a vocative; the noun after the name says it is a place.
    text = ('"Half of Fen Street is gone," Sella said.\n\n'
            '"Fen Street," Mara read. "Fen Street, number one to forty-two."\n\n'
            'Mara ran down Fen Street and Sella followed her.\n\n')
    chars = chars_of(text)
    assert "Sella" in chars and "Mara" in chars
    assert by_form(chars, "Fen") is None and by_form(chars, "Fen Street") is None


def test_characters_gender_from_the_person_introduced_before_the_name():
    # Neither is ever "he" or "she": the newcomer described just before the name gives the gender,
    # and an introduction with another name between it and the name counts for nobody.
    text = ('The door opened on an old man with a brass lamp.\n\n'
            '"You are late," Tobin said.\n\n'
            'A tall girl came in behind a clerk. \"Morning,\" said Mara.\n\n'
            '"Late again," Wenna said.\n\n')
    chars = chars_of(text * 2)
    assert chars["Tobin"].gender == "male"
    assert chars["Wenna"].gender == "unknown"


def test_characters_epithet_linked_to_the_name_it_keeps_company_with():
    para = ('Spike looked at the gems. "Can I have one?" asked the dragon.\n\n'
            '"No," said Rarity.\n\n')
    chars = chars_of(para * 4)
    assert "the dragon" in chars["Spike"].aliases


def test_characters_role_characters_and_unlinked_epithets_are_speakers():
    text = ('"Rouge!" called the croupier.\n\nThe General frowned. "Again," said the General.\n\n'
            'Polina waited.\n\n') * 3
    chars = chars_of(text)
    names = {n.lower() for n in chars}
    assert "the general" in names and "the croupier" in names


def test_characters_first_person_narrator_gets_alias_i():
    chars = chars_of((FIXTURES / "firstperson.txt").read_text())
    narr = [c for c in chars.values() if "I" in c.aliases]
    assert len(narr) == 1 and narr[0].name != "Applejack"


def test_characters_a_name_seen_once_in_a_tag_is_a_speaker():
    chars = chars_of('Twilight read. Twilight sighed.\n\n"Tickets, please," said Mara.\n\n"Here," said Twilight.')
    assert "Mara" in chars


def test_characters_particles_and_stopword_names_after_a_title():
    text = ('Mr. van der Luyden bowed. "Good evening," said Mr. van der Luyden.\n\n'
            'Mrs. Hall was at the bar. "Evening," said Mrs. Hall.\n\n') * 2
    chars = chars_of(text)
    assert "Mr. van der Luyden" in chars and "Mrs. Hall" in chars


def test_characters_canonical_name_is_the_form_a_cast_list_uses():
    text = ("Mr. Pellow came in. Pellow sat down. Pellow laughed and he waved. Mr. Pellow frowned.\n\n"
            "Harriet Smith smiled. Harriet nodded and she sat. Harriet Smith waited. Harriet laughed.\n\n") * 2
    chars = chars_of(text)
    assert "Mr. Pellow" in chars and "Pellow" in chars["Mr. Pellow"].aliases
    assert "Harriet Smith" in chars and "Harriet" in chars["Harriet Smith"].aliases


def test_characters_no_merge_of_a_he_and_a_she():
    text = ("Archer looked at the fire and he sighed. Archer said he was tired. Mrs. Archer smiled at him. "
            "Archer nodded and he rose.\n\n") * 3
    chars = chars_of(text)
    assert "Mrs. Archer" in chars and by_form(chars, "Archer") is not chars["Mrs. Archer"]


def test_characters_a_bare_title_is_the_one_character_carrying_it():
    text = ('Madame Okonkwo poured the tea. Madame Okonkwo smiled.\n\n"Sugar?" said Madame.\n\n'
            '"Please," said Twilight. Twilight sat.\n\n') * 2
    chars = chars_of(text)
    assert "Madame" in chars["Madame Okonkwo"].aliases


def test_characters_role_and_bare_form_are_one_character_named_with_the_article():
    text = ('The Gardener leaned on his spade. "Weeds," said the Gardener.\n\n'
            'Alice looked at the Gardener. "Roses," said Alice.\n\n') * 3
    chars = chars_of(text)
    assert "the Gardener" in chars and "Gardener" not in chars


def test_characters_gender_from_given_names_and_roles():
    text = ('"Tea?" said Cecil. Cecil waited.\n\n"Yes," said Eleanor. Eleanor waited.\n\n'
            'The King sat down. "Enough," said the King.\n\n') * 2
    chars = chars_of(text)
    assert chars["Cecil"].gender == "male" and chars["Eleanor"].gender == "female"
    assert chars["the King"].gender == "male"


def test_characters_apposition_links_an_epithet_and_object_pronouns_do_not_give_gender():
    text = ("Starlight Glimmer stood by the window, and Spike, the little purple dragon, huddled under her cloak.\n\n"
            '"I am cold," the dragon grumbled.\n\n"Hush," said Starlight Glimmer.\n\nSpike nodded. Spike looked out at the rain.\n\n')
    chars = chars_of(text)
    spike = by_form(chars, "Spike")
    assert spike is not None and "the dragon" in spike.aliases and spike.gender != "female"


def test_characters_first_person_narrator_named_by_the_replies_it_gets():
    text = ""
    for place in ("barn", "orchard", "cellar"):
        text += (f'Applejack found me at dusk. "Where were you?" Applejack asked.\n\n'
                 f'"In the {place}, Applejack," I said.\n\n"Well, Pip, you missed supper."\n\n')
    chars = chars_of(text)
    narr = [c for c in chars.values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Pip"]


def test_characters_object_pronoun_after_a_name_is_someone_else():
    # "Oren showed her how": the "her" is the girl he shows, not Oren; "Oren shook his head" is Oren.
    text = ("Oren showed her how to hold the rope. Oren corrected her. Oren handed her the knife.\n\n"
            "Oren shook his head. \"Again,\" Oren said, and he waited.\n\n")
    assert chars_of(text)["Oren"].gender == "male"


def test_characters_rank_gives_way_to_pronouns_and_the_rank_names_its_holder():
    text = ("Her name was Captain Vell, and she kept the gate. Captain Vell said she would wait.\n\n"
            "\"Open it,\" Captain Vell called.\n\n"
            "The captain laughed, and Nim ran to the gate.\n\n"
            "\"Now,\" said Captain Vell.\n\n")
    vell = by_form(chars_of(text), "Captain Vell")
    assert vell is not None and vell.gender == "female"
    assert "the captain" in vell.aliases


def test_characters_wife_named_after_her_husband_is_not_him():
    # "Mrs. Charles" is Charles's wife: her title and his given name disagree, so no merge.
    text = ("Charles Wilcox came in. Charles was cross and Mrs. Charles laughed at him.\n\n"
            '"Hush," said Mrs. Charles.\n\n"No," said Charles.\n\n') * 2
    chars = chars_of(text)
    wife, husband = by_form(chars, "Mrs. Charles"), by_form(chars, "Charles")
    assert wife is not None and husband is not None and wife is not husband
    assert husband is by_form(chars, "Charles Wilcox") and husband.gender == "male"


def test_characters_bare_surname_goes_to_the_man_not_to_mrs():
    text = ("Mrs. Hall kept the inn. Hall came in from the yard and he sat down.\n\n"
            '"Well," said Mrs. Hall.\n\n"Well," said Hall, and he laughed.\n\n') * 2
    chars = chars_of(text)
    assert by_form(chars, "Hall") is not by_form(chars, "Mrs. Hall")


def test_characters_given_name_is_canonical_over_miss_and_given_name():
    text = ("Lydia Bennet ran in. Lydia laughed and she danced. Miss Lydia was the youngest.\n\n"
            '"Oh!" cried Lydia.\n\n"Miss Lydia," said the maid, "Miss Lydia, do sit."\n\n') * 2
    chars = chars_of(text)
    lydia = by_form(chars, "Miss Lydia")
    assert lydia is not None and lydia.name == "Lydia" and lydia is by_form(chars, "Lydia Bennet")


def test_characters_sir_and_given_name_leaves_the_bare_name_to_the_full_name():
    text = ("Sir John Middleton rode up. Sir John laughed. John Dashwood frowned and John sighed.\n\n"
            '"Come!" said Sir John.\n\n"No," said John Dashwood.\n\n"Well," said John.\n\n') * 2
    chars = chars_of(text)
    assert by_form(chars, "John") is by_form(chars, "John Dashwood")
    assert by_form(chars, "Sir John") is not by_form(chars, "John")


def test_characters_epithet_linked_to_the_name_that_introduced_it():
    # "A badger ..." then the first new name is the badger's: a later "said the badger" is Brock.
    text = ("Wren came to the old mill at dusk. Nobody was there.\n\n"
            "A badger shuffled out of the reeds and sniffed at her boots.\n\n"
            '"Good evening, Brock," Wren said. Brock blinked at her, and Brock sat down.\n\n'
            '"Evening," said the badger.\n\n')
    chars = chars_of(text)
    assert by_form(chars, "Brock") is not None and by_form(chars, "the badger") is by_form(chars, "Brock")
    assert by_form(chars, "the badger") is not by_form(chars, "Wren")


def test_characters_capitalised_adjective_before_a_name_is_part_of_it():
    text = ("Applejack walked up to the barn. Big Mac was stacking hay, and Big Mac did not look up.\n\n"
            '"Need a hoof?" asked Applejack.\n\n"Eeyup," said Big Mac.\n\n')
    chars = chars_of(text)
    assert "Big Mac" in chars and "Mac" not in chars


def test_characters_father_and_son_sharing_a_surname_stay_apart():
    # "Mr. Emerson" and "George Emerson" would merge by surname; but Mr. Emerson calls out to
    # George, and nobody calls out to himself.
    text = ("Mr. Emerson sat by the window. George Emerson stood at the door, and George was silent.\n\n"
            '"George!" cried Mr. Emerson. "Come here."\n\n"Yes," said George.\n\n') * 2
    chars = chars_of(text)
    assert by_form(chars, "George") is not None and by_form(chars, "George") is by_form(chars, "George Emerson")
    assert by_form(chars, "George") is not by_form(chars, "Mr. Emerson")


def test_characters_full_name_and_given_name_in_one_sentence_still_merge():
    text = ("Anne Shirley looked up, and Anne smiled. Anne ran and she laughed.\n\n"
            '"Oh!" cried Anne.\n\n') * 3
    chars = chars_of(text)
    assert by_form(chars, "Anne") is by_form(chars, "Anne Shirley")


def test_characters_the_title_as_a_role_is_its_one_holder():
    text = ("Colonel Brandon came in. The Colonel sat down, and the Colonel sighed.\n\n"
            '"Well," said the Colonel.\n\n"Indeed," said Colonel Brandon.\n\n') * 2
    chars = chars_of(text)
    brandon = by_form(chars, "Colonel Brandon")
    assert brandon is not None and by_form(chars, "the Colonel") is brandon and brandon.name == "Colonel Brandon"


def test_characters_narrator_named_by_given_name_and_mr_surname_is_one_person():
    # Friends call the narrator "Tam", strangers "Mr. Reed": the narrator is Tam Reed, the same
    # person the narration calls "Reed".
    block = ('"Morning, Tam," said Rook.\n\n"Morning," I said.\n\n"Sit down, Tam," said Rook.\n\n"Fine," I said.\n\n'
             '"Your table, Mr. Reed," said the waiter.\n\n"Thanks," I said.\n\n'
             'Reed was a name the porters knew. Reed paid for it, and Reed was cheerful.\n\n')
    chars = chars_of(block * 3)
    me = by_form(chars, "I")
    assert me is not None and me.name == "Tam Reed" and me is by_form(chars, "Reed")


def test_characters_an_interjection_used_as_a_speaker_becomes_a_name():
    # "Hum" is an interjection in the stopword list; three "said Hum" tags make it a name, so its
    # narration mentions count too (salience, clusters, subjects).
    text = ('Hum sat on a log and Hum whistled. Tansy came by, and Tansy waved.\n\n'
            '"Hallo, Tansy," said Hum.\n\n"Hallo, Hum," said Tansy.\n\n') * 3
    chars = chars_of(text)
    assert chars["Hum"].mentions >= 6


def test_characters_full_name_written_once_names_the_character():
    text = ('Harvey came in and Harvey sat down.\n\n"Hello," said Harvey Stone.\n\n"Hello," said Harvey.\n\n')
    chars = chars_of(text)
    assert by_form(chars, "Harvey") is not None and by_form(chars, "Harvey").name == "Harvey Stone"


def test_characters_reflexive_gives_gender_where_the_first_pronoun_misleads():
    # Varn is always beside Edda: the first pronoun after his name is hers, but "himself" is his own.
    text = ("Varn sat by the stove while she talked. Varn poured himself a cup.\n\n"
            "Edda laughed and she waved the letter. Varn said she was right, and Varn helped himself to bread.\n\n"
            '"Enough," said Varn.\n\n"Never," said Edda.\n\n') * 2
    chars = chars_of(text)
    assert chars["Varn"].gender == "male" and chars["Edda"].gender == "female"


def test_characters_given_name_known_from_a_titled_full_name():
    # No list knows "Orla"; "Miss Orla Vantry" shows it is her given name, so the cast list says "Orla"
    # rather than the servants' "Miss Orla".
    text = ("Miss Orla Vantry came down the stair. Miss Orla Vantry was late.\n\n"
            '"Good morning, Miss Orla," said the maid.\n\n"Good morning," said Orla.\n\n'
            "Orla smiled and she sat down. Miss Orla took the tea.\n\n") * 2
    chars = chars_of(text)
    orla = by_form(chars, "Miss Orla")
    assert orla is not None and orla.name == "Orla" and orla.gender == "female"


def test_characters_wife_named_after_her_husband_is_not_him_without_a_name_list():
    # No list knows "Tobar": his own pronouns and reflexives say he is a man, so "Mrs. Tobar" is his wife.
    # (His wife is in every scene, so her "she" often comes first after his name: the first pronouns
    # alone are mixed.)
    text = ("Tobar Wenick came in. Tobar was cross and he slammed the door. Tobar seated himself.\n\n"
            "Mrs. Tobar laughed at him. Tobar watched while she poured. Tobar said he was tired, "
            "and Tobar listened as she sang.\n\n"
            '"Hush," said Mrs. Tobar.\n\n"No," said Tobar.\n\n') * 2
    chars = chars_of(text)
    wife, husband = by_form(chars, "Mrs. Tobar"), by_form(chars, "Tobar")
    assert wife is not None and husband is not None and wife is not husband
    assert husband.gender == "male" and wife.gender == "female"


def test_characters_accented_names_are_names():
    # [A-Z][a-z]+ saw "L" + "once" in "Léonce" and nothing at all in "Émile": accented letters are letters.
    text = ('"Come here," said Léonce. Léonce waited by the door, and he frowned.\n\n'
            '"No," Zoë said. Zoë laughed and she sat down.\n\n'
            '"Why not?" asked Émile Ducré. Émile looked tired, and he sighed.\n\n') * 2
    chars = chars_of(text)
    assert chars["Léonce"].gender == "male" and chars["Zoë"].gender == "female"
    emile = by_form(chars, "Émile")
    assert emile is not None and emile is by_form(chars, "Émile Ducré")


def test_characters_common_words_used_as_speakers_before_the_verb_are_names():
    # "May" and "Will" are a month and two verbs to a word list; '"Out," May said' three times says
    # otherwise, even when the tag puts the name before the verb.
    text = ('"Where are you going?" Will asked. Will was standing at the gate.\n\n'
            '"Out," May said. May picked up her basket.\n\n'
            '"Can I come?" Will said.\n\n"If you must," May said, and she smiled.\n\n'
            "Will will not stay long, and May may not wait.\n\n") * 3
    chars = chars_of(text)
    assert "May" in chars and "Will" in chars
    assert chars["May"].gender == "female"


def test_characters_reflexives_overrule_the_name_list():
    # An English list calls "Jean" a woman; this Jean "seats himself" (a French man, beside a woman
    # whose "she" often follows his name).
    text = ("Jean sat by the fire while she read. Jean poured himself some wine.\n\n"
            "Jean said she was right, and Jean helped himself to bread. Jean told himself to wait.\n\n"
            '"Enough," said Jean.\n\n"Never," said Odile.\n\n') * 2
    assert chars_of(text)["Jean"].gender == "male"


def test_characters_first_person_narrator_named_by_a_word_also_written_in_lower_case():
    # "Hal, you missed supper": the narrator's name is also a word of the story ("a hal of rope" here,
    # once); capitalised far more often than not, it is still a name.
    text = "I tied the hal of rope to the post.\n\n"
    for place in ("barn", "orchard", "cellar"):
        text += (f'Applejack found me at dusk. "Where were you?" Applejack asked.\n\n'
                 f'"In the {place}, Applejack," I said.\n\n"Well, Hal, you missed supper."\n\n')
    narr = [c for c in chars_of(text).values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Hal"]


def test_characters_first_person_narrator_named_by_a_title_and_a_common_word():
    # "Well, Miss Brook, you missed supper": "miss" (a verb here) and "brook" are both ordinary words of
    # the story, but a title before a word makes a name of it; the narrator is Miss Brook.
    text = "I walked down to the brook, and the brook was high. I did not miss the bus; I never miss it.\n\n"
    for place in ("barn", "orchard", "cellar"):
        text += (f'Applejack found me at dusk. "Where were you?" Applejack asked.\n\n'
                 f'"In the {place}, Applejack," I said.\n\n"Well, Miss Brook, you missed supper."\n\n')
    narr = [c for c in chars_of(text).values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Miss Brook"]


def test_characters_miss_surname_is_the_one_daughter_of_the_family():
    # "Miss Quarrel" is the family's unmarried daughter with a given name: Tessa Quarrel, not her mother.
    text = ("Tessa Quarrel lived with her mother. Tessa laughed and she ran to the gate.\n\n"
            "Mrs. Quarrel sat by the fire. Mrs. Quarrel said she was cold.\n\n"
            "Mr. Dorn bowed to Miss Quarrel and Miss Quarrel smiled.\n\n"
            '"Good day," said Tessa.\n\n"Sit down," said Mrs. Quarrel.\n\n') * 2
    chars = chars_of(text)
    tessa = by_form(chars, "Tessa")
    assert tessa is not None and by_form(chars, "Miss Quarrel") is tessa
    assert tessa.name != "Miss Quarrel"  # the given name stays the name a listener knows her by
    assert by_form(chars, "Mrs. Quarrel") is not tessa


def _quarrel_sisters(about_nell: str = "") -> str:
    """Tessa and Nell Quarrel, and a "Miss Quarrel" who could be either; `about_nell` follows "Nell ran and she fell."."""
    return ("Tessa Quarrel and Nell Quarrel were sisters. Tessa laughed and she sang.\n\n"
            f"Nell ran and she fell.{about_nell}\n\nMr. Dorn bowed to Miss Quarrel, and Miss Quarrel smiled.\n\n"
            '"Hello," said Tessa.\n\n"Hi," said Nell.\n\n') * 2


def test_characters_miss_surname_skips_the_younger_sister_called_miss_given_name():
    # Two daughters: the younger is "Miss Nell" as a habit of the book, so "Miss Quarrel" is Tessa.
    chars = chars_of(_quarrel_sisters(" Miss Nell was the youngest, and Miss Nell knew it."))
    tessa, nell = by_form(chars, "Tessa"), by_form(chars, "Nell")
    assert tessa is not None and nell is not None and tessa is not nell
    assert by_form(chars, "Miss Quarrel") is tessa


def test_characters_miss_surname_stays_apart_when_two_daughters_qualify():
    # Nothing tells which of two sisters is the eldest: "Miss Quarrel" stays a character of her own.
    chars = chars_of(_quarrel_sisters())
    miss = by_form(chars, "Miss Quarrel")
    assert miss is not None and miss is not by_form(chars, "Tessa") and miss is not by_form(chars, "Nell")


def test_characters_foreign_married_titles_are_the_one_woman_of_the_family():
    # "Madame Varsk", "the Countess Varsk" and "Ilse Varsk" share a surname and a gender, and the
    # family has no other woman: one person.
    text = ("Ilse Varsk came back from Europe. Ilse smiled and she sat down.\n\n"
            "Madame Varsk looked at Tom. Madame Varsk said she was tired.\n\n"
            "Tom thought of Countess Varsk, and Countess Varsk was silent.\n\n"
            '"No," said Madame Varsk.\n\n"Yes," said Tom, and he left.\n\n') * 2
    chars = chars_of(text)
    ilse = by_form(chars, "Ilse Varsk")
    assert ilse is not None and by_form(chars, "Madame Varsk") is ilse and by_form(chars, "Countess Varsk") is ilse
    assert by_form(chars, "Tom") is not ilse


def test_characters_bare_surname_is_the_one_man_of_the_family():
    # "Corvin ... he" is Rufus Corvin, the only man of the family with a given name, although his
    # mother "Mrs. Corvin" keeps the surname from joining by the title rule.
    text = ("Rufus Corvin walked in and he sat down. Corvin was tired and he sighed. Mrs. Corvin said she was glad.\n\n"
            "Lena Corvin laughed and she ran out.\n\n"
            '"Well," said Corvin, and he sighed.\n\n"Rufus," said Mrs. Corvin.\n\n'
            '"Hi," said Lena.\n\n') * 2
    chars = chars_of(text)
    rufus = by_form(chars, "Rufus Corvin")
    assert rufus is not None and by_form(chars, "Corvin") is rufus
    assert by_form(chars, "Mrs. Corvin") is not rufus and by_form(chars, "Lena") is not rufus


def test_characters_bare_surname_with_two_men_in_the_family_stays_apart():
    text = ("Rufus Corvin walked in and he sat down. Corvin was tired and he sighed.\n\n"
            "Otto Corvin laughed and he ran out.\n\n"
            '"Well," said Corvin, and he sighed.\n\n"Hi," said Otto.\n\n"Yes," said Rufus.\n\n') * 2
    chars = chars_of(text)
    bare = by_form(chars, "Corvin")
    assert bare is not None and bare is not by_form(chars, "Rufus Corvin") and bare is not by_form(chars, "Otto Corvin")


def test_characters_first_person_narrator_named_by_four_callouts_the_narration_never_uses():
    # A short present-tense story: only one of the narrator's lines is tagged ("I say"), so her name comes from
    # what the others call out to her ("Wren!" four times), a name the narration never uses. Five call-outs
    # were needed, and the narrator of such a story was cast as "Narrator".
    text = ('"Not now," I say.\n\n'
            'Oren waves me over. "Wren! Over here!"\n\n'
            'I walk to the van and look in my bag for the keys.\n\n'
            '"Same as always," Tam says, "except the last song. Wren, which one?"\n\n'
            'Oren laughs at me and I laugh back. "Come on, Wren."\n\n'
            'Tam shakes her head at me. "Wren. Please."\n\n'
            '"Fine," Oren says, and I follow him out.\n\n')
    narr = [c for c in chars_of(text).values() if "I" in c.aliases]
    assert [c.name for c in narr] == ["Wren"]


def test_capitalised_role_named_once_as_a_tag_subject_is_a_character():
    # "the Warden" appears twice, and only one use is person-like: a long novel's threshold would
    # drop it, but a reader who sees it speak in a tag knows it is somebody.
    filler = "The rain kept on over the moors, and the lamps burned low in every window of the town. " * 1200
    text = ('Mara came to the door of the Warden\'s lodge.\n\n"Stand where you are," said the Warden.\n\n'
            '"Only me," said Mara.\n\n' + filler)
    assert "the Warden" in chars_of(text)
    # Without the tag the same role stays out: a capitalised noun named in passing is nobody.
    quiet = text.replace("said the Warden", "came a call")
    assert "the Warden" not in chars_of(quiet)


def test_titled_name_given_once_is_a_character_when_the_speech_greets_the_title():
    # The narration names the sergeant once; the greeting "Sergeant" tells the reader he is there and
    # is the one being spoken to, so the bare title becomes his alias too.
    text = ('Nell crossed the yard to the barracks, where Sergeant Pell sat mending a boot.\n\n'
            '"Evening, Sergeant," said Nell.\n\n"Evening, miss. Lost again?"\n\n"Only my way."\n\n')
    pell = by_form(chars_of(text), "Sergeant Pell")
    assert pell is not None and "Sergeant" in pell.aliases
    # Named once and never greeted: somebody mentioned, not somebody present.
    quiet = text.replace("Evening, Sergeant,", "Evening,")
    assert by_form(chars_of(quiet), "Sergeant Pell") is None
    # "Miss" and "Sir" are said to anybody: a greeting by them makes nobody a character.
    civil = text.replace("Sergeant Pell", "Mr. Pell").replace("Evening, Sergeant,", "Evening, Mister,")
    assert by_form(chars_of(civil), "Mr. Pell") is None


def test_gate_fixture_guard_named_once_is_in_the_cast():
    # gate.txt names its guard once, then Rarity greets him "Captain": he must be in the discovered cast
    # (without him his four lines went to the sisters by turn-taking).
    chars = chars_of((FIXTURES / "gate.txt").read_text())
    guard = by_form(chars, "Captain Ironhoof")
    assert guard is not None and guard.gender == "male" and "Captain" in guard.aliases


def test_family_plural_is_not_a_character_but_a_name_ending_in_s_is():
    # "the Marlows" is the family of Mr. Marlow and Jenny Marlow: a group, never one voice.
    text = ('Mr. Marlow and Jenny Marlow lived at the mill. The Marlows came to dinner on Sunday, and the '
            'Marlows laughed at the parson.\n\n"Welcome," said Mr. Marlow.\n\n"Thank you," said Jenny Marlow.\n\n'
            'Mrs. Hastings sat by the fire. "More tea?" said Mrs. Hastings. Mrs. Hastings smiled.\n\n')
    chars = chars_of(text)
    assert by_form(chars, "Mr. Marlow") is not None and by_form(chars, "Jenny Marlow") is not None
    assert by_form(chars, "the Marlows") is None
    # No "Hasting" beside her: the final "s" is her own.
    assert by_form(chars, "Mrs. Hastings") is not None


def test_short_form_joins_a_given_name_but_never_a_surname():
    # "Kit" starts "Kitson", but Kitson is the family name of Amos (it ends his full name): a nickname
    # shortens a given name, so Kit is a person of her own.
    text = ('Kit ran down the lane. Kit laughed at the geese. "Wait for me," said Kit.\n\n'
            'Amos Kitson watched from the gate. Kitson frowned. "Mind the geese," said Kitson.\n\n')
    chars = chars_of(text)
    kit, kitson = by_form(chars, "Kit"), by_form(chars, "Kitson")
    assert kit is not None and kitson is not None and kit is not kitson
    # The same short form beside a given name is its nickname ("Twi" for "Twilight").
    given = text.replace("Amos Kitson", "Kitterly Amos").replace("Kitson", "Kitterly")
    chars = chars_of(given)
    assert by_form(chars, "Kit") is by_form(chars, "Kitterly") is not None


def test_name_with_any_ed_verb_between_two_halves_of_a_quote_is_a_speaker():
    # "hazarded" is in no list of speech verbs, but between the halves of one quotation the name and
    # its verb can only be the speaker and the tag.
    text = ('The ball went on till late.\n\n"Perhaps," young Dorrow hazarded, "she is too unhappy to come."\n\n'
            '"Nonsense," said Mara.\n\n')
    assert by_form(chars_of(text), "Dorrow") is not None
    # Not a quotation split round it: "Young Dorrow hazarded a guess" after a whole line is narration.
    whole = text.replace('"Perhaps," young Dorrow hazarded, "she is too unhappy to come."',
                         '"Perhaps she is too unhappy to come." Young Dorrow hazarded a guess.')
    assert by_form(chars_of(whole), "Dorrow") is None


# A short scene of our own: one name given once, as a person; one capitalised word that is a place; a boy
# named once as an object and once called out at the start of a speech.
_ONCE = ('Wren was already at the well when the cart came. Across the Hollins the mist lay thick.\n\n'
         'I found Tobiah behind the barn.\n\n"Tobiah. Come and see the cart."\n\n"Not now."\n')


def test_short_story_casts_a_name_given_once_as_a_person():
    chars = chars_of(_ONCE)
    assert by_form(chars, "Wren") is not None  # "Wren was ...": named once, acting as a person
    assert by_form(chars, "Hollins") is None  # named once, but as a place, never as a person


def test_short_story_counts_a_name_opening_a_speech_as_called_out():
    # '"Tobiah. Come and see"': the name alone as the first sentence of a speech is someone called.
    assert by_form(chars_of(_ONCE), "Tobiah") is not None
    # Without the call he is named once, as the object of "found": somebody mentioned, not cast.
    assert by_form(chars_of(_ONCE.replace('"Tobiah. Come', '"Come')), "Tobiah") is None


def test_a_novel_still_needs_two_uses_of_a_name():
    # The once-named rule is for short texts: in a novel-length text (100,000 characters and more) a
    # capitalised word acting once is too often a thing or a slip.
    filler = "The wind moved over the long grass, and the rain came down on the roofs of the town.\n\n" * 1300
    chars = chars_of(_ONCE + "\n" + filler)
    assert by_form(chars, "Wren") is None


def _schell_sisters(nell_in_full: str = "Miss Nell Schell", father: str = "") -> str:
    """Tessa and Nell Schell, the one "Miss Schell" of the story; Nell written once as `nell_in_full`."""
    return ("Tessa Schell came in, and she sat down. Tessa laughed and she sang.\n\n"
            "Nell ran and she fell. Nell cried and she rose.\n\n"
            "Mr. Dorn bowed to Miss Schell, and Miss Schell smiled.\n\n"
            '"Hello," said Tessa.\n\n"Hi," said Nell.\n\n"Good day," said Miss Schell.\n\n') * 2 + (
        f"That was the day {nell_in_full} came home.{father}\n\n")


def _novel(sisters: str) -> str:
    """The sisters' story at novel length (a name written once is no character), Tessa's full name written once."""
    return (sisters.replace("Tessa Schell", "Tessa") * 3 + "The rain fell on the hills all day.\n\n" * 3000
            + "Tessa Schell was the name she signed.\n\n")


def test_characters_miss_surname_is_the_sister_not_written_miss_given_surname():
    # Two daughters the story knows by name; the one it once writes "Miss Nell Schell" in full is the younger,
    # and the eldest is plain "Miss Schell". (Their father, "Mr. Orvan Schell", is no daughter.)
    # (Novel-length, Tessa's full name written once: the family's etiquette decides, not the one full name.)
    chars = chars_of(_novel(_schell_sisters(father=" Mr. Orvan Schell wrote to them.")))
    tessa, nell = by_form(chars, "Tessa"), by_form(chars, "Nell")
    assert tessa is not None and nell is not None and tessa is not nell
    assert by_form(chars, "Miss Schell") is tessa


def test_characters_miss_given_surname_alone_does_not_tell_the_eldest():
    # Written "Nell Schell" without the "Miss", nothing says which sister is the eldest.
    chars = chars_of(_schell_sisters(nell_in_full="Nell Schell"))
    miss = by_form(chars, "Miss Schell")
    assert miss is not None and miss is not by_form(chars, "Tessa") and miss is not by_form(chars, "Nell")


def test_characters_once_written_second_surname_that_no_family_bears_is_no_second_person():
    # A novel-length story (where a name written once is no character): "Tessa Hollow", once, with a surname no
    # one else bears, does not make "Tessa" anybody but Tessa Schell, the eldest. ("Tessa Schell" itself is
    # written once, in the last line, as the novels do.)
    chars = chars_of(_novel(_schell_sisters()) + "Tessa Hollow was a long walk away.\n\n")
    tessa = by_form(chars, "Tessa")
    assert tessa is not None and by_form(chars, "Miss Schell") is tessa
    assert by_form(chars, "Nell") is not tessa


def _pryce_family(plural: str) -> str:
    """Kit Pryce, whom everyone calls "Miss Kit", beside a "Miss Pryce"; `plural` may speak of the sisters."""
    return ("Kit Pryce walked in, and she sat down. Kit laughed and she sang.\n\n"
            "Miss Pryce looked up from her book, and Miss Pryce sighed.\n\n"
            '"Good morning, Miss Kit," said Mr. Dorn. Miss Kit only nodded.\n\n'
            f'"Hello," said Kit.\n\n"Good day," said Miss Pryce.{plural}\n\n') * 2


def test_characters_miss_surname_is_not_the_sister_called_miss_given_name():
    # The story speaks of "the Miss Pryces": Kit, called "Miss Kit", is a younger sister, and "Miss Pryce" the
    # eldest -- another woman, although Kit is the only sister named in full.
    chars = chars_of(_pryce_family(" The Miss Pryces went home."))
    kit = by_form(chars, "Kit Pryce")
    assert kit is not None and by_form(chars, "Miss Pryce") is not None and by_form(chars, "Miss Pryce") is not kit


def test_characters_miss_given_name_of_an_only_daughter_is_still_miss_surname():
    # No sisters in sight: "Miss Kit" is how people greet the one daughter, who is "Miss Pryce" too.
    chars = chars_of(_pryce_family(""))
    kit = by_form(chars, "Kit Pryce")
    assert kit is not None and by_form(chars, "Miss Pryce") is kit


def test_characters_miss_surname_joined_to_one_sister_leaves_the_other_alone():
    # "Miss Schell" already is Tessa by her one plain full name ("Tessa Schell"): Nell, the sister left over,
    # is not "Miss Schell" as well (which would make the two sisters one voice).
    chars = chars_of(_schell_sisters())
    tessa, nell = by_form(chars, "Tessa"), by_form(chars, "Nell")
    assert tessa is not None and by_form(chars, "Miss Schell") is tessa
    assert nell is not None and nell is not tessa


def _musgrave_house(couple: str, wife: str = "Mrs. Hal Musgrave") -> str:
    """Old Mr. Musgrave, his son Hal Musgrave, and Hal's wife `wife`; `couple` may name the old couple."""
    return ("Hal Musgrave came in, and he sat down. Hal laughed and he sang.\n\n"
            "Mr. Musgrave looked up from his paper, and Mr. Musgrave sighed.\n\n"
            f"{wife} poured the tea, and she smiled.{couple}\n\n"
            '"Hello," said Hal.\n\n"Good day," said Mr. Musgrave.\n\n') * 3


def test_characters_mr_surname_is_not_the_married_son_while_the_old_couple_lives():
    # "Mr. and Mrs. Musgrave" are named together (the old couple lives), and Hal's wife is "Mrs. Hal Musgrave":
    # Hal has a wife of his own, so "Mr. Musgrave" is his father, not Hal.
    chars = chars_of(_musgrave_house(" Mr. and Mrs. Musgrave were at home."))
    hal = by_form(chars, "Hal Musgrave")
    assert hal is not None and by_form(chars, "Mr. Musgrave") is not None and by_form(chars, "Mr. Musgrave") is not hal


def test_characters_mr_surname_is_the_one_man_of_the_family_when_no_couple_is_named():
    # No "Mr. and Mrs. Musgrave": "Mrs. Musgrave" may be a widow and her son the head of the house.
    chars = chars_of(_musgrave_house(""))
    hal = by_form(chars, "Hal Musgrave")
    assert hal is not None and by_form(chars, "Mr. Musgrave") is hal


def _two_hals(wife: str) -> str:
    """Hal Musgrave and Hal Tandy, both written in full, and a bare "Hal"; `wife` is a married woman."""
    return ("Hal Musgrave rode out, and he sang. Hal Tandy stayed home, and he slept.\n\n"
            "Hal laughed and he waved. Hal shouted and he ran.\n\n"
            f"{wife} poured the tea, and she smiled.\n\n"
            '"Hello," said Hal.\n\n"Hi," said Hal Tandy.\n\n') * 3


def test_characters_wife_named_after_her_husband_gives_him_the_bare_given_name():
    # "Mrs. Hal Musgrave" shows that the household's "Hal" is Hal Musgrave, not Hal Tandy.
    chars = chars_of(_two_hals("Mrs. Hal Musgrave"))
    hal = by_form(chars, "Hal")
    assert hal is not None and by_form(chars, "Hal Musgrave") is hal and by_form(chars, "Hal Tandy") is not hal


def test_characters_bare_given_name_of_two_men_stays_apart_without_the_wife():
    chars = chars_of(_two_hals("Mrs. Tandy"))
    hal = by_form(chars, "Hal")
    assert hal is not None and by_form(chars, "Hal Musgrave") is not hal and by_form(chars, "Hal Tandy") is not hal


# A greeting's name before a full stop ('"Evening, Corbin."') is called out as surely as before a comma: the
# one greeted is a person, and the one who answers a greeting is the one greeted.
_GREETED = ('The door bangs. Old Mr. Corbin shuffles in out of the rain, the cobbler from the next street.\n\n'
            '"Evening, Tess," he says.\n\nTess looks up from the ledger. "{greeting} What brings you?"\n\n'
            '"Laces," says the cobbler. "Mine have snapped."\n\nCorbin counts out the pennies.')


@pytest.mark.parametrize("greeting", ["Evening, Corbin.", "Thanks, Corbin.", "Thank you, Corbin.", "Hey, Corbin."])
def test_a_greeted_name_before_a_full_stop_is_called_out(greeting: str):
    assert by_form(chars_of(_GREETED.format(greeting=greeting)), "Corbin") is not None


def test_a_name_closing_a_speech_after_a_comma_is_called_out():
    text = _GREETED.replace('"{greeting} What brings you?"', '"You are late, Corbin."')
    assert by_form(chars_of(text), "Corbin") is not None


def test_a_place_after_the_at_a_speech_end_is_not_called_out():
    # "that new place, The Gull." names a place: "Gull" is nobody called out.
    text = _GREETED.replace('"{greeting} What brings you?"', '"Try that new place, The Gull."') + " Nobody likes The Gull."
    assert by_form(chars_of(text), "Gull") is None


def test_a_name_after_a_list_comma_is_not_called_out():
    # "bread, Corbin." is no greeting: Corbin is only talked about (and named once in the narration).
    chars = chars_of(_GREETED.format(greeting="We have string, bread, and Corbin."))
    assert by_form(chars, "Corbin") is None


# Somebody the narration brings on with "a" and a noun of sex or age ("A thin boy ran up") and who then speaks
# is a new voice in a short scene, not one of the named cast: "the boy" is a speaker of his own.
_NEWCOMER = ('Mags and Orrin sat on the harbour wall, mending nets. Mags hummed.\n\n'
             '"Storm tonight," said Orrin.\n\n"Maybe," said Mags.\n\n'
             'A thin boy ran up the quay with a basket of fish. He stopped beside Orrin, out of breath.\n\n'
             '"Are you the net-mender?"\n\nOrrin pointed at Mags.\n\n'
             'The boy frowned. "My father says the nets are torn again."\n\n"Tell him tomorrow," said Mags.')


def test_a_newcomer_brought_on_with_a_noun_of_sex_speaks_as_himself():
    from tests.attribution_helpers import lines_of, speech
    cast = chars_of(_NEWCOMER)
    assert "the boy" in cast
    said = dict(speech(lines_of(_NEWCOMER)))
    assert said['"My father says the nets are torn again."'] == "the boy"


def test_a_noun_of_sex_never_brought_on_as_somebody_new_is_no_speaker():
    # Without "A thin boy ran up", "the boy" is someone the scene already has (Orrin): no new voice.
    text = _NEWCOMER.replace("A thin boy ran up the quay with a basket of fish. He stopped beside Orrin, out of breath.",
                             "Orrin ran up the quay with a basket of fish, out of breath.")
    assert "the boy" not in chars_of(text)
