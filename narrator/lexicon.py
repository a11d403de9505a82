"""Word lists shared by character discovery and attribution (titles, speech verbs, pronouns)."""

from __future__ import annotations

import re

MALE_TITLES = frozenset(
    ["Mr", "Mr.", "Mister", "Sir", "Lord", "Monsieur", "M.", "Signor", "Herr", "Colonel", "Captain", "Major", "General", "Admiral", "Lieutenant", "Uncle", "Father", "Brother", "Prince", "King", "Duke", "Count", "Baron", "Master", "Rev", "Rev.", "Reverend", "Mynheer", "Senor", "Don", "Professor", "Inspector", "Sergeant", "Dr", "Dr.", "Doctor", "Judge", "Bishop", "Earl", "Marquis", "Squire", "Corporal", "Private"]
)
FEMALE_TITLES = frozenset(
    ["Mrs", "Mrs.", "Miss", "Ms", "Ms.", "Lady", "Madame", "Mme", "Mme.", "Mademoiselle", "Mlle", "Mlle.", "Signora", "Signorina", "Frau", "Fraulein", "Aunt", "Mother", "Sister", "Princess", "Queen", "Duchess", "Countess", "Baroness", "Mistress", "Dame", "Senora", "Donna", "Nurse"]
)
# Titles that do not tell the gender by themselves (Doctor, Professor ...) are in MALE_TITLES only by
# historical default; these are treated as neutral when guessing gender.
NEUTRAL_TITLES = frozenset(["Professor", "Inspector", "Dr", "Dr.", "Doctor", "Judge", "Sergeant", "Corporal", "Private"])
TITLES = MALE_TITLES | FEMALE_TITLES

SPEECH_VERBS = frozenset(
    ["said", "says", "say", "saying", "replied", "replies", "reply", "answered", "answers", "answer", "asked", "asks", "ask", "cried", "cries", "exclaimed", "exclaims", "shouted", "shouts", "yelled", "yells", "called", "calls", "whispered", "whispers", "muttered", "mutters", "murmured", "murmurs", "added", "adds", "continued", "continues", "went", "began", "begins", "resumed", "resumes", "returned", "returns", "rejoined", "rejoins", "remarked", "remarks", "observed", "observes", "repeated", "repeats", "interrupted", "interrupts", "suggested", "suggests", "explained", "explains", "protested", "protests", "declared", "declares", "insisted", "insists", "urged", "urges", "retorted", "retorts", "responded", "responds", "demanded", "demands", "inquired", "inquires", "enquired", "enquires", "pleaded", "pleads", "begged", "begs", "groaned", "groans", "sighed", "sighs", "laughed", "laughs", "snapped", "snaps", "growled", "growls", "gasped", "gasps", "stammered", "stammers", "stuttered", "stutters", "screamed", "screams", "shrieked", "shrieks", "roared", "roars", "bellowed", "bellows", "hissed", "hisses", "grumbled", "grumbles", "admitted", "admits", "agreed", "agrees", "assented", "assents", "persisted", "persists", "concluded", "concludes", "cautioned", "warns", "warned", "announced", "announces", "mused", "muses", "wondered", "wonders", "thought", "thinks", "breathed", "breathes", "sobbed", "sobs", "moaned", "moans", "chuckled", "chuckles", "giggled", "giggles", "smiled", "smiles", "grinned", "grins", "nodded", "nods", "stated", "states", "told", "tells", "spoke", "speaks", "uttered", "utters", "ventured", "ventures", "faltered", "falters", "echoed", "echoes", "sneered", "sneers", "scoffed", "scoffs", "teased", "teases", "joked", "jokes", "offered", "offers", "promised", "promises", "corrected", "corrects", "countered", "counters", "objected", "objects", "conceded", "concedes", "confessed", "confesses", "whimpered", "whimpers", "squeaked", "squeaks", "squealed", "squeals", "chimed", "chimes", "piped", "pipes", "exploded", "explodes", "blurted", "blurts", "drawled", "drawls", "purred", "purrs", "barked", "barks", "mumbled", "mumbles", "returned", "rejoined", "cried", "put", "pursued", "pursues", "proceeded", "proceeds", "commented", "comments", "affirmed", "affirms", "assured", "assures", "reminded", "reminds", "rejoined", "replied", "answered"]
)
MALE_PRONOUNS = frozenset(["he", "him", "his", "himself"])
FEMALE_PRONOUNS = frozenset(["she", "her", "hers", "herself"])

# Capitalised words that start sentences or fill speech and are never character names.
STOPWORDS = frozenset(
    ["I", "I'm", "I'll", "I've", "I'd", "A", "An", "The", "This", "That", "These", "Those", "There", "Then", "Than", "Though", "Thus", "Their", "They", "Them", "He", "She", "It", "We", "You", "Your", "You're", "Yours", "My", "Mine", "Our", "Ours", "His", "Her", "Hers", "Its", "And", "But", "Or", "Nor", "For", "So", "Yet", "If", "When", "While", "Where", "Which", "Who", "Whom", "Whose", "Why", "What", "How", "Whatever", "Whoever", "Yes", "No", "Not", "Oh", "Ah", "Aye", "Nay", "Well", "Now", "Here", "Still", "Just", "Only", "Even", "Also", "Indeed", "Perhaps", "Surely", "Certainly", "Very", "Quite", "Pray", "Dear", "Good", "Bad", "Poor", "Oh", "Alas", "Hush", "Hullo", "Hello", "Hallo", "Goodbye", "Good-bye", "Please", "Thank", "Thanks", "Sir", "Madam", "Ma'am", "Mamma", "Mama", "Papa", "Mother", "Father", "Mum", "Dad", "Aunt", "Uncle", "Lord", "Lady", "God", "Heaven", "Heavens", "Christ", "Jesus", "Mr", "Mrs", "Miss", "Ms", "Chapter", "CHAPTER", "Book", "Part", "Volume", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Christmas", "Easter", "English", "French", "German", "Italian", "Spanish", "Russian", "American", "Indian", "Englishman", "Englishwoman", "Frenchman", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "First", "Second", "Third", "Last", "Next", "Every", "Each", "All", "Any", "Some", "Many", "Much", "Most", "More", "Such", "Both", "Either", "Neither", "Nothing", "Something", "Anything", "Everything", "Nobody", "Somebody", "Anybody", "Everybody", "Everyone", "Someone", "Anyone", "None", "After", "Before", "Again", "Always", "Never", "Once", "Twice", "At", "In", "On", "Of", "To", "By", "With", "Without", "From", "Into", "Upon", "About", "Above", "Below", "Over", "Under", "Through", "Between", "Among", "As", "Because", "Since", "Until", "Unless", "Whether", "Do", "Does", "Did", "Don't", "Didn't", "Can", "Can't", "Could", "Couldn't", "Will", "Won't", "Would", "Wouldn't", "Shall", "Should", "Shouldn't", "May", "Might", "Must", "Let", "Is", "Are", "Was", "Were", "Be", "Been", "Being", "Have", "Has", "Had", "Go", "Come", "Look", "See", "Tell", "Say", "Said", "Ask", "Take", "Give", "Get", "Make", "Know", "Think", "Wait", "Stop", "Listen", "Hear", "Remember", "Mind", "Sure", "Right", "Wrong", "True", "False", "Really", "Why", "Whence", "Hence", "Meanwhile", "However", "Besides", "Nevertheless", "Still", "Street", "Square", "Road", "House", "Hall", "Park", "Court", "Place", "Lane", "Hill", "Church", "Abbey", "Castle", "Station", "Hotel", "Club", "King", "Queen", "Prince", "Princess", "Duke", "Colonel", "Captain", "Major", "General", "Doctor", "Professor", "Monsieur", "Madame", "Mademoiselle", "Signor", "Signora", "Herr", "Frau", "Don", "Sister", "Brother", "Master", "Mistress", "Nurse", "Old", "Young", "Little", "Great", "Big", "New", "St", "St.", "Saint", "Mount", "Lake", "River", "Sea", "Ocean", "North", "South", "East", "West", "Heaven", "Hell", "Paradise", "Ha", "Ho", "Eh", "Bah", "Pooh", "Pshaw", "Hum", "Hm", "Hmm", "Um", "Er", "Ugh", "Wow", "Hey", "Hi", "Okay", "OK", "Ok", "Too", "Later", "Soon", "Today", "Tonight", "Tomorrow", "Yesterday", "Morning", "Evening", "Night", "Day", "Madam", "Ladies", "Gentlemen", "Sirs", "Man", "Woman", "Boy", "Girl", "Child", "Mrs.", "Mr.", "Dr.", "Dr", "Rev.", "Rev", "Mme.", "Mlle.", "M.", "Bye", "Yeah", "Yep", "Nope", "Maybe", "Alright", "Besides"]
)

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")


def gender_of_title(title: str) -> str:
    """'male', 'female' or 'unknown' for a title word such as 'Mrs.'."""
    if title in NEUTRAL_TITLES:
        return "unknown"
    if title in FEMALE_TITLES:
        return "female"
    if title in MALE_TITLES:
        return "male"
    return "unknown"
