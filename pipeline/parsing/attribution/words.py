"""General English word lists the attribution passes share (nothing from any particular book).

- ``FUNCTION_WORDS``: pronouns, determiners, prepositions, conjunctions, auxiliaries and common
  adverbs and interjections. Capitalised, they start sentences; they are never names, and right
  after a quote they are never a speech verb (``"Yes," and she went``).
- ``NOT_NAMES``: capitalised words that are no person: days, months, God, nationalities.
- ``TITLES``: honorifics that may stand before a name, with the gender they give away.
- ``PERSON_NOUNS``: nouns for people (``the old man``, ``her mother``), with their gender.
- ``SPEECH_VERBS``: verbs that introduce speech; a tag may use any verb, these only make it surer.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PRONOUNS = _words("""
i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves one oneself
""")
MALE_PRONOUNS = _words("he him his himself")
FEMALE_PRONOUNS = _words("she her hers herself")
SUBJECT_PRONOUNS = _words("i he she we they you")

FUNCTION_WORDS = PRONOUNS | _words("""
a an the this that these those such what which who whom whose whatever whichever whoever
some any no none every each either neither both all several many much more most few fewer
less least other another same own enough only
and or nor but yet so for because although though while whilst whereas if unless until till
since as than then when whenever where wherever why how whether lest once
at by in into onto on upon of off out over under above below across after before behind
beside besides between beyond during except from inside outside near past per round through
throughout to toward towards underneath unlike up down with within without about against
along amid among amongst around via aboard
am is are was were be been being have has had having do does did doing done shall should
will would may might must can could ought dare need
not never always often sometimes seldom rarely ever also too very quite rather almost
already still just even again perhaps maybe indeed really surely certainly nearly hardly
scarcely merely simply now here there thus hence therefore however nevertheless moreover
meanwhile instead otherwise besides anyway somehow somewhat soon later earlier today tonight
tomorrow yesterday presently suddenly finally afterwards afterward accordingly alas
yes no oh ah o aye nay well why hush hullo hello hey hi ha bravo alas pray please thanks
thank sorry goodbye farewell welcome dear good poor little old young great
first second third last next
two three four five six seven eight nine ten eleven twelve twenty hundred thousand
let like unto whom thee thou thy thine ye
someone somebody everyone everybody nobody nothing something everything anyone anybody
anything okay ok someday silence there's it's that's i'm i'd i'll i've
""")

NOT_NAMES = _words("""
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december christmas easter
god lord heaven heavens jesus christ providence fate nature
english french german italian spanish irish scotch scottish welsh american indian roman
greek russian dutch swiss british european african chinese
mr mrs ms miss mme mlle sir madam madame ma'am chapter book part volume
yes no oh ah o aye nay hush hullo hello hey hi ha bravo alas pray please thanks goodbye farewell
""")  # the last line: interjections, however often written with a capital ("Oh! Oh!")

# Last words that make a capitalised phrase a place or a thing ("Russell Square"), not a person.
PLACE_WORDS = _words("""
square street road lane avenue park hall house abbey court place gardens terrace bridge church
chapel cathedral castle manor lodge cottage farm hill hills river lake island islands bay sea
ocean mountain mountains valley wood woods forest green common heath station hotel inn club
college school university hospital museum office bank company society railway line row
crescent close mews yard wharf dock docks quay harbour harbor city town village county shire
street palace tower gate gates cross market theatre theater parish rectory vicarage
parsonage grange mill mills field fields moor downs point head cape
""")

# Honorifics before a name, and the gender each gives away (None: either).
TITLES: dict[str, str | None] = {
    **dict.fromkeys(_words("""mr mister sir lord master monsieur signor señor herr duke prince
                           king count baron earl marquis father brother uncle grandpa
                           grandfather""").__iter__(), "male"),
    **dict.fromkeys(_words("""mrs ms miss mistress lady madam madame mme mlle mademoiselle
                           signora señora frau dame duchess princess queen countess baroness
                           marchioness mother sister aunt grandma granny grandmother""").__iter__(),
                    "female"),
    **dict.fromkeys(_words("""dr doctor professor prof captain capt colonel col major general
                           gen lieutenant lt sergeant sgt admiral commander inspector
                           constable judge reverend rev squire cousin president senator
                           governor""").__iter__(), None),
}

_MALE_PERSONS = """man men boy gentleman gentlemen king prince father son brother uncle nephew
grandfather husband waiter landlord fisherman barman butler wizard lord duke monk policeman lad
fellow grandpa papa dad daddy sir footman coachman groom bridegroom widower schoolmaster
headmaster priest bishop cardinal monsieur squire sultan emperor baron count earl marquis
chap youth bachelor gentleman host steward valet"""
_FEMALE_PERSONS = """woman women girl lady queen princess mother daughter sister aunt niece
grandmother wife waitress landlady maid witch duchess nun policewoman lass grandma mamma mama
mum mom mommy madam madame mistress widow bride governess housekeeper nurse hostess heiress
actress countess baroness schoolmistress spinster matron damsel maiden"""
_OTHER_PERSONS = """person people stranger child kid baby guard soldier sergeant captain officer
detective doctor priest driver keeper farmer sailor pilot teacher clerk bartender servant cook
knight judge lawyer shopkeeper messenger innkeeper traveller traveler visitor guest boatman
ferryman constable inspector porter watchman friend companion cousin visitor neighbour
neighbor colonel major general admiral professor painter artist poet writer author student
scholar secretary chairman president manager master owner proprietor banker merchant
doctor surgeon physician lawyer attorney magistrate minister clergyman parson vicar rector
curate gardener laborer labourer workman porter boy youngster infant invalid patient
prisoner captive thief burglar robber villain hero heroine lover partner speaker listener
voice other latter former newcomer intruder official agent spy anarchist policeman
sheriff deputy marshal postman postmistress milkman baker butcher grocer tailor
dressmaker milliner seamstress shepherd hunter rider horseman coachman cabman driver
engineer mechanic conductor passenger stationmaster ticket-collector musician singer
dancer actor player manager director editor reporter journalist critic philosopher
scientist inventor chemist druggist apothecary dentist nobleman gentlewoman peasant
villager townsman citizen native foreigner boarder lodger tenant relative relation
acquaintance admirer suitor fiancé fiancee fiancée colleague comrade ally enemy rival
dwarf giant creature"""
PERSON_NOUNS: dict[str, str | None] = {
    **dict.fromkeys(_OTHER_PERSONS.split()),
    **dict.fromkeys(_MALE_PERSONS.split(), "male"),
    **dict.fromkeys(_FEMALE_PERSONS.split(), "female"),
}
# Nouns that name someone by their tie to another ("her mother", "his friend").
RELATION_NOUNS = _words("""mother father wife husband sister brother aunt uncle cousin niece
nephew daughter son grandmother grandfather friend companion mamma papa mama lover fiance
fiancee fiancée guardian sweetheart partner neighbour neighbor host hostess guest maid
servant master mistress""")
# "said the other": the one of a pair who did not speak last.
OTHER_WORDS = _words("other latter former second first")

# "Miss Crawford listened.": a beat about the one who hears the speech, not its speaker
LISTENING_VERBS = _words("listened listens listening heard hears overheard attended")

SPEECH_VERBS = _words("""
said says say asked asks answered answers replied replies returned cried cries exclaimed
exclaims added adds continued continues went began begins rejoined retorted responded
remarked observed whispered whispers murmured murmurs muttered mutters shouted shouts
called calls yelled screamed shrieked sobbed sighed groaned moaned gasped panted laughed
chuckled giggled smiled sneered snapped snarled growled hissed grumbled protested pleaded
begged urged insisted demanded inquired enquired queried questioned suggested proposed
explained declared announced stated admitted confessed conceded agreed assented repeated
echoed resumed pursued proceeded interrupted interposed interjected broke burst put
stammered stuttered faltered drawled sang chanted roared bellowed thundered shouted
croaked rasped breathed mumbled spoke told tells thought thinks wondered mused reflected
concluded ventured persisted objected remonstrated expostulated complained lamented
wailed moaned cooed purred teased joked mocked scoffed jeered warned threatened promised
assured reassured reminded corrected acknowledged confirmed observed noted commented
mentioned hinted whimpered blurted counted read wrote called ordered commanded directed
instructed cautioned advised encouraged consoled soothed comforted greeted hailed
shot gasped uttered articulated pronounced affirmed averred asserted maintained
addressed argued reasoned demurred hesitated paused suggested implored entreated besought prayed
""")
# Irregular past tenses a tag may use ("cut in Mrs. Allen", "broke out the Colonel").
IRREGULAR_PAST = _words("""
began broke burst came cut drew fell flung gave got grew hung held kept knew led left let
made meant put ran rang rose sang sank sat saw shook shot spoke sprang stood stole struck
swore threw told took tore went wept woke wrote
""")

# Words that open a clause of its own inside a sentence ("as he spoke", "when Jane came in").
SUBORDINATORS = _words("""as when while whilst though although if because since till until
after before where whereas unless whether lest once that which whom than""")

# Verbs that keep the last speaker talking ("she went on"), not a new turn.
CONTINUE_VERBS = _words("continued continues went resumed pursued proceeded added adds "
                        "persisted repeated")

# Capitalised words that start sentences and never begin a name (a "Name:" heading or label).
STARTERS = FUNCTION_WORDS | NOT_NAMES
# The short list the section reader checks "Name:" headings against (kept as it was: a longer
# one would refuse headings such as "Will:").
HEADING_STARTERS = _words("""
he she it they we you i the a an then but and or so yet now when while as if this that these
those there here what who why how where his her their our my your its one someone somebody
everyone everybody nobody nothing something everything all both each no yes oh well still just
later finally suddenly after before again once even only maybe perhaps meanwhile instead also
with without for from into at by on in of to not never always sometimes soon outside inside
tonight today tomorrow yesterday someday silence two three four five six seven eight nine ten
like let please thank thanks sorry hello hey hi okay ok god dear every any many most some such
much more less first last next other another there's it's that's i'm i'd i'll i've
""")

_HONORIFIC_ALTERNATION = "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True))
TITLE = re.compile(rf"(?i:{_HONORIFIC_ALTERNATION})\.?$")


def title_gender(word: str) -> str | None:
    return TITLES.get(word.lower().rstrip("."))


def is_title(word: str) -> bool:
    return word.lower().rstrip(".") in TITLES and word[:1].isupper()
