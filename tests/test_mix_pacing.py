"""Pacing: pauses come from the conversation, and every [mix] pause key works in every format.

The scripts are parsed by the real parsers (play, Fountain, prose); takes are stand-ins of
fixed lengths, so only the layout is under test here (test_render_cli measures real audio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.mix import MixSettings, RenderedLine, build_timeline, pacing
from pipeline.model import CueKind, Script
from pipeline.parsing import parse_script

GRID = 4e-4
QUIET = {"intro_music": False, "outro_music": False, "auto_beds": False}

# Over 400 characters: the parsers split it into several cues of one paragraph.
LONG = """\
The lamp turned above them, slow and patient, throwing its beam across the black water and
the broken rocks below. Every nine seconds it came round again, and every nine seconds the
sea answered it with a wall of white spray. The keeper had watched it for forty-one years
and he had never once grown tired of it. Tonight the wind had a new voice, high and thin,
and it found every crack in the old glass of the lantern room."""

PLAY = f"""Title: Pacing

# One
NARRATOR: The night was cold. The wind rose over the rock.
MARA: Is the kettle on?
ELIAS: It has been on for an hour. (quietly) It always is.
MARA: Then where is the tea?

The rain went on outside.

{LONG}

ELIAS: I was going to tell you--
MARA: Don't.
[PAUSE]
ELIAS: Fine.

# Two
MARA: Morning.
ELIAS: Morning.
"""

FOUNTAIN = f"""Title: Pacing

INT. ONE - NIGHT

The night was cold. The wind rose over the rock.

MARA
Is the kettle on?

ELIAS
It has been on for an hour.
(quietly)
It always is.

MARA
Then where is the tea?

The rain went on outside.

{LONG}

ELIAS
I was going to tell you--

MARA
Don't.

[PAUSE]

ELIAS
Fine.

INT. TWO - DAY

MARA
Morning.

ELIAS
Morning.
"""

PROSE = f"""Title: Pacing

Chapter One

The night was cold. The wind rose over the rock.

"Is the kettle on?" Mara asked.

"It has been on for an hour," Elias said. "It always is."

"Then where is the tea?"

"In the tin."

The rain went on outside.

{LONG}

Chapter Two

"Morning," said Mara.

"Morning," said Elias.
"""

FORMATS = {"play": ("pacing.txt", PLAY), "fountain": ("pacing.fountain", FOUNTAIN),
           "prose": ("pacing-prose.txt", PROSE)}


@pytest.fixture(params=list(FORMATS))
def script(request, tmp_path: Path) -> Script:
    name, text = FORMATS[request.param]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    parsed = parse_script(path)
    assert parsed.format == request.param
    return parsed


def _rendered(script: Script) -> dict[str, RenderedLine]:
    out = {}
    for section in script.sections:
        for i, cue in enumerate(section.lines):
            out[cue.line_id] = RenderedLine(
                cue.line_id, section.id, cue.speaker or "Narrator", "v", cue.text, 1,
                f"k{cue.line_id}", 1.0 + 0.25 * (i % 3))
    return out


def _starts(script: Script, **mix) -> dict[str, tuple[float, float]]:
    tl = build_timeline(script, _rendered(script), MixSettings(**{**QUIET, **mix}))
    return {p.line_id: (p.start, p.end) for p in tl.speech()}


def _pairs(script: Script) -> list[tuple[object, object, str]]:
    """Consecutive spoken cues of one section with nothing between, and which pause key
    governs them (classified here from the cues, independently of the pacing module)."""
    pairs = []
    for section in script.sections:
        cues = section.cues
        for a, b in zip(cues, cues[1:], strict=False):
            if not (a.is_spoken and b.is_spoken):
                continue
            if a.speaker != b.speaker and a.kind is b.kind is CueKind.DIALOGUE:
                key = "interruption" if a.text.endswith("--") else "speaker_change_pause"
            elif a.speaker != b.speaker and not a.paragraph_end:
                key = "attribution"
            elif a.paragraph_end:
                key = "paragraph_pause"
            else:
                key = "sentence_pause"
            pairs.append((a, b, key))
    return pairs


@pytest.mark.parametrize("key", ["speaker_change_pause", "paragraph_pause", "sentence_pause"])
def test_each_pause_key_sets_its_own_gaps(script, key):
    pairs = [(a, b) for a, b, k in _pairs(script) if k == key]
    assert pairs, f"{script.format} has no {key} transition"
    base, double = _starts(script, **{key: 0.6}), _starts(script, **{key: 1.2})
    for a, b in pairs:
        gap1 = base[b.line_id][0] - base[a.line_id][1] + pacing.EDGE_S
        gap2 = double[b.line_id][0] - double[a.line_id][1] + pacing.EDGE_S
        assert gap2 == pytest.approx(2 * gap1, abs=3 * GRID), (a.text, b.text)
    # ... and nothing else moves relative to its predecessor
    others = [(a, b) for a, b, k in _pairs(script) if k not in (key, "attribution")]
    for a, b in others:
        gap1 = base[b.line_id][0] - base[a.line_id][1]
        gap2 = double[b.line_id][0] - double[a.line_id][1]
        assert gap2 == pytest.approx(gap1, abs=3 * GRID), (key, a.text, b.text)


def test_replies_are_quick_and_vary(script):
    starts = _starts(script)
    replies = [(a, b) for a, b, k in _pairs(script) if k == "speaker_change_pause"]
    heard = [starts[b.line_id][0] - starts[a.line_id][1] + pacing.EDGE_S for a, b in replies]
    assert heard and all(0.25 - GRID <= h <= 0.45 + GRID for h in heard), heard
    if len(heard) > 2:
        assert len({round(h, 3) for h in heard}) > 1  # not a metronome


def test_section_and_default_pauses(script):
    first_of_two = script.sections[-1].lines[0].line_id
    last_of_one = script.sections[-2].lines[-1].line_id
    for seconds in (1.0, 4.0):
        starts = _starts(script, section_pause=seconds)
        gap = starts[first_of_two][0] - starts[last_of_one][1]
        assert gap == pytest.approx(seconds, abs=GRID)
    pauses = [c for s in script.sections for c in s.cues if c.kind is CueKind.PAUSE]
    if script.format == "prose":
        assert not pauses  # prose has no bare [PAUSE]
        return
    assert pauses and pauses[0].seconds is None  # a bare [PAUSE]: the mix decides
    after = next(c for s in script.sections for c in s.cues[s.cues.index(pauses[0]):]
                 if c.is_spoken)
    before = next(c for s in script.sections for c in reversed(s.cues[:s.cues.index(pauses[0])])
                  if c.is_spoken)
    for seconds in (0.8, 3.0):
        starts = _starts(script, default_pause=seconds)
        assert starts[after.line_id][0] - starts[before.line_id][1] == pytest.approx(
            seconds, abs=GRID)


def test_an_interrupted_line_is_cut_off(script):
    cut = [(a, b) for a, b, k in _pairs(script) if k == "interruption"]
    if script.format == "prose":  # the narrator's attribution always comes between
        assert not cut
        return
    assert cut
    tl = build_timeline(script, _rendered(script), MixSettings(**QUIET))
    placed = {p.line_id: p for p in tl.speech()}
    rendered = _rendered(script)
    for a, b in cut:
        first, second = placed[a.line_id], placed[b.line_id]
        spoken_end = first.start + rendered[a.line_id].duration - pacing.TAIL_S
        assert second.start == pytest.approx(spoken_end - 0.15, abs=GRID)
        assert first.end <= second.start + pacing.CUT_FADE_S + GRID  # cut, not left running
        assert first.fade_out == pacing.CUT_FADE_S
    later = build_timeline(script, _rendered(script),
                           MixSettings(**QUIET, interruption_overlap=0.4))
    b_line = cut[0][1].line_id
    moved = {p.line_id: p for p in later.speech()}[b_line].start
    assert moved == pytest.approx(placed[b_line].start - 0.25, abs=2 * GRID)


def test_pause_rules():
    s = MixSettings(seed=3)

    def turn(line_id, speaker, text, kind=CueKind.DIALOGUE, end=True):
        return pacing.Turn(line_id, speaker, kind, text, end)

    ask = turn("a", "Ann", "Is it lit?")
    tell = turn("b", "Ben", "It is lit.")
    assert pacing.pause_between(ask, turn("x", "Ben", "Yes."), s) < pacing.pause_between(
        tell, turn("x", "Ann", "Yes."), s)  # a question is answered sooner
    assert pacing.pause_between(turn("a", "Ann", "I was going to—"), tell, s) == -0.15
    assert pacing.pause_between(turn("a", "Ann", "Well--”"), tell, s) == -0.15
    assert pacing.pause_between(turn("a", "Ann", "Wait—"), turn("b", "Ann", "No."), s) > 0
    narration = turn("n", "Narrator", "The rain went on.", CueKind.NARRATION)
    assert pacing.pause_between(narration, tell, s) == pytest.approx(
        s.paragraph_pause * pacing.jitter("b", 3))
    for line_id in ("a", "b", "s01-l004"):
        assert 1 - pacing.JITTER <= pacing.jitter(line_id, 3) <= 1 + pacing.JITTER
    assert pacing.jitter("b", 3) == pacing.jitter("b", 3) != pacing.jitter("b", 4)
    assert pacing.cut_off("Tell me--") and pacing.cut_off("so-") and not pacing.cut_off("x - y.")
