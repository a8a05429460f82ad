"""Delivery from the text: how a line should be read, from what the writer put on the page.

- a parenthetical or stage direction ("(whispering)", "(angrily)") names a manner;
- in prose, the attribution around a quote does too ("…," she whispered);
- a line in capitals is shouted; an exclamation is quicker, livelier and a little louder; a
  question a little livelier;
- italics or bold (``*word*``, ``_word_``, ``**word**``) mark an emphatic line: a touch slower
  and livelier. (Word-level stress would need the engines to take prosody per word; raising a
  word's stress through a ``[[phonemes]]`` block was tried and changes little, because espeak
  already stresses most words that writers italicise, and it re-phonemizes the words around it.)

Each becomes engine controls on ``Delivery``: pace (Piper length scale, Kokoro speed),
expressiveness (Piper's noise scales) and volume in the mix.
"""

from __future__ import annotations

import re

from pipeline.engines.base import Delivery
from pipeline.model import Cue, CueKind, Section

# Manner words, by stem, mapped to engine-level changes.
DELIVERY_WORDS: dict[str, Delivery] = {
    "whisper": Delivery(pace=0.92, expressiveness=0.7, volume_db=-6.0),
    "murmur": Delivery(pace=0.93, expressiveness=0.75, volume_db=-5.0),
    "mutter": Delivery(pace=0.95, expressiveness=0.8, volume_db=-4.0),
    "quiet": Delivery(pace=0.95, volume_db=-4.0),
    "softly": Delivery(pace=0.93, volume_db=-4.0),
    "shout": Delivery(pace=1.08, expressiveness=1.3, volume_db=4.0),
    "yell": Delivery(pace=1.08, expressiveness=1.3, volume_db=4.0),
    "scream": Delivery(pace=1.1, expressiveness=1.35, volume_db=4.0),
    "bellow": Delivery(pace=1.05, expressiveness=1.3, volume_db=4.0),
    "roar": Delivery(pace=1.05, expressiveness=1.3, volume_db=4.0),
    "angr": Delivery(pace=1.06, expressiveness=1.25, volume_db=2.0),
    "excit": Delivery(pace=1.1, expressiveness=1.3, volume_db=1.0),
    "quick": Delivery(pace=1.12),
    "hurried": Delivery(pace=1.12),
    "slow": Delivery(pace=0.88),
    "sad": Delivery(pace=0.9, expressiveness=0.85, volume_db=-2.0),
    "tired": Delivery(pace=0.88, expressiveness=0.8, volume_db=-2.0),
}
EXCLAMATION = Delivery(pace=1.05, expressiveness=1.15, volume_db=1.5)
QUESTION = Delivery(expressiveness=1.1)
EMPHATIC = Delivery(pace=0.93, expressiveness=1.15)

_MANNER_VERB = re.compile(
    r"\b(whisper|murmur|mutter|shout|yell|scream|bellow|roar)(?:s|ed|ing)?\b", re.IGNORECASE)
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*|__|_)(?=\S)([^*_\n]{1,40}?)(?<=\S)\1(?![\w*])")
_CLOSERS = "\"'”’»)]*_ "


def combine(base: Delivery, change: Delivery) -> Delivery:
    """``change`` on top of ``base``: paces and expressiveness multiply, levels add."""
    return Delivery(
        pace=round(base.pace * change.pace, 4),
        expressiveness=round(base.expressiveness * change.expressiveness, 4),
        volume_db=base.volume_db + change.volume_db,
        pitch_semitones=base.pitch_semitones + change.pitch_semitones)


def delivery_for(words: str | None, base: Delivery) -> Delivery:
    """Combine a character's default delivery with what a manner word asks for."""
    if not words:
        return base
    lowered = words.lower()
    for stem, change in DELIVERY_WORDS.items():
        if stem in lowered:
            return combine(base, change)
    return base


def attribution_manner(cue: Cue, section: Section) -> str | None:
    """The manner verb of the narration attached to a quote in the same paragraph ("…," she
    whispered), or None."""
    if cue.kind is not CueKind.DIALOGUE:
        return None
    spoken = [c for c in section.cues if c.is_spoken]
    i = spoken.index(cue)
    neighbours = []
    if i + 1 < len(spoken) and not cue.paragraph_end:
        neighbours.append(spoken[i + 1])
    if i > 0 and not spoken[i - 1].paragraph_end:
        neighbours.append(spoken[i - 1])
    for other in neighbours:
        if other.kind is CueKind.NARRATION and (match := _MANNER_VERB.search(other.text)):
            return match.group(1).lower()
    return None


def shouted(text: str) -> bool:
    """Written in capitals: at least two words and nearly every letter upper case."""
    letters = [c for c in text if c.isalpha()]
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return len(words) >= 2 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def emphasized_words(text: str) -> tuple[str, ...]:
    """Words the writer set in italics or bold, lower-cased, in order."""
    found: list[str] = []
    for match in _EMPHASIS.finditer(text):
        for word in re.findall(r"[\w'’-]+", match.group(2)):
            if word.lower() not in found:
                found.append(word.lower())
    return tuple(found)


def from_text(text: str, base: Delivery) -> Delivery:
    """``base`` with what the line's own words ask for: capitals, end punctuation, emphasis."""
    delivery = base
    if shouted(text):
        delivery = combine(delivery, DELIVERY_WORDS["shout"])
    end = text.rstrip(_CLOSERS)
    if end.endswith("!"):
        delivery = combine(delivery, EXCLAMATION)
    elif end.endswith("?"):
        delivery = combine(delivery, QUESTION)
    if emphasized_words(text):
        delivery = combine(delivery, EMPHATIC)
    return delivery
