"""Who says a quote in prose, and which characters are he or she.

Attribution of one quote, strongest first:
1. a speech verb with a name after the quote (``"...," Buffy said`` / ``said Buffy``) or before
   it (``Buffy said, "..."``), or a ``Name: "..."`` label opening the paragraph; a described
   person (``said the old man``, ``the guard told her``) becomes a character ("Old Man");
2. a pronoun with a speech verb (``"...," she said``): the most recently named character of
   that gender (a first-person "I" is the point-of-view character);
3. an action beat by a known character in the same paragraph (``Buffy frowned. "..."``);
4. another attributed quote in the same paragraph (one speaker per paragraph);
5. a quote continuing a paragraph whose quote never closed: the same speaker;
6. turn-taking: a lone quote in a running two-person exchange goes to the other person.
Otherwise the narrator reads it and the parser warns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.parsing.common import canonical_name

SPEECH_VERBS = (
    "said|says|asked|asks|replied|replies|answered|answers|whispered|whispers|shouted|shouts|"
    "yelled|yells|cried|cries|called|calls|muttered|mutters|murmured|murmurs|snapped|snaps|"
    "added|adds|continued|continues|began|begins|told|tells|admitted|admits|exclaimed|demanded|"
    "insisted|laughed|sighed|breathed|growled|hissed|pleaded|protested|repeated|screamed|"
    "sobbed|stammered|suggested|warned|wondered|grumbled|offered|agreed|explained|interrupted|"
    "mumbled|noted|observed|announced|declared|promised|teased|joked|chuckled|giggled|sneered|"
    "spat|barked|roared|bellowed|croaked|rasped|urged|begged|prompted|reminded|retorted|"
    "countered|responded|conceded|corrected|confirmed|guessed|lied|mused|pressed|ventured|"
    "whimpered|groaned|moaned|gasped|panted|purred|huffed|scoffed|snorted|drawled|chirped|"
    "called out|shot back|went on"
)
_HONORIFIC = (r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Doctor|Professor|Prof|Aunt|Uncle|Captain|Capt|Lady|Lord"
              r"|Sir|Madam|Father|Sister|Brother|Mother|Grandma|Grandpa|Granny|Old|Young|Little)")
_WORD = r"[A-Z][\w'\u2019\-]*"
NAME = rf"(?:{_HONORIFIC}\.?\s+)?{_WORD}(?:\s+{_WORD})?"
_ADVERB = r"(?:[a-z]+ly\s+)?"
_TAIL = r"(?:\s+[\w'\u2019]+){0,4}?"  # "said to him", "asked the room"

_AFTER_NAME = re.compile(rf"^(?P<name>{NAME})\s+{_ADVERB}(?:{SPEECH_VERBS})\b")
_AFTER_VERB = re.compile(rf"^(?:{SPEECH_VERBS})\s+(?P<name>{NAME})\b")
_AFTER_PRONOUN = re.compile(rf"^(?P<pron>(?i:he|she|i))\s+{_ADVERB}(?:{SPEECH_VERBS})\b"
                            rf"|^(?:{SPEECH_VERBS})\s+(?P<pron2>he|she)\b")
_BEFORE_NAME = re.compile(rf"(?:^|(?<=[\s,;.!?]))(?P<name>{NAME})\s+{_ADVERB}(?:{SPEECH_VERBS})"
                          rf"{_TAIL}\s*[,:]?\s*$")
_BEFORE_PRONOUN = re.compile(rf"(?:^|(?<=[\s,;.!?]))(?P<pron>(?i:he|she|i))\s+{_ADVERB}"
                             rf"(?:{SPEECH_VERBS}){_TAIL}\s*[,:]?\s*$")
_UNNAMED = (r"(?:(?i:a|an|the|some|one|another)\s+(?:[a-z\-]+\s+){0,3}?[a-z\-]+"
            r"|(?i:someone|somebody|nobody|everyone|everybody))")
_AFTER_UNNAMED = re.compile(rf"^(?P<who>{_UNNAMED})\s+{_ADVERB}(?:{SPEECH_VERBS})\b"
                            rf"|^(?:{SPEECH_VERBS})\s+(?P<who2>{_UNNAMED})\b")
_BEFORE_UNNAMED = re.compile(rf"(?:^|(?<=[\s,;.!?]))(?P<who>{_UNNAMED})\s+{_ADVERB}"
                             rf"(?:{SPEECH_VERBS}){_TAIL}\s*[,:]?\s*$")
UNNAMED = "\x00someone"  # "a voice called": somebody the text does not name
# "said the old man": a speaker the text describes instead of naming becomes a character
# ("Old Man") when the description ends in one of these; the value is the gender it gives away.
_MALE_PERSONS = ("man boy gentleman king prince father son brother uncle grandfather husband "
                 "waiter landlord fisherman barman butler wizard lord duke monk policeman lad "
                 "fellow grandpa")
_FEMALE_PERSONS = ("woman girl lady queen princess mother daughter sister aunt grandmother wife "
                   "waitress landlady maid witch duchess nun policewoman lass grandma")
_OTHER_PERSONS = ("stranger child kid guard soldier sergeant captain officer detective doctor "
                  "nurse priest driver keeper farmer sailor pilot teacher clerk bartender servant "
                  "cook knight judge lawyer shopkeeper messenger innkeeper traveller traveler "
                  "visitor guest boatman ferryman constable inspector porter watchman")
PERSON_NOUNS: dict[str, str | None] = {
    **dict.fromkeys(_OTHER_PERSONS.split()),
    **dict.fromkeys(_MALE_PERSONS.split(), "male"),
    **dict.fromkeys(_FEMALE_PERSONS.split(), "female"),
}
_ARTICLES = frozenset({"a", "an", "the", "some", "one", "another"})


def described_speaker(phrase: str) -> str | None:
    """ "the old man" -> "Old Man"; None unless the phrase ends in a person (``PERSON_NOUNS``)."""
    words = phrase.lower().split()
    if len(words) < 2 or words[0] not in _ARTICLES or words[-1] not in PERSON_NOUNS:
        return None
    return " ".join(w.capitalize() for w in words[1:])


def described_gender(name: str) -> str | None:
    """The gender a described speaker's name gives away ("Old Man": male)."""
    return PERSON_NOUNS.get(name.split()[-1].lower()) if name else None
_BEAT_AFTER = re.compile(rf"^(?P<name>{NAME})\s+[a-z]")
_BEAT_BEFORE = re.compile(rf"(?:^|(?<=[.!?]\s))(?P<name>{NAME})\s+[a-z][^.!?\"\u201c\u201d]*"
                          rf"[.!?]\s*$")
LABEL = re.compile(rf"^(?P<name>{NAME})\s*:\s*(?=[\"\u201c\u201d])")
LEAD = re.compile(r"^[\s,;:\u2014\u2013\-]+")

# Capitalised words that start sentences, never names.
NOT_NAMES = frozenset([
    "he", "she", "it", "they", "we", "you", "i", "the", "a", "an", "then", "but", "and", "or",
    "so", "yet", "now", "when", "while", "as", "if", "this", "that", "these", "those", "there",
    "here", "what", "who", "why", "how", "where", "his", "her", "their", "our", "my", "your",
    "its", "one", "someone", "somebody", "everyone", "everybody", "nobody", "nothing",
    "something", "everything", "all", "both", "each", "no", "yes", "oh", "well", "still",
    "just", "later", "finally", "suddenly", "after", "before", "again", "once", "even", "only",
    "maybe", "perhaps", "meanwhile", "instead", "also", "with", "without", "for", "from",
    "into", "at", "by", "on", "in", "of", "to", "not", "never", "always", "sometimes", "soon",
    "outside", "inside", "tonight", "today", "tomorrow", "yesterday", "someday", "silence",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "like", "let",
    "please", "thank", "thanks", "sorry", "hello", "hey", "hi", "okay", "ok", "god", "dear",
    "every", "any", "many", "most", "some", "such", "much", "more", "less", "first", "last",
    "next", "other", "another", "there's", "it's", "that's", "i'm", "i'd", "i'll", "i've",
])
_LEADING_STARTERS = NOT_NAMES - {"the"}

MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
_PRONOUN = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_MALE_TITLES = frozenset({"mr", "sir", "lord", "uncle", "father", "brother", "king", "prince",
                          "grandpa", "man", "boy", "master", "duke", "mister", "monsieur",
                          "señor", "herr", "husband", "son", "dad", "daddy", "grandfather"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "lady", "aunt", "mother", "sister", "queen",
                            "princess", "grandma", "granny", "woman", "girl", "madam", "mistress",
                            "duchess", "madame", "señora", "frau", "wife", "daughter", "mom",
                            "mum", "mommy", "grandmother"})
# A short list of common first names; pronouns in the text outvote it.
_MALE_NAMES = frozenset([
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "tom", "charles", "chris", "christopher", "daniel", "dan", "matthew", "mark", "paul",
    "steven", "steve", "andrew", "andy", "peter", "jack", "harry", "george", "henry", "edward",
    "ed", "sam", "samuel", "ben", "benjamin", "frank", "jim", "joe", "tim", "timothy", "adam",
    "alex", "arthur", "brian", "bill", "bob", "carl", "dick", "eric", "fred", "greg", "ian",
    "kevin", "larry", "leo", "luke", "martin", "max", "nick", "oliver", "patrick", "ray",
    "roger", "ryan", "scott", "simon", "ted", "tony", "walter", "hugh", "elias", "silas",
    "owen", "noah", "liam", "ethan", "jacob", "lucas", "finn", "rupert", "spike", "angel",
    "xander", "giles",
])
_FEMALE_NAMES = frozenset([
    "mary", "patricia", "jennifer", "linda", "elizabeth", "liz", "barbara", "susan", "jessica",
    "sarah", "karen", "nancy", "lisa", "margaret", "betty", "sandra", "ashley", "emily",
    "emma", "donna", "michelle", "dorothy", "carol", "amanda", "melissa", "deborah",
    "stephanie", "rebecca", "laura", "sharon", "cynthia", "kathleen", "amy", "anna", "anne",
    "angela", "helen", "ruth", "alice", "grace", "clara", "rose", "lucy", "sophie", "olivia",
    "ava", "mia", "isabella", "charlotte", "amelia", "ella", "chloe", "zoe", "julia", "kate",
    "katie", "maria", "mara", "martha", "jane", "joan", "judy", "eve", "eva", "ida", "iris",
    "nora", "nell", "ellen", "edith", "ada", "willow", "buffy", "dawn", "tara", "cordelia",
    "joyce", "faith", "maggie", "molly", "hannah", "holly", "ivy",
])


def clean_name(raw: str | None) -> str | None:
    """Drop sentence starters in front of a name ("Then Buffy" -> "Buffy"); None if nothing
    name-like is left (a pronoun, "Nothing", a possessive)."""
    if not raw:
        return None
    words = raw.split()
    while words and words[0].lower().rstrip(".") in _LEADING_STARTERS:
        words = words[1:]
    if not words or words[0].lower() in NOT_NAMES or words[-1].lower() in NOT_NAMES:
        return None
    if words[-1].endswith(("'s", "\u2019s")):
        return None
    name = canonical_name(" ".join(words))
    return name if any(c.isalpha() for c in name) else None


_SUBJECT = re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[.!?][\"\u201d]\s))(?P<name>{NAME})\s+[a-z]")


def subject_names(texts: Iterable[str]) -> set[str]:
    """Names that start a sentence as its subject ("Spike sat down."): the characters a
    pronoun can point back to. Capitalised words the text also uses in lowercase ("Like"),
    gerunds ("Staying by his side") and sentence starters are not names."""
    texts = list(texts)
    found: set[str] = set()
    for text in texts:
        for match in _SUBJECT.finditer(text):
            name = clean_name(match.group("name"))
            if name and not name.lower().endswith("ing"):
                found.add(name)
    lowered = " ".join(texts)
    return {n for n in found if not re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lowered)}


def explicit_after(after: str) -> tuple[str | None, str | None]:
    """(name, pronoun) from the narration right after a quote."""
    text = LEAD.sub("", after[:200])
    for pattern in (_AFTER_NAME, _AFTER_VERB):
        if (match := pattern.match(text)) and (name := clean_name(match.group("name"))):
            return name, None
    if match := _AFTER_PRONOUN.match(text):
        return None, (match.group("pron") or match.group("pron2")).lower()
    if match := _AFTER_UNNAMED.match(text):
        if match.group("who"):  # "the old man said": the phrase ends at the verb
            return described_speaker(match.group("who")) or UNNAMED, None
        # "said the old man ...": the phrase runs to its first person word, if any
        words = re.findall(r"[A-Za-z\-'\u2019]+", text[match.start("who2"):])[:5]
        for end in range(2, len(words) + 1):
            if name := described_speaker(" ".join(words[:end])):
                return name, None
        return UNNAMED, None
    return None, None


def explicit_before(before: str) -> tuple[str | None, str | None]:
    """(name, pronoun) from the narration right before a quote."""
    text = before[-200:]
    if (match := _BEFORE_NAME.search(text)) and (name := clean_name(match.group("name"))):
        return name, None
    if match := _BEFORE_PRONOUN.search(text):
        return None, match.group("pron").lower()
    if (match := _BEFORE_UNNAMED.search(text)) and (name := described_speaker(match.group("who"))):
        return name, None
    return None, None


def beat(before: str, after: str, quote_ends_sentence: bool) -> str | None:
    """A name starting the action next to a quote ("Buffy frowned."): a weak hint, checked
    later against the known characters."""
    match = _BEAT_AFTER.match(LEAD.sub("", after[:200])) if quote_ends_sentence else None
    if match and (name := clean_name(match.group("name"))):
        return name
    if match := _BEAT_BEFORE.search(before[-200:]):
        return clean_name(match.group("name"))
    return None


def pronoun_gender(pronoun: str) -> str | None:
    if pronoun in MALE_PRONOUNS:
        return "male"
    if pronoun in FEMALE_PRONOUNS:
        return "female"
    return None


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole-word matches of each name as written or in capitals, longest first."""
    variants = {v for n in names for v in (n, n.upper()) if v}
    if not variants:
        return None
    alternation = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def gender_hints(names: Iterable[str],
                 passages: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """``{name: "male"|"female"}`` for the names the text gives away.

    ``passages`` are (narration text, point-of-view name or None). Evidence: pronouns in a
    character's point-of-view passages, the first he/she after each mention of a name,
    honorifics and gendered words in the name (Mr., Lady, Man), and a short first-name list.
    """
    names = [n for n in dict.fromkeys(names) if n]
    scores: dict[str, Counter[str]] = {n: Counter() for n in names}
    lookup = {v: n for n in names for v in (n, n.upper())}
    pattern = name_pattern(names)
    for text, pov in passages:
        if pov in scores:
            for pronoun in _PRONOUN.findall(text):
                if gender := pronoun_gender(pronoun.lower()):
                    scores[pov][gender] += 1
        if pattern is None:
            continue
        mentions = list(pattern.finditer(text))
        for i, mention in enumerate(mentions):
            end = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
            window = _two_sentences(text[mention.end():end])
            if found := _PRONOUN.search(window):
                gender = pronoun_gender(found.group().lower())
                if gender:
                    scores[lookup[mention.group()]][gender] += 1
    for name in names:
        words = [w.lower().rstrip(".") for w in name.split()]
        if any(w in _MALE_TITLES for w in words):
            scores[name]["male"] += 5
        if any(w in _FEMALE_TITLES for w in words):
            scores[name]["female"] += 5
        if words and words[0] in _MALE_NAMES:
            scores[name]["male"] += 3
        if words and words[0] in _FEMALE_NAMES:
            scores[name]["female"] += 3
    hints = {}
    for name, score in scores.items():
        male, female = score["male"], score["female"]
        if male >= 1 and male > 1.5 * female:
            hints[name] = "male"
        elif female >= 1 and female > 1.5 * male:
            hints[name] = "female"
    return hints


def _two_sentences(text: str) -> str:
    ends = [m.end() for m in re.finditer(r"[.!?]+", text[:300])]
    return text[:ends[1]] if len(ends) > 1 else text[:300]
