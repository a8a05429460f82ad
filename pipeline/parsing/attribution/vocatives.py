"""Vocatives: the people a quote speaks *to* ("Thank you, Thomas." is said to Thomas).

A name is a vocative when it opens the quote before a comma or stop ("Thomas, come here"),
sits between commas or before the final stop (", Thomas."), or follows "dear", "my dear",
"oh" or "O". The speaker of a quote is never its addressee, and the addressee is likely the
one who answers.
"""

from __future__ import annotations

import re

from pipeline.parsing.attribution.names import Lexicon, Name, find_names

_BEFORE = re.compile(r"(?:^|[,;:!?.\u2014\-]\s*|\b(?:dear|my dear|oh|o|ah|dearest|poor)\s+)$",
                     re.IGNORECASE)
_AFTER = re.compile(r"^\s*(?:[,;:!?.\u2014\-]|$)")


def vocatives(text: str, lexicon: Lexicon) -> list[Name]:
    """Names in ``text`` (a quote's words) used to address someone."""
    found = []
    for name in find_names(text, lexicon):
        if name.possessive:
            continue
        before = text[max(0, name.start - 12):name.start]
        after = text[name.end:name.end + 3]
        if not (_BEFORE.search(before) and _AFTER.match(after)):
            continue
        if name.start == 0 and not after.startswith(",") and name.title is None \
                and not lexicon.mid_caps[name.words[0]]:
            continue  # "Tea?" alone: a word that starts a sentence, not someone addressed
        found.append(name)
    return found
