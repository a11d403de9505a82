"""Word lists shared by character discovery and attribution (titles, speech verbs, pronouns)."""

from __future__ import annotations

import re

MALE_TITLES = frozenset(
    ["Mr", "Mr.", "Mister", "Sir", "Lord", "Monsieur", "M.", "Signor", "Herr", "Colonel", "Captain", "Major", "General", "Admiral", "Lieutenant", "Uncle", "Father", "Brother", "Prince", "King", "Duke", "Count", "Baron", "Master", "Rev", "Rev.", "Reverend", "Mynheer", "Senor", "Don", "Professor", "Inspector", "Sergeant", "Dr", "Dr.", "Doctor", "Judge", "Bishop", "Earl", "Marquis", "Squire", "Corporal", "Private"]
)
FEMALE_TITLES = frozenset(
    ["Mrs", "Mrs.", "Miss", "Ms", "Ms.", "Lady", "Madame", "Mme", "Mme.", "Mademoiselle", "Mlle", "Mlle.", "Signora", "Signorina", "Frau", "Fraulein", "Aunt", "Mother", "Sister", "Princess", "Queen", "Duchess", "Countess", "Baroness", "Mistress", "Dame", "Senora", "Senorita", "Donna", "Nurse"]
)
# Titles that do not tell the gender by themselves (Doctor, Professor ...) are in MALE_TITLES only by
# historical default; these are treated as neutral when guessing gender.
NEUTRAL_TITLES = frozenset(["Professor", "Inspector", "Dr", "Dr.", "Doctor", "Judge", "Sergeant", "Corporal", "Private"])
# Military ranks are in MALE_TITLES by old convention only: the pronouns around a name overrule them
# ("Captain Sella ... she"). (The neutral titles above never decide a gender at all.)
RANK_TITLES = frozenset(["Captain", "Colonel", "Major", "General", "Admiral", "Lieutenant"])
TITLES = MALE_TITLES | FEMALE_TITLES
# Capitalised words that may name a speaker in a tag although they are not names elsewhere
# ('"Stop!" said Mother', '"Not I," said Five'). Read where names are collected and where they are
# clustered (a bare "Captain" with no Captain Somebody to join stays a speaker of its own).
TAG_ONLY_WORDS = frozenset(
    ["Mother", "Father", "Mamma", "Mama", "Papa", "Mum", "Dad", "Aunt", "Uncle", "Nurse", "Doctor", "Captain", "Colonel", "Major", "General", "Professor", "King", "Queen", "Prince", "Princess", "Duke", "Master", "Mistress", "Sister", "Brother", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
)
# The everyday honorifics of other languages and the English one each stands for: a story set in Italy
# or translated from German calls its people "Signor Varn" and "Frau Kell" where an English one says
# "Mr." and "Mrs.", and the family etiquette that goes with them (the unmarried daughter is "Miss X",
# the wife "Mrs. X") is the same. Keys without a stop, as title_key-style comparisons strip it.
CIVIL_EQUIVALENTS = {
    "Mr": "Mr", "Mister": "Mr", "Signor": "Mr", "Herr": "Mr", "Monsieur": "Mr", "M": "Mr", "Senor": "Mr",
    "Mynheer": "Mr",
    "Mrs": "Mrs", "Signora": "Mrs", "Frau": "Mrs", "Madame": "Mrs", "Mme": "Mrs", "Senora": "Mrs",
    "Miss": "Miss", "Signorina": "Miss", "Fraulein": "Miss", "Mademoiselle": "Miss", "Mlle": "Miss",
    "Senorita": "Miss", "Ms": "Ms",
}


def civil_title(title: str) -> str:
    """The English honorific a title stands for ("Signora" -> "Mrs", "Mr." -> "Mr"), or "" for any other
    title (ranks, offices, kinship: "Lady", "Dr.", "Aunt")."""
    return CIVIL_EQUIVALENTS.get(title.rstrip("."), "")

SPEECH_VERBS = frozenset(
    ["said", "says", "say", "saying", "replied", "replies", "reply", "answered", "answers", "answer", "asked", "asks", "ask", "cried", "cries", "exclaimed", "exclaims", "shouted", "shouts", "yelled", "yells", "called", "calls", "whispered", "whispers", "muttered", "mutters", "murmured", "murmurs", "added", "adds", "continued", "continues", "went", "goes", "began", "begins", "resumed", "resumes", "returned", "returns", "rejoined", "rejoins", "remarked", "remarks", "observed", "observes", "repeated", "repeats", "interrupted", "interrupts", "suggested", "suggests", "explained", "explains", "protested", "protests", "declared", "declares", "insisted", "insists", "urged", "urges", "retorted", "retorts", "responded", "responds", "demanded", "demands", "inquired", "inquires", "enquired", "enquires", "pleaded", "pleads", "begged", "begs", "groaned", "groans", "sighed", "sighs", "laughed", "laughs", "snapped", "snaps", "growled", "growls", "gasped", "gasps", "stammered", "stammers", "stuttered", "stutters", "screamed", "screams", "shrieked", "shrieks", "roared", "roars", "bellowed", "bellows", "hissed", "hisses", "grumbled", "grumbles", "admitted", "admits", "agreed", "agrees", "assented", "assents", "persisted", "persists", "concluded", "concludes", "cautioned", "cautions", "warns", "warned", "announced", "announces", "mused", "muses", "wondered", "wonders", "thought", "thinks", "breathed", "breathes", "sobbed", "sobs", "moaned", "moans", "chuckled", "chuckles", "giggled", "giggles", "smiled", "smiles", "grinned", "grins", "nodded", "nods", "stated", "states", "told", "tells", "spoke", "speaks", "uttered", "utters", "ventured", "ventures", "faltered", "falters", "echoed", "echoes", "sneered", "sneers", "scoffed", "scoffs", "teased", "teases", "joked", "jokes", "offered", "offers", "promised", "promises", "corrected", "corrects", "countered", "counters", "objected", "objects", "conceded", "concedes", "confessed", "confesses", "whimpered", "whimpers", "squeaked", "squeaks", "squealed", "squeals", "chimed", "chimes", "piped", "pipes", "exploded", "explodes", "blurted", "blurts", "drawled", "drawls", "purred", "purrs", "barked", "barks", "mumbled", "mumbles", "put", "puts", "pursued", "pursues", "proceeded", "proceeds", "commented", "comments", "affirmed", "affirms", "assured", "assures", "reminded", "reminds"]
)
# Irregular pasts of the verbs the tag and subject patterns read, with their present (third person).
_IRREGULAR_PRESENT = {
    "said": "says", "went": "goes", "began": "begins", "thought": "thinks", "told": "tells", "spoke": "speaks",
    "came": "comes", "saw": "sees", "took": "takes", "knew": "knows", "felt": "feels", "made": "makes", "got": "gets",
    "gave": "gives", "stood": "stands", "sat": "sits", "rose": "rises", "ran": "runs", "heard": "hears",
    "shook": "shakes", "kept": "keeps", "held": "holds", "found": "finds", "broke": "breaks", "drew": "draws",
    "threw": "throws", "led": "leads", "laid": "lays", "caught": "catches", "sprang": "springs", "struck": "strikes",
    "left": "leaves", "met": "meets", "bent": "bends", "burst": "bursts", "rang": "rings", "fell": "falls",
    "put": "puts", "cut": "cuts", "was": "is", "were": "are", "had": "has", "did": "does", "flung": "flings",
    "wrote": "writes", "read": "reads", "meant": "means", "brought": "brings", "sent": "sends",
}

# The presents of those irregular verbs: a rule that takes any "-ed" past for a verb of narration ('"Why?" she
# pondered') does not take "made" or "went", so its present-tense twin must not take "makes" or "goes" either.
IRREGULAR_PRESENTS = frozenset(_IRREGULAR_PRESENT.values())


def present_forms(past: str) -> frozenset[str]:
    """The present tense (third person) of a past-tense verb: "said" -> "says", "replied" -> "replies",
    "nodded" -> "nods", "hissed" -> "hisses".

    Present-tense stories ('"Wait," says Twilight', "she asks", "Spike mutters") use these where a
    past-tense novel has the past, so every closed verb list a tag pattern reads holds both. A regular
    past does not tell whether its bare form ends in a silent e ("smiled" / "muttered"), so both
    spellings come back ("smils", "smiles"): the lists only ever match words of a text, and a
    misspelling never occurs in one. A word that is no past ("says", "saying") has none: the set is empty."""
    if past in _IRREGULAR_PRESENT:
        return frozenset([_IRREGULAR_PRESENT[past]])
    if not past.endswith("ed") or len(past) < 5:
        return frozenset()
    if past.endswith("ied") and past[-4] not in "aeiou":
        return frozenset([past[:-3] + "ies"])
    stem = past[:-2]
    if stem.endswith(("s", "sh", "ch", "x", "z", "e", "o")):
        return frozenset([stem + "es"])  # "hissed", "wished", "agreed", "echoed" ("teased": "teas" + "es")
    if stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        return frozenset([stem[:-1] + "s", stem + "s"])  # "nodded" -> "nods", but "added" -> "adds"
    return frozenset([stem + "s", stem + "es"])


def both_tenses(words: frozenset[str] | set[str]) -> frozenset[str]:
    """`words` with the present of each past among them: a closed verb list a present-tense story matches too."""
    return frozenset(words) | frozenset(p for w in words for p in present_forms(w))


def bare_form(present: str) -> str:
    """The bare verb of a present-tense third-person form: "says" -> "say", "cries" -> "cry", "hisses" -> "hiss"."""
    if present.endswith("ies") and len(present) > 4:
        return present[:-3] + "y"
    if present.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return present[:-2]
    return present[:-1] if present.endswith("s") and not present.endswith("ss") else present


# What a first-person narrator of a present-tense story says its own lines with: the bare verb after "I"
# ("I add", "I shout", "cry I"), besides every form a third person takes.
FIRST_PERSON_SPEECH_VERBS = SPEECH_VERBS | frozenset(bare_form(w) for w in SPEECH_VERBS if w.endswith("s"))
FIRST_PERSON_VERB_ALT = "|".join(sorted(FIRST_PERSON_SPEECH_VERBS, key=lambda w: (-len(w), w)))
# The speech verbs as one regex alternation, longest first (so "says" is tried before "say"); ties by spelling,
# so the pattern text is the same in every run whatever the hash seed.
SPEECH_VERB_ALT = "|".join(sorted(SPEECH_VERBS, key=lambda w: (-len(w), w)))
MALE_PRONOUNS = frozenset(["he", "him", "his", "himself"])
FEMALE_PRONOUNS = frozenset(["she", "her", "hers", "herself"])
# Epithet adjectives that may stand between a speech verb and the name ("broke in old Isaac", '"No," poor Tom
# said'), as one regex alternation. A closed list: an open one would let "said to Tom" or "said all Tom" in.
# Character discovery counts such tags and attribution reads them: both must accept the same words.
TAG_EPITHET_ALT = "old|young|little|poor|dear|good|big|fat|tall|stout|honest|worthy"

# Capitalised words that start sentences or fill speech and are never character names.
STOPWORDS = frozenset(
    ["I", "I'm", "I'll", "I've", "I'd", "A", "An", "The", "This", "That", "These", "Those", "There", "Then", "Than", "Though", "Thus", "Their", "They", "Them", "He", "She", "It", "We", "You", "Your", "You're", "Yours", "My", "Mine", "Our", "Ours", "His", "Her", "Hers", "Its", "And", "But", "Or", "Nor", "For", "So", "Yet", "If", "When", "While", "Where", "Which", "Who", "Whom", "Whose", "Why", "What", "How", "Whatever", "Whoever", "Yes", "No", "Not", "Oh", "Ah", "Aye", "Nay", "Well", "Now", "Here", "Still", "Just", "Only", "Even", "Also", "Indeed", "Perhaps", "Surely", "Certainly", "Very", "Quite", "Pray", "Dear", "Good", "Bad", "Poor", "Oh", "Alas", "Hush", "Hullo", "Hello", "Hallo", "Goodbye", "Good-bye", "Please", "Thank", "Thanks", "Sir", "Madam", "Ma'am", "Mamma", "Mama", "Papa", "Mother", "Father", "Mum", "Dad", "Aunt", "Uncle", "Lord", "Lady", "God", "Heaven", "Heavens", "Christ", "Jesus", "Mr", "Mrs", "Miss", "Ms", "Chapter", "CHAPTER", "Book", "Part", "Volume", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Christmas", "Easter", "English", "French", "German", "Italian", "Spanish", "Russian", "American", "Indian", "Englishman", "Englishwoman", "Frenchman", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "First", "Second", "Third", "Last", "Next", "Every", "Each", "All", "Any", "Some", "Many", "Much", "Most", "More", "Such", "Both", "Either", "Neither", "Nothing", "Something", "Anything", "Everything", "Nobody", "Somebody", "Anybody", "Everybody", "Everyone", "Someone", "Anyone", "None", "After", "Before", "Again", "Always", "Never", "Once", "Twice", "At", "In", "On", "Of", "To", "By", "With", "Without", "From", "Into", "Upon", "About", "Above", "Below", "Over", "Under", "Through", "Between", "Among", "As", "Because", "Since", "Until", "Unless", "Whether", "Do", "Does", "Did", "Don't", "Didn't", "Can", "Can't", "Could", "Couldn't", "Will", "Won't", "Would", "Wouldn't", "Shall", "Should", "Shouldn't", "May", "Might", "Must", "Let", "Is", "Are", "Was", "Were", "Be", "Been", "Being", "Have", "Has", "Had", "Go", "Come", "Look", "See", "Tell", "Say", "Said", "Ask", "Take", "Give", "Get", "Make", "Know", "Think", "Wait", "Stop", "Listen", "Hear", "Remember", "Mind", "Sure", "Right", "Wrong", "True", "False", "Really", "Why", "Whence", "Hence", "Meanwhile", "However", "Besides", "Nevertheless", "Still", "Street", "Square", "Road", "House", "Hall", "Park", "Court", "Place", "Lane", "Hill", "Church", "Abbey", "Castle", "Station", "Hotel", "Club", "King", "Queen", "Prince", "Princess", "Duke", "Colonel", "Captain", "Major", "General", "Doctor", "Professor", "Monsieur", "Madame", "Mademoiselle", "Signor", "Signora", "Herr", "Frau", "Don", "Sister", "Brother", "Master", "Mistress", "Nurse", "Old", "Young", "Little", "Great", "Big", "New", "St", "St.", "Saint", "Mount", "Lake", "River", "Sea", "Ocean", "North", "South", "East", "West", "Heaven", "Hell", "Paradise", "Ha", "Ho", "Eh", "Bah", "Pooh", "Pshaw", "Hum", "Hm", "Hmm", "Um", "Er", "Ugh", "Wow", "Hey", "Hi", "Okay", "OK", "Ok", "Too", "Later", "Soon", "Today", "Tonight", "Tomorrow", "Yesterday", "Morning", "Evening", "Night", "Day", "Madam", "Ladies", "Gentlemen", "Sirs", "Man", "Woman", "Boy", "Girl", "Child", "Mrs.", "Mr.", "Dr.", "Dr", "Rev.", "Rev", "Mme.", "Mlle.", "M.", "Bye", "Yeah", "Yep", "Nope", "Maybe", "Alright", "Besides"]
)  # (the calendar words below join it)
# Feasts and seasons of the church year and other holidays, capitalised as English writes them and no one's name:
# "Halloween came and went" is no person acting, and the capital right after one is part of the day ("Christmas
# Eve", "Easter Sunday"), not a name ("Eve"). (Not the seasons: Summer, Autumn and Winter name people too.)
HOLIDAYS = frozenset(
    ["Christmas", "Xmas", "Easter", "Halloween", "Hallowe'en", "Thanksgiving", "Michaelmas", "Candlemas", "Lammas",
     "Martinmas", "Whitsun", "Whitsuntide", "Shrovetide", "Yuletide", "Yule", "Midsummer", "Hanukkah", "Chanukah",
     "Passover", "Ramadan", "Diwali", "Lent", "Advent", "Pentecost", "Hogmanay"]
)
# The days of the week said of every such day ("On Tuesdays", "Mondays always did"): a plural names nobody.
DAY_PLURALS = frozenset(["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"])
STOPWORDS = STOPWORDS | HOLIDAYS | DAY_PLURALS



def _letter_ranges(case: str) -> str:
    """Regex class body (ranges) of the non-ASCII Latin, Greek and Cyrillic letters of one case."""
    chars = [c for c in map(chr, range(0xC0, 0x530)) if (c.isupper() if case == "upper" else c.islower())]
    out: list[str] = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        out.append(chars[i] if i == j else f"{chars[i]}-{chars[j]}")
        i = j + 1
    return "".join(out)


# Upper- and lower-case letters for name patterns, accented ones included: a story's "Léonce", "Zoë",
# "Émile" or "Łucja" is a name like any other ([A-Z][a-z]+ would see "L" and "once", or nothing).
UPPER = "A-Z" + _letter_ranges("upper")
LOWER = "a-z" + _letter_ranges("lower")
LETTER = UPPER + LOWER

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
# A word of letters in any alphabet with its apostrophe ending ("Léonce's", "don't"): how character discovery
# and the first-person narrator count a story's words (WORD_RE above is the ASCII word of attribution).
LETTER_WORD_RE = re.compile(rf"[{LETTER}]+(?:'[{LOWER}]+)?")
# Hyphenated names: "Anna-Maria", and with short lower-case words inside, "Tom-the-Piper",
# "Jack-in-the-Box" -- one name, not a name, a "the" and another name.
NAME_WORD = rf"(?:Mac|Mc|O')?[{UPPER}][{LOWER}]+(?:-(?:[{LOWER}]{{1,4}}-){{0,2}}[{UPPER}][{LOWER}]+){{0,2}}"
# A name set off as a vocative inside a quotation: '"Jake, come here."', '"Thank you, Watson."' (or
# '"Anna-Maria, come here."': a name word as character discovery reads it, hyphenated ones too), up to
# three of them ("Mary Ann Reed,": two given names and a surname).
VOCATIVE_RE = re.compile(
    r"(?:^[\"\u201c']|,\s+|[.!?]\s+)(?P<v>(?:(?:Mr|Mrs|Dr|Miss)\.?\s+)?" + NAME_WORD + r"(?:\s+" + NAME_WORD + r"){0,2})(?=[,.!?])"
)
# Capitalised words that are never a name, even after a title ("Mr. Hall" is a name, "Mr. And" is not).
FUNCTION_WORDS = frozenset(
    ["I", "A", "An", "The", "This", "That", "These", "Those", "It", "He", "She", "We", "You", "They", "Me", "Him", "Her", "Us", "Them", "My", "Your", "His", "Its", "Our", "Their", "And", "But", "Or", "Nor", "If", "When", "While", "Then", "So", "Yet", "For", "Of", "In", "On", "At", "To", "By", "With", "From", "As", "Is", "Was", "Are", "Were", "Be", "Been", "Not", "No", "Yes"]
)
# ...and words that may stand where a name would ("Nobody", "Presently", "Sir") but name nobody: not a speaker
# in a tag, not a vocative.
NOT_NAMES = FUNCTION_WORDS | frozenset(
    ["Nobody", "Somebody", "Someone", "Everyone", "Everybody", "Anybody", "Anyone", "Nothing", "Something", "Everything", "None", "Each", "All", "Both", "Another", "Other", "Others", "One", "Some", "Many", "Most", "Several", "Such", "What", "Who", "Which", "Whose", "Why", "How", "Where", "There", "Here", "Now", "Then", "Thus", "Still", "Presently", "Afterwards", "Again", "Once", "Instantly", "Suddenly", "Finally", "Meanwhile", "Lord", "God", "Heaven", "Sir", "Madam"]
)


def gender_of_title(title: str) -> str:
    """'male', 'female' or 'unknown' for a title word such as 'Mrs.'."""
    if title in NEUTRAL_TITLES:
        return "unknown"
    if title in FEMALE_TITLES:
        return "female"
    if title in MALE_TITLES:
        return "male"
    return "unknown"

# Words of address that tell the listener's gender ("Yes, sir." / "Come here, my girl!"), read wherever a
# quotation calls someone by one: attribution takes them as a clue to who is spoken to, character discovery
# as the gender of the one just tagged when the untagged reply calls them so. One table for both.
MALE_ADDRESS = frozenset(
    ["sir", "papa", "father", "uncle", "brother", "my lord", "my boy", "my son", "young man", "old man", "old fellow",
     "old chap", "my dear fellow", "my good fellow", "my good man", "my man", "sonny", "mister", "dad", "daddy", "sire"]
)
FEMALE_ADDRESS = frozenset(
    ["madam", "ma'am", "mamma", "mama", "mother", "aunt", "auntie", "sister", "my lady", "my girl", "my daughter",
     "young lady", "my good woman", "miss", "missis", "missus", "mum", "mummy", "my dear girl", "madame", "mademoiselle"]
)
# One of them set off by punctuation on both sides, as a vocative is ("Oh, mother, do", "Papa!"), so that "I
# told mother." or "the old man." in a sentence is no address. Longest first, so "my dear girl" beats "my girl".
ADDRESS_RE = re.compile(
    r"(?:^|[,!?.;:\"'\u201c\u2018\-]\s*)((?:" + "|".join(re.escape(w) for w in sorted(
        MALE_ADDRESS | FEMALE_ADDRESS, key=lambda w: (-len(w), w))) + r"))\s*[,!?.;:\"\u201d\u2019\-]", re.IGNORECASE)


def address_gender(word: str) -> str:
    """'male' or 'female' for a word of address ADDRESS_RE found ("Sir" -> 'male'), whatever its case."""
    return "male" if word.lower() in MALE_ADDRESS else "female"


# Common English given names whose gender is settled, as a fallback when the pronouns around a name
# do not decide (a man and a woman talking in the same paragraphs). Pronoun evidence wins over these.
MALE_NAMES = frozenset(
    ["Aaron", "Abraham", "Adam", "Adrian", "Albert", "Alan", "Alec", "Alexander", "Alfred", "Algernon", "Alistair", "Allan", "Ambrose", "Andrew", "Angus", "Anthony", "Archibald", "Archie", "Arnold", "Arthur", "Augustus", "Austin", "Barnaby", "Bartholomew", "Basil", "Ben", "Benedict", "Benjamin", "Bernard", "Bert", "Bertie", "Bertram", "Bill", "Billy", "Bob", "Boris", "Bradley", "Brian", "Bruce", "Bruno", "Carl", "Cecil", "Cedric", "Charles", "Charlie", "Christopher", "Clarence", "Claude", "Clement", "Clifford", "Colin", "Conrad", "Cornelius", "Cuthbert", "Cyril", "Daniel", "David", "Dennis", "Derek", "Desmond", "Dick", "Dominic", "Donald", "Douglas", "Dudley", "Duncan", "Edgar", "Edmund", "Edward", "Edwin", "Egbert", "Eli", "Elijah", "Ellis", "Emil", "Eric", "Ernest", "Ernst", "Eugene", "Evan", "Felix", "Ferdinand", "Francis", "Frank", "Franklin", "Fred", "Freddie", "Freddy", "Frederick", "Gabriel", "Gareth", "Geoffrey", "George", "Gerald", "Gerard", "Gilbert", "Giles", "Godfrey", "Gordon", "Graham", "Gregory", "Guy", "Hal", "Harold", "Harry", "Harvey", "Hector", "Henry", "Herbert", "Horace", "Howard", "Hubert", "Hugh", "Hugo", "Humphrey", "Ian", "Isaac", "Ivan", "Jack", "Jacob", "Jake", "James", "Jasper", "Jeremy", "Jerome", "Jim", "Jimmy", "Joe", "Joel", "John", "Johnny", "Jonathan", "Joseph", "Joshua", "Julian", "Julius", "Karl", "Keith", "Kenneth", "Lancelot", "Laurence", "Lawrence", "Leo", "Leonard", "Leslie", "Lewis", "Lionel", "Louis", "Luke", "Malcolm", "Mark", "Martin", "Matthew", "Maurice", "Max", "Maximilian", "Michael", "Mike", "Miles", "Morris", "Nathan", "Nathaniel", "Ned", "Neville", "Nicholas", "Nick", "Nigel", "Noel", "Norman", "Oliver", "Oscar", "Oswald", "Owen", "Patrick", "Paul", "Percival", "Percy", "Peter", "Philip", "Quentin", "Ralph", "Randolph", "Raymond", "Reginald", "Richard", "Robert", "Robin", "Roderick", "Roger", "Roland", "Ronald", "Rupert", "Samuel", "Sebastian", "Septimus", "Sidney", "Silas", "Simon", "Stanley", "Stephen", "Steven", "Stuart", "Sydney", "Ted", "Teddy", "Terence", "Theodore", "Thomas", "Timothy", "Toby", "Tom", "Tommy", "Tony", "Trevor", "Victor", "Vincent", "Walter", "Wilfred", "Will", "William", "Willie", "Willoughby", "Winston", "Wyndham", "Zachary"]
)
FEMALE_NAMES = frozenset(
    ["Abigail", "Ada", "Adela", "Adelaide", "Adele", "Agatha", "Agnes", "Alice", "Alicia", "Amelia", "Amy", "Anna", "Anne", "Annie", "Arabella", "Augusta", "Barbara", "Beatrice", "Becky", "Bella", "Bertha", "Betsy", "Betty", "Blanche", "Bridget", "Caroline", "Cassandra", "Catherine", "Cecilia", "Cecily", "Celia", "Charlotte", "Christina", "Clara", "Clarissa", "Constance", "Cora", "Cordelia", "Daisy", "Diana", "Dinah", "Dolly", "Dora", "Dorothea", "Dorothy", "Edith", "Edna", "Eleanor", "Elinor", "Eliza", "Elizabeth", "Ella", "Ellen", "Elsie", "Emily", "Emma", "Esther", "Ethel", "Eugenia", "Eva", "Evelyn", "Evie", "Fanny", "Flora", "Florence", "Frances", "Georgiana", "Georgina", "Gertrude", "Grace", "Gwendolen", "Hannah", "Harriet", "Hattie", "Helen", "Helena", "Henrietta", "Hester", "Hilda", "Ida", "Irene", "Isabel", "Isabella", "Jane", "Janet", "Janey", "Jean", "Jemima", "Jennie", "Jenny", "Jessica", "Jessie", "Joan", "Josephine", "Judith", "Julia", "Juliet", "Kate", "Katharine", "Katherine", "Kathleen", "Kitty", "Laura", "Lavinia", "Letitia", "Lilian", "Lily", "Lizzie", "Lizzy", "Lois", "Lottie", "Louisa", "Louise", "Lucia", "Lucy", "Lydia", "Mabel", "Madeline", "Maggie", "Margaret", "Maria", "Marian", "Marianne", "Marie", "Marilla", "Marion", "Martha", "Mary", "Matilda", "Maud", "Maude", "May", "Meg", "Minnie", "Miriam", "Molly", "Nancy", "Nell", "Nellie", "Nora", "Olive", "Olivia", "Pauline", "Penelope", "Philippa", "Phoebe", "Polly", "Priscilla", "Prudence", "Rachel", "Rebecca", "Rhoda", "Rosa", "Rosalind", "Rose", "Rosamond", "Ruth", "Sally", "Sarah", "Selina", "Sophia", "Sophie", "Sophy", "Susan", "Susanna", "Sybil", "Sylvia", "Teresa", "Theresa", "Tilly", "Ursula", "Victoria", "Violet", "Virginia", "Winifred"]
)


# The lists as shipped, whoever has emptied them since (ablate_name_gender finds their holders by identity).
_GIVEN_NAME_LISTS = (MALE_NAMES, FEMALE_NAMES)


def ablate_name_gender() -> None:
    """Empty the given-name gender lists (MALE_NAMES, FEMALE_NAMES) in every narrator module that holds them, so
    a character's gender comes from the text alone: a measuring hook (benchmarks/attribution.py
    --no-name-gender), not a user option.

    A module that imports a list by name keeps its own reference, so emptying lexicon's alone changes nothing
    there. The holders are found by identity among the modules character discovery and attribution load (they
    are loaded here first), so a list that moves to a new module needs no change here.
    """
    import sys

    import narrator.attribution
    import narrator.characters  # noqa: F401  (both: every module that reads given names is loaded)

    for name, mod in list(sys.modules.items()):
        if name == "narrator" or name.startswith("narrator."):
            for attr, value in list(vars(mod).items()):
                if any(value is given for given in _GIVEN_NAME_LISTS):
                    setattr(mod, attr, frozenset())


# English pet forms of given names that are not a prefix of the name ("Lizzy" for Elizabeth, "Bob" for
# Robert), so the prefix rule for nicknames cannot find them. Each pet form lists the full given names
# it can stand for; clustering joins a pet-form character to a full-name character only when exactly
# one such character exists and is of the same gender. Written from general knowledge of English usage.
_MALE_PETS = {
    "Bill": "William", "Billy": "William", "Will": "William", "Willie": "William", "Willy": "William",
    "Bob": "Robert", "Bobby": "Robert", "Rob": "Robert", "Bertie": "Robert Albert Herbert",
    "Dick": "Richard", "Dicky": "Richard", "Rick": "Richard", "Dickon": "Richard",
    "Harry": "Henry Harold", "Hal": "Henry Harold", "Hank": "Henry",
    "Jack": "John", "Johnny": "John Jonathan", "Jock": "John",
    "Ned": "Edward Edmund Edwin", "Ted": "Edward Theodore", "Teddy": "Edward Theodore", "Neddy": "Edward Edmund",
    "Tony": "Anthony Antony", "Sandy": "Alexander", "Alec": "Alexander", "Alick": "Alexander",
    "Mike": "Michael", "Mick": "Michael", "Micky": "Michael",
    "Jim": "James", "Jimmy": "James", "Jem": "James Jeremiah", "Jamie": "James",
    "Tom": "Thomas", "Tommy": "Thomas", "Nat": "Nathaniel Nathan",
    "Joe": "Joseph", "Joey": "Joseph", "Ben": "Benjamin", "Sam": "Samuel", "Sammy": "Samuel",
    "Nick": "Nicholas", "Steve": "Stephen Steven", "Charley": "Charles", "Charlie": "Charles",
    "Chuck": "Charles", "Fred": "Frederick Alfred", "Freddy": "Frederick Alfred", "Freddie": "Frederick Alfred",
    "Geoff": "Geoffrey", "Jerry": "Gerald Jeremiah", "Larry": "Lawrence Laurence", "Nol": "Oliver",
    "Ollie": "Oliver", "Pete": "Peter", "Phil": "Philip Phillip", "Ray": "Raymond", "Ron": "Ronald",
    "Wat": "Walter", "Watty": "Walter", "Hob": "Robert", "Hodge": "Roger", "Kit": "Christopher",
    "Tim": "Timothy", "Toby": "Tobias", "Dan": "Daniel", "Danny": "Daniel", "Davy": "David", "Dave": "David",
    "Taffy": "David", "Andy": "Andrew", "Drew": "Andrew", "Matt": "Matthew", "Archie": "Archibald",
    "Gus": "Augustus Gustavus", "Dolph": "Adolphus Rudolph", "Dolphus": "Adolphus", "Zeke": "Ezekiel",
    "Lem": "Lemuel", "Abe": "Abraham", "Ike": "Isaac", "Sim": "Simon Simeon", "Sol": "Solomon",
}
_FEMALE_PETS = {
    "Lizzy": "Elizabeth Eliza", "Lizzie": "Elizabeth Eliza", "Liz": "Elizabeth Eliza", "Eliza": "Elizabeth",
    "Betsy": "Elizabeth", "Betsey": "Elizabeth", "Bess": "Elizabeth", "Bessie": "Elizabeth",
    "Bessy": "Elizabeth", "Betty": "Elizabeth", "Beth": "Elizabeth", "Lisa": "Elizabeth", "Libby": "Elizabeth",
    "Fanny": "Frances", "Frankie": "Frances", "Kitty": "Catherine Katherine Kathleen", "Kate": "Catherine Katherine",
    "Katy": "Catherine Katherine", "Kathy": "Catherine Katherine", "Cathy": "Catherine", "Kat": "Katherine",
    "Peggy": "Margaret", "Meg": "Margaret", "Maggie": "Margaret",
    "Polly": "Mary", "Molly": "Mary", "Mamie": "Mary",
    "Minnie": "Mary Wilhelmina",
    "Sally": "Sarah Sara", "Sadie": "Sarah Sara", "Patsy": "Martha Patricia", "Patty": "Martha Patricia",
    "Matty": "Martha Matilda", "Nell": "Eleanor Ellen Helen Elinor", "Nelly": "Eleanor Ellen Helen Elinor",
    "Nellie": "Eleanor Ellen Helen Elinor", "Ellie": "Eleanor Elinor", "Dolly": "Dorothy",
    "Dot": "Dorothy", "Dora": "Dorothy Theodora", "Jenny": "Jane Jennifer Janet", "Jennie": "Jane Janet",
    "Jinny": "Jane Virginia", "Janey": "Jane", "Jess": "Jessica", "Jessie": "Janet Jessica",
    "Nancy": "Anne Ann Anna", "Nan": "Anne Ann Anna", "Nanny": "Anne Ann", "Annie": "Anne Ann Anna",
    "Hetty": "Henrietta Hester Esther", "Etta": "Henrietta", "Hatty": "Harriet", "Hattie": "Harriet",
    "Sukey": "Susan Susanna", "Sue": "Susan Susanna", "Susie": "Susan Susanna", "Suky": "Susan Susanna",
    "Tilly": "Matilda", "Tilda": "Matilda", "Letty": "Letitia", "Lettice": "Letitia",
    "Lottie": "Charlotte", "Lotty": "Charlotte", "Totty": "Charlotte",
    "Milly": "Mildred Millicent Amelia Emily", "Millie": "Mildred Millicent Amelia Emily", "Emmy": "Emily Emma Amelia",
    "Bella": "Isabella Arabella Isabel", "Belle": "Isabella Isabel", "Tibby": "Isabella Isabel", "Izzy": "Isabella Isabel",
    "Becky": "Rebecca", "Becca": "Rebecca", "Biddy": "Bridget", "Cissy": "Cecilia Cecily",
    "Sukie": "Susan", "Trudy": "Gertrude", "Gertie": "Gertrude", "Winnie": "Winifred", "Abby": "Abigail",
    "Nabby": "Abigail", "Debby": "Deborah", "Gussie": "Augusta",
    "Carrie": "Caroline", "Dodo": "Dorothea", "Prissy": "Priscilla",
    "Cilla": "Priscilla", "Tabby": "Tabitha", "Flo": "Florence", "Flossie": "Florence", "Effie": "Euphemia",
    "Phemie": "Euphemia", "Georgy": "Georgiana Georgina", "Georgie": "Georgiana Georgina",
    "Louie": "Louisa Louise", "Loo": "Louisa", "Lou": "Louisa Louise", "Judy": "Judith",
    "Ginny": "Virginia", "Addie": "Adelaide Adeline", "Nessa": "Vanessa",
}
# pet form -> (gender, the full given names it may stand for)
HYPOCORISMS: dict[str, tuple[str, frozenset[str]]] = {
    pet: (gender, frozenset(full.split()))
    for gender, table in (("male", _MALE_PETS), ("female", _FEMALE_PETS))
    for pet, full in table.items()
}

# Nouns that tell a person's gender as surely as a title does ("the duchess", "the landlord", "said the
# old man"). One list for character discovery and attribution alike: two copies had drifted apart.
MALE_NOUNS = frozenset(
    ["man", "gentleman", "boy", "lad", "fellow", "youth", "schoolboy", "father", "brother", "son", "uncle",
     "husband", "nephew", "grandfather", "bridegroom", "widower", "king", "prince", "lord", "sir", "duke", "count",
     "baron", "marquis", "earl", "emperor", "squire", "knight", "master", "host", "landlord", "monk", "abbot",
     "friar", "chaplain", "vicar", "curate", "priest", "clergyman", "frenchman", "englishman", "mariner", "sailor",
     "captain", "colonel", "general", "footman", "butler", "waiter", "policeman", "constable", "stallion", "colt"]
)
FEMALE_NOUNS = frozenset(
    ["woman", "lady", "girl", "lass", "schoolgirl", "mother", "sister", "daughter", "aunt", "wife", "niece",
     "grandmother", "bride", "widow", "spinster", "dame", "queen", "princess", "duchess", "countess", "baroness",
     "marchioness", "empress", "mistress", "hostess", "landlady", "nun", "abbess", "governess", "maid", "housemaid",
     "parlourmaid", "nursemaid", "barmaid", "waitress", "actress", "heiress", "mare", "filly"]
)


# Under this many characters a story is "short": it names its people fewer times, so one person-like use of a
# name is evidence enough, a job word that acts is a voice, and a narrator called by name twice is named.
SHORT_STORY = 100_000


def noun_gender(head: str) -> str:
    """'male', 'female' or 'unknown' for a people-noun such as 'duchess' (the head of "the old duchess")."""
    if head in MALE_NOUNS:
        return "male"
    if head in FEMALE_NOUNS:
        return "female"
    return "unknown"

# People named by their work: usually met once, and a character of their own.
OCCUPATIONS = frozenset(
    ["servant", "butler", "maid", "parlourmaid", "housemaid", "footman", "waiter", "waitress", "porter", "coachman",
     "driver", "cabman", "conductor", "guard", "policeman", "constable", "officer", "clerk", "stationmaster",
     "station-master", "landlord", "landlady", "innkeeper", "shopkeeper", "shopman", "doorman", "concierge", "valet",
     "judge", "rector", "vicar", "priest", "sailor", "mariner", "soldier", "sergeant", "boatman", "gardener",
     "housekeeper", "cook", "postman", "messenger", "lacquey", "lackey", "croupier", "patronne", "proprietor",
     "bartender", "barman", "barmaid", "chauffeur", "ferryman", "gamekeeper", "keeper", "coroner", "magistrate",
     "attendant", "secretary", "official", "usher", "navvy", "warder", "jailer", "gaoler", "turnkey", "beadle"]
)

# Animals and creatures: when a story never names one ("said the unicorn", "the dragon said"), what it is is all
# it is called, as for an occupation; a creature with a name keeps "the dragon" as a mere epithet of that name.
CREATURES = frozenset(
    ["unicorn", "dragon", "griffon", "griffin", "pegasus", "alicorn", "crow", "raven", "owl", "fox", "wolf", "bear",
     "cat", "dog", "mole", "rabbit", "hare", "badger", "toad", "frog", "horse", "pony", "mouse", "rat", "goose"]
)

# Words that set one of a kind against another: "the other dragon", "the younger unicorn" is not the dragon or the
# unicorn the story already knows, so such a described epithet never falls back on the bare noun's owner.
CONTRAST_WORDS = frozenset(
    ["other", "another", "second", "third", "new", "strange", "unfamiliar", "unknown", "different", "younger",
     "older", "elder", "smaller", "larger", "bigger", "taller", "shorter", "first", "last", "next"]
)

# "I am Nocturne, Keeper of the sky", "Name's Gilda": a speaker giving their own name. Not a possessive
# ("I'm Jane's friend") and not a name that goes on into a longer phrase of capitalised words.
SELF_INTRO = re.compile(
    r"(?:\b(?:I\s+am|I'm|I\u2019m)|(?:^[\"\u201c]?|[.!?,]\s+)(?:[Mm]y\s+name\s+is|[Mm]y\s+name's|[Nn]ame's|[Nn]ame\u2019s|"
    r"[Tt]he\s+name's|[Cc]all\s+me))\s+"
    rf"(?P<name>[{UPPER}][{LOWER}]+(?:\s+[{UPPER}][{LOWER}]+)?)(?![\w'\u2019])(?=\s*(?:[,.!?;:\u2014\u2013]|--|$|\s+and\b))"
)
# Cheap test before SELF_INTRO: nearly no quotation holds any of these, and the regex is slow to fail.
_SELF_INTRO_HINT = re.compile(r"I am|I'm|I\u2019m|[Nn]ame|[Cc]all me")


def self_introductions(text: str) -> list[re.Match[str]]:
    """SELF_INTRO matches in `text` (a quotation)."""
    return list(SELF_INTRO.finditer(text)) if _SELF_INTRO_HINT.search(text) else []


# "Who are you?" / "What's your name?" / "And you are...?": a question for the listener's own name.
_ASKS_NAME = re.compile(r"\b(?:[Ww]ho\s+(?:are|were)\s+you|[Ww]ho'?re\s+you|[Ww]hat(?:'s|\s+is)\s+your\s+name|"
                        r"[Yy]our\s+name\b[^.!]*\?|[Aa]nd\s+you\s+are\b)")
# The answer that opens with a bare name: "Ines Calder. I'm the new relief keeper." / "Bram, miss."
_NAME_ANSWER = re.compile(rf"^[\"\u201c]?(?P<name>[{UPPER}][{LOWER}]+(?:\s+[{UPPER}][{LOWER}]+)?)(?=[.,!]|\u2014|--)")


def asks_name(quote: str) -> bool:
    """Whether a quotation asks the one spoken to for their own name."""
    return _ASKS_NAME.search(quote) is not None and quote.rstrip(" \"'\u201d\u2019").endswith("?")


def name_answer(quote: str) -> re.Match[str] | None:
    """The name a reply to "Who are you?" opens with ("Ines Calder. I'm ..."), or None."""
    return _NAME_ANSWER.match(quote)


# What only a person (or a creature that talks) does: "Bob shrugged", "Cass woke", "Moss leaned". Not what weather,
# days or silence do ("Thunder rolled", "Tuesday dragged on", "Silence followed", "Night fell"), so a capitalised
# word the story never writes in lower case is not a person for doing one of those before a quotation.
PERSON_ACTS = both_tenses(frozenset(
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


ACT_ED = re.compile(r"[a-z]{2,}ed")


# Verbs of looking at someone: in "Berry frowned at her brother" the "her" is another's, and says nothing of
# Berry's sex. In both tenses ("Berry frowns at her brother"): six of them had no present.
LOOK_VERBS = both_tenses(frozenset(["look", "looks", "looked", "looking", "stare", "stared", "staring", "gaze", "gazed",
                                    "gazing", "glance", "glanced", "glancing", "smile", "smiled", "smiling", "glare",
                                    "glared", "peered", "frowned", "grinned", "winked", "laughed", "nodded"]))


# Words that may open a sentence before its subject without bringing in anyone else ("And then Quill ...").
SUBJECT_LEAD = frozenset(["and", "but", "then", "so", "yet", "now", "still", "at", "last", "presently", "soon",
                          "suddenly", "meanwhile", "here", "there", "just"])
