"""feedgen extension for the Podcasting 2.0 namespace (feedgen ships iTunes tags only).

Register with ``fg.register_extension("podcastindex", PodcastIndexExtension,
PodcastIndexEntryExtension)`` (the name "podcast" is taken by feedgen's iTunes extension), then set
the plain attributes on ``fg.podcastindex`` and ``entry.podcastindex``.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from pipeline.publish.people import Person

# The canonical URI (docs/1.0.md). Clients must treat the older GitHub URI as identical.
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _explicit(parent, value: bool | None) -> None:
    """``<itunes:explicit>true|false</itunes:explicit>``, as Apple documents it today."""
    if value is not None:
        xml_elem(f"{{{ITUNES_NS}}}explicit", parent).text = "true" if value else "false"


def _tag(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _add_persons(parent, persons: list[Person]) -> None:
    for p in persons:
        el = xml_elem(_tag("person"), parent, role=p.role, group=p.group)
        for attr in ("href", "img"):
            if getattr(p, attr):
                el.attrib[attr] = getattr(p, attr)
        el.text = p.name


class PodcastIndexExtension(BaseExtension):
    """Channel tags: guid, locked, person, and itunes:explicit (true/false)."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.locked_owner: str | None = None
        self.persons: list[Person] = []
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self.locked is not None:
            el = xml_elem(_tag("locked"), channel)
            if self.locked_owner:
                el.attrib["owner"] = self.locked_owner
            el.text = "yes" if self.locked else "no"
        if self.guid:
            xml_elem(_tag("guid"), channel).text = self.guid
        _add_persons(channel, self.persons)
        _explicit(channel, self.explicit)
        return rss_feed


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags: season, episode, transcript, chapters, person, and itunes:explicit."""

    def __init__(self) -> None:
        self.season: int | None = None
        self.episode: int | None = None
        # each: {"url", "type", optional "rel", "language"}
        self.transcripts: list[dict[str, str]] = []
        self.chapters_url: str | None = None
        self.persons: list[Person] = []
        self.explicit: bool | None = None

    def extend_rss(self, entry):
        if self.season is not None:
            xml_elem(_tag("season"), entry).text = str(self.season)
        if self.episode is not None:
            xml_elem(_tag("episode"), entry).text = str(self.episode)
        for t in self.transcripts:
            xml_elem(_tag("transcript"), entry, **t)
        if self.chapters_url:
            xml_elem(_tag("chapters"), entry, url=self.chapters_url,
                     type="application/json+chapters")
        _add_persons(entry, self.persons)
        _explicit(entry, self.explicit)
        return entry
