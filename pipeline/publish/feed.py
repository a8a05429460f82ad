"""The RSS 2.0 feed: iTunes tags via feedgen, Podcasting 2.0 tags via ``podcast_ns``.

Everything in the XML comes from the show file, the catalog and the episode folders; there is no
"now" anywhere, so publishing twice without changes gives the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from pipeline.publish.catalog import EpisodeRecord
from pipeline.publish.episode_folder import EpisodeFolder
from pipeline.publish.podcast_ns import Person, PodcastIndexEntryExtension, PodcastIndexExtension
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
    files: dict[str, str]  # kind -> file name in output/feed/ ("mp3", "vtt", ...)

    @property
    def summary(self) -> str:
        return self.folder.summary or self.record.title


def feed_file_names(slug: str, folder: EpisodeFolder) -> dict[str, str]:
    """Names in output/feed/ of an episode's public files (only those the folder has)."""
    names = {"mp3": f"{slug}.mp3"}
    for kind, (suffix, _, _) in TRANSCRIPTS.items():
        if kind in folder.files:
            names[kind] = slug + suffix
    if "chapters_json" in folder.files:
        names["chapters_json"] = slug + CHAPTERS_SUFFIX
    return names


def hms(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _show_notes(ep: FeedEpisode) -> str:
    """HTML show notes for <content:encoded>: the summary and who plays whom."""
    parts = [f"<p>{html.escape(ep.summary)}</p>"]
    cast = ep.folder.cast()
    if cast:
        items = "".join(
            f"<li>{html.escape(m.name)}"
            + (f" — voice: {html.escape(m.voice)}" if m.voice else "") + "</li>"
            for m in cast)
        parts.append(f"<p>Cast:</p><ul>{items}</ul>")
    return "".join(parts)


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
    it.itunes_explicit("yes" if show.explicit else "no")  # feedgen accepts yes/no/clean only
    it.itunes_type(show.type)
    it.itunes_summary(as_html_text(show.description))

    pc: PodcastIndexExtension = fg.podcastindex
    pc.guid = podcast_guid
    pc.locked = show.locked
    pc.locked_owner = show.owner_email
    author_person = Person(author, role="author", group="writing")
    pc.persons = [author_person]

    for ep in order_episodes(episodes):
        rec = ep.record
        fe = fg.add_entry(order="append")
        fe.guid(rec.guid, permalink=False)
        fe.title(clean(rec.title))
        fe.link(href=f"{show.base_url}#{quote(rec.slug)}")
        fe.description(as_html_text(ep.summary))
        fe.content(clean(_show_notes(ep)))  # escaped HTML in <content:encoded>
        fe.enclosure(show.url(quote(ep.files["mp3"])), str(rec.length), "audio/mpeg")
        fe.pubDate(rec.published)

        fe.podcast.itunes_title(clean(rec.title))
        fe.podcast.itunes_duration(hms(rec.duration))
        fe.podcast.itunes_summary(as_html_text(ep.summary))
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
        # Item-level people replace the channel's, so the author is restated.
        pe.persons = [Person(clean(m.name), role=m.role) for m in ep.folder.cast()]
        pe.persons.append(author_person)

    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
