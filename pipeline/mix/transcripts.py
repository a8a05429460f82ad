"""Transcripts and chapters from the timeline: WebVTT, SRT, Podcasting 2.0 JSON.

Cue times are the placements' times, so they match the audio exactly. Narration is attributed
to the speaker the renderer gave the line (normally "Narrator"). The captions (VTT, SRT) also
describe the script's sound effects and music cues in brackets, as captions for the deaf and hard
of hearing do ("[a knock at the door]"); the JSON transcript holds the words only.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from pipeline.mix.timeline import Placement, Timeline

NARRATOR = "Narrator"
CAPTION_MIN, CAPTION_MAX = 1.5, 4.0  # seconds a sound's caption stays up


def _lines(tl: Timeline) -> list[Placement]:
    return sorted((p for p in tl.speech() if p.text.strip()), key=lambda p: p.start)


def _captions(tl: Timeline) -> list[Placement]:
    """Spoken lines and the script's own sound cues (not the automatic intro and outro music)."""
    sounds = [p for p in tl.placements if p.kind in ("sfx", "music") and p.source_line]
    return sorted([*_lines(tl), *sounds], key=lambda p: p.start)


def _sound_caption(p: Placement) -> str:
    what = Path(p.source).stem.replace("_", " ") if p.from_file else " ".join(p.text.split())
    return f"[{what}]" if p.kind == "sfx" else f"[music: {what}]"


def _caption_end(p: Placement) -> float:
    """A sound's caption stays up long enough to read, not for a whole music cue."""
    if p.kind == "speech":
        return p.end
    return p.start + min(max(p.duration, CAPTION_MIN), CAPTION_MAX)


def _speaker(p: Placement) -> str:
    return (p.speaker or NARRATOR).strip() or NARRATOR


def _clock(t: float, sep: str) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _text(p: Placement) -> str:
    return " ".join(p.text.split())


def vtt(tl: Timeline) -> str:
    out = ["WEBVTT", ""]
    for i, p in enumerate(_captions(tl), 1):
        if p.kind == "speech":
            voice = escape(_speaker(p), quote=False)  # "&gt;": a ">" would end the tag
            text = f"<v {voice}>{escape(_text(p), quote=False)}"
        else:
            text = escape(_sound_caption(p), quote=False)
        out += [str(i), f"{_clock(p.start, '.')} --> {_clock(_caption_end(p), '.')}", text, ""]
    return "\n".join(out)


def srt(tl: Timeline) -> str:
    out = []
    for i, p in enumerate(_captions(tl), 1):
        text = f"{_speaker(p)}: {_text(p)}" if p.kind == "speech" else _sound_caption(p)
        out += [str(i), f"{_clock(p.start, ',')} --> {_clock(_caption_end(p), ',')}", text, ""]
    return "\n".join(out)


def transcript_json(tl: Timeline) -> str:
    segments = [{"speaker": _speaker(p), "startTime": round(p.start, 3),
                 "endTime": round(p.end, 3), "body": _text(p)} for p in _lines(tl)]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1)


def chapters_json(tl: Timeline) -> str:
    chapters = [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title}
                for c in tl.chapters]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=1)
