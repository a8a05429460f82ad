"""The RSS 2.0 feed: iTunes tags via feedgen, Podcasting 2.0 tags via ``podcast_ns``.

Everything in the XML comes from the show file, the catalog and the episode folders; there is no
"now" anywhere, so publishing twice without changes gives the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from pipeline.files import file_sha256
from pipeline.publish.catalog import EpisodeRecord
from pipeline.publish.episode_folder import EpisodeFolder
from pipeline.publish.people import Person
from pipeline.publish.podcast_ns import PodcastIndexEntryExtension, PodcastIndexExtension
from pipeline.publish.show import Show

GENERATOR = "Castwright"
# kind -> (file suffix in output/feed/, MIME type, rel) for <podcast:transcript>. WebVTT comes
# last because parsers that keep one transcript (feedparser, podcastparser) keep the last one.
TRANSCRIPTS = {
    "transcript_json": (".transcript.json", "application/json", None),
    "srt": (".srt", "application/x-subrip", "captions"),
    "vtt": (".vtt", "text/vtt", "captions"),
}
CHAPTERS_SUFFIX = ".chapters.json"
HASH_CHARS = 10
# Characters XML 1.0 cannot carry at all (lxml refuses them): drop rather than fail a publish.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def as_html_text(text: str) -> str:
    """Plain text for a field that readers render as HTML (``<description>``, ``itunes:summary``):
    the XML escaping is undone by the XML parser, so "<script>" would reach the HTML renderer as
    a tag. Angle brackets are escaped once more (``&amp;lt;`` in the XML) to stay text; a plain
    "&" needs nothing (it cannot start a tag) and stays readable in apps that show plain text."""
    return clean(text).replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class FeedEpisode:
    """One published episode: its catalog record, its folder, and its files in output/feed/."""

    record: EpisodeRecord
    folder: EpisodeFolder
    files: dict[str, str]  # kind -> file name in output/feed/ ("mp3", "vtt", "artwork", ...)
    notes_html: str = ""  # the episode's show notes, rendered (notes.py)
    artwork: Path | None = None  # the episode's own cover (files["artwork"] is its feed name)
    explicit: bool | None = None  # None: as the show
    people: tuple[Person, ...] = ()  # credited in this episode besides the show's people

    @property
    def summary(self) -> str:
        return self.folder.summary or self.record.title


def hashed(slug: str, suffix: str, sha256: str) -> str:
    """``<slug>-<first 10 hex of the content's sha256><suffix>``: a file's URL changes exactly
    when its bytes do, so apps and CDNs that cache by URL never serve an old episode."""
    return f"{slug}-{sha256[:HASH_CHARS]}{suffix}"


def feed_file_names(slug: str, folder: EpisodeFolder, mp3_sha256: str | None = None
                    ) -> dict[str, str]:
    """Names in output/feed/ of an episode's public files (only those the folder has)."""
    names = {"mp3": hashed(slug, ".mp3", mp3_sha256 or file_sha256(folder.mp3))}
    for kind, (suffix, _, _) in TRANSCRIPTS.items():
        if kind in folder.files:
            names[kind] = hashed(slug, suffix, file_sha256(folder.files[kind]))
    if "chapters_json" in folder.files:
        names["chapters_json"] = hashed(slug, CHAPTERS_SUFFIX,
                                        file_sha256(folder.files["chapters_json"]))
    return names


def hms(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def description(ep: FeedEpisode, show: Show) -> str:
    """The plain-text description: the summary, then the AI-voice disclosure."""
    return f"{ep.summary}\n\n{show.disclosure}"


def _show_notes(ep: FeedEpisode, show: Show) -> str:
    """HTML show notes for <content:encoded>: the summary, the episode's own notes, who
    plays whom, and the AI-voice disclosure."""
    parts = [f"<p>{html.escape(ep.summary)}</p>"]
    if ep.notes_html:
        parts.append(ep.notes_html)
    cast = ep.folder.cast()
    if cast:
        items = "".join(
            f"<li>{html.escape(m.name)}"
            + (f" — {html.escape(m.credit())}" if m.credit() else "") + "</li>"
            for m in cast)
        parts.append(f"<p>Cast:</p><ul>{items}</ul>")
    parts.append(f"<p><em>{html.escape(show.disclosure)}</em></p>")
    return "".join(parts)


def _person(p: Person) -> Person:
    return Person(clean(p.name), role=p.role, group=p.group, href=p.href, img=p.img)


def order_episodes(episodes: list[FeedEpisode]) -> list[FeedEpisode]:
    """Newest first; episodes published together are ordered by season and number."""
    return sorted(episodes, key=lambda e: (e.record.published, e.record.season or 0,
                                           e.record.number), reverse=True)


def build_feed(show: Show, episodes: list[FeedEpisode], *, podcast_guid: str, cover_name: str,
               last_build: datetime) -> bytes:
    """The complete feed.xml as UTF-8 bytes."""
    fg = FeedGenerator()
    fg.load_extension("podcast")  # feedgen's iTunes tags
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)

    cover_url = show.url(quote(cover_name))
    author = clean(show.author)
    fg.title(clean(show.title))
    # feedgen uses the *last* link as the RSS <link>, so the self link goes first.
    fg.link(href=show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=show.base_url, rel="alternate")
    fg.description(as_html_text(show.description))
    fg.language(show.language)
    if show.copyright:
        fg.copyright(clean(show.copyright))
    fg.generator(GENERATOR)
    fg.image(url=cover_url, title=clean(show.title), link=show.base_url)
    fg.lastBuildDate(last_build)
    if episodes:
        fg.pubDate(max(e.record.published for e in episodes))

    it = fg.podcast
    it.itunes_author(author)
    it.itunes_owner(name=clean(show.owner_name), email=show.owner_email)
    it.itunes_image(cover_url)
    category = {"cat": show.category}
    if show.subcategory:
        category["sub"] = show.subcategory
    it.itunes_category(category)
    it.itunes_type(show.type)
    it.itunes_summary(as_html_text(show.description))

    pc: PodcastIndexExtension = fg.podcastindex
    pc.guid = podcast_guid
    pc.locked = show.locked
    pc.locked_owner = show.owner_email
    # Apple documents true/false now; feedgen still writes yes/no, so the tag is ours.
    pc.explicit = show.explicit
    pc.persons = [_person(p) for p in show.people]  # real people only: no characters

    for ep in order_episodes(episodes):
        rec = ep.record
        fe = fg.add_entry(order="append")
        fe.guid(rec.guid, permalink=False)
        fe.title(clean(rec.title))
        fe.link(href=f"{show.base_url}#{quote(rec.slug)}")
        fe.description(as_html_text(description(ep, show)))
        fe.content(clean(_show_notes(ep, show)))  # escaped HTML in <content:encoded>
        fe.enclosure(show.url(quote(ep.files["mp3"])), str(rec.length), "audio/mpeg")
        fe.pubDate(rec.published)

        fe.podcast.itunes_title(clean(rec.title))
        fe.podcast.itunes_duration(hms(rec.duration))
        fe.podcast.itunes_summary(as_html_text(description(ep, show)))
        if "artwork" in ep.files:
            fe.podcast.itunes_image(show.url(quote(ep.files["artwork"])))
        fe.podcast.itunes_episode(rec.number)
        if rec.season is not None:
            fe.podcast.itunes_season(rec.season)
        fe.podcast.itunes_episode_type(rec.episode_type)

        pe: PodcastIndexEntryExtension = fe.podcastindex
        pe.season = rec.season
        pe.episode = rec.number
        for kind, (_, mime, rel) in TRANSCRIPTS.items():
            if kind in ep.files:
                attrs = {"url": show.url(quote(ep.files[kind])), "type": mime}
                if rel:
                    attrs["rel"] = rel
                pe.transcripts.append(attrs)
        if "chapters_json" in ep.files:
            pe.chapters_url = show.url(quote(ep.files["chapters_json"]))
        pe.explicit = ep.explicit
        if ep.people:  # item-level people replace the channel's: restate the show's
            pe.persons = [_person(p) for p in (*show.people, *ep.people)]

    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
