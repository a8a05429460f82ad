"""People credited in the feed (``<podcast:person>``): the real people a show file names.

The Podcasting 2.0 person tag is for people - writers, producers, directors, composers - not for
characters, and synthetic voices are not people, so the feed credits exactly the ``[[people]]``
of ``show.toml`` (and an episode's own ``people``). Roles and groups are the Podcast Taxonomy
Project's (podcast-namespace ``taxonomy.json``), written in lower case as the tag wants them.
"""

from __future__ import annotations

from dataclasses import dataclass

# group -> roles (Podcast Taxonomy Project, English)
TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": ("director", "assistant director", "executive producer",
                           "senior producer", "producer", "associate producer",
                           "development producer", "creative director"),
    "cast": ("host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer",
             "reporter"),
    "writing": ("author", "editorial director", "co-writer", "writer", "songwriter",
                "guest writer", "story editor", "managing editor", "script editor",
                "script coordinator", "researcher", "editor", "fact checker", "translator",
                "transcriber", "logger"),
    "audio production": ("studio coordinator", "technical director", "technical manager",
                         "audio engineer", "remote recording engineer",
                         "post production engineer"),
    "audio post-production": ("audio editor", "sound designer", "foley artist", "composer",
                              "theme music", "music production", "music contributor"),
    "administration": ("production coordinator", "booking coordinator", "production assistant",
                       "content manager", "marketing manager", "sales representative",
                       "sales manager"),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
}
# A role names its group; "editor" is writing's (video post-production has one too).
ROLE_GROUP = {role: group for group, roles in reversed(TAXONOMY.items()) for role in roles}


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # a taxonomy role, lower case ("writer", "producer", "director")
    group: str = "writing"  # its taxonomy group
    href: str | None = None
    img: str | None = None


def known_role(role: str) -> str | None:
    """The taxonomy spelling of ``role`` (any case), or None."""
    key = " ".join(role.lower().split())
    return key if key in ROLE_GROUP else None


def roles_hint() -> str:
    return "e.g. writer, author, producer, director, composer, sound designer, voice actor"
