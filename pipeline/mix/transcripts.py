"""Transcripts and chapters from the timeline: WebVTT, SRT, Podcasting 2.0 JSON.

Captions (VTT, SRT) are cut on the takes' word timings into readable cues (``captions.py``: at
most two lines of 42 characters and 7 seconds each) and describe the script's sound effects and
music cues in brackets, as captions for the deaf and hard of hearing do ("[a knock at the
door]"), in the gaps between speech. Narration is attributed to the speaker the renderer gave
the line (normally "Narrator"): SRT labels each line's first cue ("Mara: …"), WebVTT every cue
with a voice span (``<v Mara>``). The JSON transcript holds the spoken words only, one segment
per word with its own time, the Podcasting 2.0 transcript format's finest grain.
"""

from __future__ import annotations

import json
from html import escape

from pipeline.mix import captions
from pipeline.mix.timeline import Timeline


def _clock(t: float, sep: str) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def vtt(tl: Timeline) -> str:
    out = ["WEBVTT", ""]
    for i, cue in enumerate(captions.cues(tl), 1):
        lines = [escape(line, quote=False) for line in cue.lines]
        if cue.speaker:
            voice = escape(cue.speaker, quote=False)  # "&gt;": a ">" would end the tag
            lines[0] = f"<v {voice}>{lines[0]}"
        out += [str(i), f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}", *lines, ""]
    return "\n".join(out)


def srt(tl: Timeline) -> str:
    out = []
    for i, cue in enumerate(captions.cues(tl), 1):
        lines = list(cue.lines)
        if cue.speaker and cue.first:
            lines[0] = captions.label(cue.speaker) + lines[0]
        out += [str(i), f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}", *lines, ""]
    return "\n".join(out)


def transcript_json(tl: Timeline) -> str:
    segments = []
    for p in captions.spoken(tl):
        name = captions.speaker(p) or ""
        segments += [{"speaker": name, "startTime": round(w.start, 3),
                      "endTime": round(w.end, 3), "body": w.text}
                     for w in captions.line_words(p)]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1)


def chapters_json(tl: Timeline) -> str:
    chapters = [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title}
                for c in tl.chapters]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=1)
