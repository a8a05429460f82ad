"""Caption cues cut from the timeline on word timings, the way subtitlers cut them.

A spoken line becomes as many cues as it needs: each at most ``MAX_LINES`` lines of
``MAX_CHARS`` characters (the speaker label of the line's first cue counted) and ``MAX_SECONDS``
long, cut at a sentence end where one falls late enough in the cue, else at a clause, else
between words. A cue starts with its first word and stays up a moment after its last
(``LINGER``) but never into the next cue; sound captions (``[door]``) go in the gaps between
speech cues and never overlap them.

Word times come from the take (Piper reports them; ``Placement.words``). They are the spoken
words ("one hundred twelve"), the captions the author's ("112", markup such as ``[b]`` or
``:fire:`` left out as ``textmarkup.reader_text`` does): the two are aligned with
difflib, and an author's word with no spoken match (a number, an abbreviation) takes the time of
the spoken words in its place. A take without word times (a recording, an engine that gives
none) spreads its words over the take by their length in characters.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.mix.timeline import Placement, Timeline
from pipeline.textmarkup import reader_text

MAX_CHARS = 42  # per caption line (BBC, Netflix, FCC practice for 16:9)
MAX_LINES = 2
MAX_SECONDS = 7.0
MIN_SECONDS = 1.0  # a cue stays up at least this long when the next one leaves room
LINGER = 0.3  # seconds a cue stays up after its last word
SOUND_MIN, SOUND_MAX = 1.5, 4.0  # seconds a sound's caption stays up (room allowing)
NARRATOR = "Narrator"
_STRONG = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")  # a sentence ends here
_WEAK = re.compile(r"[,;:\u2013\u2014-][\"'\u201d\u2019)\]]*$")  # a clause ends here


@dataclass
class Word:
    text: str  # the author's word, with its punctuation
    start: float  # seconds in the episode
    end: float


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]  # the caption's text lines (no speaker label)
    speaker: str | None = None  # who speaks (None: a sound, or a recording nobody is named for)
    first: bool = False  # the first cue of its line (the one SRT labels with the speaker)
    words: list[Word] | None = None  # spoken cues: the words it shows
    sound: bool = False  # a sound's caption ("[door]")

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def speaker(p: Placement) -> str | None:
    """Who speaks a placement: narration is the narrator's; a recording names its speaker in
    its caption (``[AUDIO: finn.wav | Finn: …]``) or nobody."""
    if p.kind == "audio":
        return (p.speaker or "").strip() or None
    return (p.speaker or NARRATOR).strip() or NARRATOR


def spoken(tl: Timeline) -> list[Placement]:
    """Placements whose words are captioned: every line, and recordings with a caption."""
    return sorted((p for p in tl.foreground() if p.text.strip()), key=lambda p: p.start)


def label(name: str) -> str:
    return f"{name}: "


def line_words(p: Placement) -> list[Word]:
    """The author's words of a spoken placement as a reader sees them (no markup), each with
    its time in the episode."""
    tokens = _tokens(reader_text(p.text))
    if not tokens:
        return []
    timed = [w for w in (p.words or []) if len(w) == 3 and w[2] >= w[1] >= 0]
    spans = _aligned(tokens, timed) if timed else _spread(tokens, 0.0, p.duration)
    limit = p.duration
    return [Word(t, p.start + min(a, limit), p.start + min(b, limit))
            for t, (a, b) in zip(tokens, spans, strict=True)]


def _tokens(text: str) -> list[str]:
    out = []
    for token in text.split():
        while len(token) > MAX_CHARS:  # a URL or a run-on: no cue line can hold it whole
            out.append(token[:MAX_CHARS])
            token = token[MAX_CHARS:]
        out.append(token)
    return out


def _key(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum())


def _spread(tokens: list[str], start: float, end: float) -> list[tuple[float, float]]:
    """Times for words with no timings: the span shared out by characters."""
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights)
    spans, at = [], start
    for w in weights:
        step = (end - start) * w / total
        spans.append((at, at + step))
        at += step
    return spans


def _aligned(tokens: list[str], timed: list[list]) -> list[tuple[float, float]]:
    """Times for the author's tokens from the spoken words' times (see the module doc)."""
    spans: list[tuple[float, float] | None] = [None] * len(tokens)
    said = [i for i, t in enumerate(tokens) if _key(t)]  # a lone dash is not a word
    keys = [_key(tokens[i]) for i in said]
    spoken = [_key(str(w[0])) for w in timed]
    matcher = difflib.SequenceMatcher(None, keys, spoken, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                spans[said[i1 + k]] = (float(timed[j1 + k][1]), float(timed[j1 + k][2]))
        elif op == "replace":
            words = [tokens[said[i]] for i in range(i1, i2)]
            for k, span in enumerate(_spread(words, float(timed[j1][1]),
                                             float(timed[j2 - 1][2]))):
                spans[said[i1 + k]] = span
    # Tokens nobody spoke (a dash, "*"): at the end of the word before (or start of the next).
    for i, span in enumerate(spans):
        if span is None:
            before = next((spans[k] for k in range(i - 1, -1, -1) if spans[k]), None)
            after = next((spans[k] for k in range(i + 1, len(spans)) if spans[k]), None)
            at = before[1] if before else after[0] if after else 0.0
            spans[i] = (at, at)
    return [s for s in spans if s is not None]


def wrap(words: list[str], first_width: int = MAX_CHARS) -> list[str] | None:
    """The words on at most ``MAX_LINES`` lines (the first ``first_width`` wide, the rest
    ``MAX_CHARS``), balanced, preferring a break after punctuation; None if they do not fit."""
    text = " ".join(words)
    if len(text) <= first_width:
        return [text]
    best: tuple[float, list[str]] | None = None
    for k in range(1, len(words)):
        top, bottom = " ".join(words[:k]), " ".join(words[k:])
        if len(top) > first_width or len(bottom) > MAX_CHARS:
            continue
        score = max(len(top), len(bottom)) - (6 if _STRONG.search(words[k - 1]) else
                                              3 if _WEAK.search(words[k - 1]) else 0)
        score += 5 if _key(words[k - 1]) in _WEAK_ENDS else 0
        if best is None or score < best[0]:
            best = (score, [top, bottom])
    return best[1] if best else None


def _fits(words: list[Word], width: int) -> bool:
    return (wrap([w.text for w in words], width) is not None
            and words[-1].end - words[0].start <= MAX_SECONDS)


def split_line(words: list[Word], name: str | None) -> list[list[Word]]:
    """A line's words cut into cue-sized runs: the cheapest cut (dynamic programming) by
    ``_cost`` - few cues, cut at sentence ends, then clause ends, never leaving a stub."""
    n = len(words)
    if not n:
        return []
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            width = MAX_CHARS - (len(label(name)) if i == 0 and name else 0)
            if i < j - 1 and not _fits(words[i:j], width):
                break  # longer runs ending at j do not fit either
            cost = best[i][0] + _cost(words, i, j, width)
            if cost < best[j][0]:
                best[j] = (cost, i)
    runs, j = [], n
    while j > 0:
        i = best[j][1]
        runs.append(words[i:j])
        j = i
    return runs[::-1]


_WEAK_ENDS = frozenset({
    "a", "an", "the", "to", "of", "and", "or", "but", "in", "on", "at", "for", "with", "from",
    "by", "as", "that", "my", "your", "his", "her", "its", "our", "their", "is", "was", "be", "i"})


def _cost(words: list[Word], i: int, j: int, width: int) -> float:
    """The cost of a cue showing ``words[i:j]`` (see ``split_line``)."""
    cost = 5.0
    # A sentence that ends inside the cue and another that starts in it: read as one blur.
    cost += 7 * sum(1 for w in words[i:j - 1] if _STRONG.search(w.text))
    if j < len(words):
        last = words[j - 1].text
        cost += 0 if _STRONG.search(last) else 3 if _WEAK.search(last) else 8
        if _key(last) in _WEAK_ENDS:
            cost += 4  # "... and the" / "cut here"
    shown = wrap([w.text for w in words[i:j]], width)
    if shown and len(shown) == 2 and _key(shown[0].rsplit(" ", 1)[-1]) in _WEAK_ENDS:
        cost += 3  # its line break would fall after "the", "I", "and"
    if len(words) > j - i:  # part of a longer line: a stub of a cue reads badly
        cost += 8 * max(0.0, 1 - len(" ".join(w.text for w in words[i:j])) / 40)
    return cost


def sound_text(p: Placement) -> str:
    """"[a knock at the door]", "[music: tension]"; a file named by path shows its name."""
    what = " ".join(p.text.split())
    if p.from_file and (not what or "/" in what or "\\" in what or Path(what).suffix):
        what = Path(p.source).stem.replace("_", " ").replace("-", " ")
    return f"[music: {what}]" if p.kind == "music" else f"[{what}]"


def cues(tl: Timeline) -> list[Cue]:
    """Every caption cue of the episode in time order: speech cut on word times, then the
    script's own sound cues (not the automatic intro and outro) fitted into the gaps."""
    said: list[Cue] = []
    for p in spoken(tl):
        words = line_words(p)
        name = speaker(p)
        for n, run in enumerate(split_line(words, name)):
            width = MAX_CHARS - (len(label(name)) if n == 0 and name else 0)
            said.append(Cue(run[0].start, run[-1].end, wrap([w.text for w in run], width)
                            or [" ".join(w.text for w in run)], name, n == 0, run))
    sounds = [Cue(p.start, p.start + min(max(p.duration, SOUND_MIN), SOUND_MAX),
                  [sound_text(p)], sound=True)
              for p in tl.placements if p.source_line and (
                  p.kind in ("sfx", "music") or (p.kind == "audio" and not p.text.strip()))]
    _settle(said, sounds)
    sounds = [c for c in sounds if c.end > c.start]
    return sorted(said + sounds, key=lambda c: (c.start, c.sound))


def _settle(spoken: list[Cue], sounds: list[Cue]) -> None:
    """Fix the cues' ends (and sound cues' starts) so nothing overlaps a speech cue."""
    sound_starts = sorted(c.start for c in sounds)
    for k, cue in enumerate(spoken):
        nxt = spoken[k + 1].start if k + 1 < len(spoken) else float("inf")
        said = min(cue.end, nxt)  # the last word's end
        later = next((t for t in sound_starts if t >= said), float("inf"))
        end = max(said + LINGER, cue.start + MIN_SECONDS)
        cue.end = max(min(end, nxt, later, cue.start + MAX_SECONDS), said)
    for cue in sounds:
        for s in spoken:
            if s.start < cue.end and cue.start < s.end:  # overlaps: keep the part before
                if s.start > cue.start:
                    cue.end = min(cue.end, s.start)
                else:
                    cue.start = max(cue.start, s.end)
        cue.end = max(cue.end, cue.start)
