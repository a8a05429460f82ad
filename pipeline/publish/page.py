"""The show page, ``output/feed/index.html``: a player, show notes, cast, chapters and transcript
for every episode. One self-contained file (inline CSS and a few lines of JS for seeking); all
links are relative so it works from ``castwright serve`` and from ``base_url`` alike.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from pipeline.publish.episode_folder import NARRATOR
from pipeline.publish.feed import FeedEpisode, order_episodes
from pipeline.publish.show import Show
from pipeline.textmarkup import reader_text

CSS = """
:root { --ink: #1d2330; --soft: #5b6475; --line: #e3e6ec; --accent: #b7791f; --bg: #fbfaf7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 17px/1.55 Georgia, "Iowan Old Style", "Palatino Linotype", serif; }
header.show { display: flex; gap: 28px; align-items: center; max-width: 860px;
              margin: 0 auto; padding: 40px 20px 24px; }
header.show img { width: 180px; height: 180px; border-radius: 10px; flex: none;
                  box-shadow: 0 6px 24px rgba(0, 0, 0, .18); }
h1 { font-size: 2.1em; margin: 0 0 .2em; line-height: 1.15; }
h2 { font-size: 1.45em; margin: 0 0 .2em; }
h3 { font: 600 .8em/1.4 system-ui, sans-serif; letter-spacing: .08em; text-transform: uppercase;
     color: var(--soft); margin: 1.4em 0 .4em; }
h4 { margin: 1em 0 .3em; font-size: 1em; }
main { max-width: 860px; margin: 0 auto; padding: 0 20px 40px; }
article { background: #fff; border: 1px solid var(--line); border-radius: 12px;
          padding: 24px 28px; margin: 0 0 24px; }
.meta, .by, .files, footer { color: var(--soft); font: .85em/1.5 system-ui, sans-serif; }
audio { width: 100%; margin: 12px 0 4px; }
a { color: var(--accent); }
code { font-size: .85em; word-break: break-all; }
ul.cast, ol.chapters { padding-left: 1.2em; margin: 0; }
button.seek { font: .78em/1 ui-monospace, monospace; color: var(--accent); background: none;
              border: 1px solid var(--line); border-radius: 4px; padding: 2px 5px;
              cursor: pointer; margin-right: 6px; }
details.transcript { margin-top: 1.2em; }
details.transcript summary { cursor: pointer; font: 600 .9em system-ui, sans-serif; }
.transcript p { margin: .35em 0; }
.transcript .narration { font-style: italic; }
footer { text-align: center; padding: 0 20px 40px; }
img.art { float: right; width: 120px; height: 120px; border-radius: 8px; margin: 0 0 12px 16px; }
.disclosure { color: var(--soft); font: italic .85em/1.5 system-ui, sans-serif; }
div.notes table { border-collapse: collapse; }
div.notes td, div.notes th { border: 1px solid var(--line); padding: 2px 8px; }
@media (max-width: 600px) { header.show { flex-direction: column; text-align: center; } }
""".strip()

# Timestamp buttons seek the episode's own player.
JS = """
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button.seek");
  if (!b) return;
  var audio = b.closest("article").querySelector("audio");
  audio.currentTime = parseFloat(b.dataset.t);
  audio.play();
});
""".strip()


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _seek(seconds: float) -> str:
    return f'<button class="seek" data-t="{float(seconds):.2f}">{clock(seconds)}</button>'


def _vtt_cues(path: Path) -> list[tuple[float, str | None, str]]:
    """(start, speaker, text) from a WebVTT file; used when the manifest has no lines."""
    cues = []
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace"))
    for block in blocks:
        rows = block.strip().splitlines()
        for i, row in enumerate(rows):
            if "-->" in row:
                h, m, s = (["0"] + row.split("-->")[0].strip().split(":"))[-3:]
                text = " ".join(rows[i + 1:])
                voice = re.match(r"<v\s+([^>]+)>", text)
                text = re.sub(r"<[^>]+>", "", text).strip()
                cues.append((int(h) * 3600 + int(m) * 60 + float(s),
                             voice.group(1).strip() if voice else None, text))
                break
    return cues


def _shown(line: dict) -> str:
    return reader_text(str(line.get("text") or ""))


def _transcript(ep: FeedEpisode) -> str:
    lines = ep.folder.lines
    out: list[str] = []
    if lines:
        headings = {s.get("id"): s.get("title") or s.get("heading") for s in ep.folder.sections}
        section = object()
        for line in lines:
            if line.get("section_id") != section:
                section = line.get("section_id")
                if headings.get(section):
                    out.append(f"<h4>{_e(headings[section])}</h4>")
            speaker = line.get("speaker")
            start = float(line.get("start") or 0.0)
            if speaker and str(speaker).lower() != NARRATOR.lower():
                out.append(f"<p>{_seek(start)}<b>{_e(speaker)}:</b> {_e(_shown(line))}</p>")
            else:
                out.append(f'<p class="narration">{_seek(start)}{_e(_shown(line))}</p>')
    elif "vtt" in ep.folder.files:
        for start, speaker, text in _vtt_cues(ep.folder.files["vtt"]):
            who = f"<b>{_e(speaker)}:</b> " if speaker else ""
            out.append(f"<p>{_seek(start)}{who}{_e(text)}</p>")
    if not out:
        return ""
    return ('<details class="transcript"><summary>Transcript</summary>\n'
            + "\n".join(out) + "\n</details>")


def _episode(ep: FeedEpisode, show: Show) -> str:
    rec, files = ep.record, ep.files
    meta = []
    if rec.season is not None:
        meta.append(f"Season {rec.season}")
    meta.append(f"Episode {rec.number}" if rec.episode_type == "full"
                else f"{rec.episode_type.title()} {rec.number}")
    meta.append(f'<time datetime="{rec.published.isoformat()}">'
                f"{rec.published.date().isoformat()}</time>")
    meta.append(clock(round(rec.duration)))  # rounded like <itunes:duration>
    track = ""
    if "vtt" in files:
        track = (f'<track kind="captions" src="{_e(files["vtt"])}" srclang="{_e(show.language)}"'
                 ' label="Transcript" default>')
    parts = [
        f'<article class="episode" id="{_e(rec.slug)}">',
        f"<h2>{_e(rec.title)}</h2>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        f'<audio controls preload="metadata" src="{_e(files["mp3"])}">{track}</audio>',
        f'<p class="notes">{_e(ep.summary)}</p>',
    ]
    if "artwork" in files:
        parts.insert(1, f'<img class="art" src="{_e(files["artwork"])}" alt="{_e(rec.title)} '
                        'cover art" width="120" height="120">')
    if ep.notes_html:  # rendered from Markdown with raw HTML off (notes.py): safe as it is
        parts.append(f'<div class="notes">{ep.notes_html}</div>')
    parts.append(f'<p class="disclosure">{_e(show.disclosure)}</p>')
    cast = ep.folder.cast()
    if cast:
        items = "".join(f"<li><b>{_e(m.name)}</b>"
                        + (f" — {_e(m.credit())}" if m.credit() else "") + "</li>" for m in cast)
        parts.append(f'<h3>Cast</h3><ul class="cast">{items}</ul>')
    chapters = [s for s in ep.folder.sections if s.get("title") or s.get("heading")]
    if chapters:
        items = "".join(f"<li>{_seek(float(s.get('start') or 0))}"
                        f"{_e(s.get('title') or s['heading'])}</li>" for s in chapters)
        parts.append(f'<h3>Chapters</h3><ol class="chapters">{items}</ol>')
    parts.append(_transcript(ep))
    labels = {"mp3": "MP3", "vtt": "WebVTT", "srt": "SRT", "transcript_json": "JSON transcript",
              "chapters_json": "Chapters JSON"}
    links = " · ".join(f'<a href="{_e(files[k])}">{label}</a>' for k, label in labels.items()
                       if k in files)
    parts.append(f'<p class="files">Files: {links}</p>')
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


def build_page(show: Show, episodes: list[FeedEpisode], *, cover_name: str) -> str:
    body = "\n".join(_episode(ep, show) for ep in order_episodes(episodes)) \
        or "<p>No episodes yet.</p>"
    return f"""<!DOCTYPE html>
<html lang="{_e(show.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(show.title)}</title>
<meta name="description" content="{_e(show.description)}">
<link rel="alternate" type="application/rss+xml" title="{_e(show.title)}" href="feed.xml">
<style>
{CSS}
</style>
</head>
<body>
<header class="show">
<img src="{_e(cover_name)}" alt="{_e(show.title)} cover art" width="180" height="180">
<div>
<h1>{_e(show.title)}</h1>
<p class="by">by {_e(show.author)}</p>
<p>{_e(show.description)}</p>
<p class="by">Subscribe in any podcast app: <a href="feed.xml">RSS feed</a>
<code>{_e(show.feed_url)}</code></p>
</div>
</header>
<main>
{body}
</main>
<footer>Produced with Castwright.</footer>
<script>
{JS}
</script>
</body>
</html>
"""
