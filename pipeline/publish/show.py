"""The show file (``show.toml``): everything about a podcast that is not in the episodes' audio.

``load_show(path)`` validates the whole file before anything is written, and every problem is a
``PublishError`` naming the file and, where it can be found, the line. See docs/show-file.md.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.books.show import book_description, chapter_slugs, chosen_chapters, language_code
from pipeline.casting import CastFile, parse_cast
from pipeline.errors import CastwrightError, PublishError, VoiceError
from pipeline.files import RESERVED_SLUGS, slug_for_script, slugify
from pipeline.lexicon import parse_table as parse_lexicon
from pipeline.publish.artwork import ArtworkProblem, check_artwork
from pipeline.publish.categories import APPLE_CATEGORIES
from pipeline.publish.people import ROLE_GROUP, Person, known_role, roles_hint
from pipeline.tomlfile import KeyLines, read_toml

# Podcasting 2.0 <podcast:guid>: UUIDv5 of the feed URL (scheme and trailing slashes stripped)
# in this namespace; see podcast-namespace docs/tags/guid.md.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

SCRIPT_SUFFIXES = (".txt", ".md", ".fountain")
MAX_NUMBER = 99_999  # episode and season numbers (the catalog keeps them as integers)
SHOW_TYPES = ("episodic", "serial")
EPISODE_TYPES = ("full", "trailer", "bonus")

_ROOT_KEYS = {"title", "author", "description", "language", "artwork", "category", "subcategory",
              "explicit", "type", "base_url", "guid", "locked", "copyright", "owner", "episodes",
              "mix", "cast", "music", "people", "disclosure", "pronounce", "book", "chapters",
              "season", "render"}
# [music] key -> the [mix] setting it fills (see docs/show-file.md, docs/sound-and-mix.md)
_MUSIC_KEYS = {"theme": "music_theme", "intro": "music_intro", "outro": "music_outro",
               "stinger": "music_stinger"}
_OWNER_KEYS = {"name", "email"}
_EPISODE_KEYS = {"script", "number", "season", "date", "title", "episode_type", "slug",
                 "explicit", "artwork", "notes", "people"}
_PERSON_KEYS = {"name", "role", "href", "img"}
_DISCLOSURE_KEYS = {"text", "spoken", "spoken_text"}
# Apple asks shows with AI-generated content to say so in the metadata and in the audio.
DISCLOSURE_TEXT = ("The voices in this episode are synthetic: it is performed by AI "
                   "text-to-speech.")
SPOKEN_NOTICE = "This story is performed by synthetic voices."
NOTES_SUFFIX = ".notes.md"  # show notes beside a script: scripts/x.notes.md for scripts/x.txt
ART_SUFFIXES = (".jpg", ".jpeg", ".png")  # episode artwork beside a script: scripts/x.jpg
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class EpisodeEntry:
    """One ``[[episodes]]`` entry (or one script found in ``scripts/``)."""

    script: Path  # absolute
    slug: str  # folder under output/ and file stem in the feed
    number: int
    season: int | None = None
    date: datetime | None = None  # UTC; None: the date of first publication (kept in the catalog)
    title: str | None = None  # None: the script's title from the manifest
    episode_type: str = "full"
    chapter: int | None = None  # a book's chapter: ``script`` is the book
    folder: str | None = None  # the episode folder under output/ when it is not ``slug``
    explicit: bool | None = None  # None: as the show
    artwork: Path | None = None  # the episode's own cover (checked like the show's)
    notes: Path | None = None  # Markdown show notes
    people: tuple[Person, ...] = ()  # credited in this episode besides the show's people

    @property
    def episode_folder(self) -> str:
        return self.folder or self.slug


@dataclass(frozen=True)
class Show:
    path: Path
    title: str
    author: str
    owner_name: str
    owner_email: str
    description: str
    language: str
    category: str
    base_url: str  # always ends with "/"
    episodes: tuple[EpisodeEntry, ...]
    subcategory: str | None = None
    artwork: Path | None = None  # None: publish generates a default cover
    explicit: bool = False
    type: str = "episodic"
    guid: str | None = None  # override of the derived <podcast:guid>
    locked: bool = False
    copyright: str | None = None
    mix: dict[str, Any] = field(default_factory=dict)  # passed to the mixer untouched
    cast: dict[str, Any] = field(default_factory=dict)  # a cast file's keys, under episodes
    pronounce: dict[str, Any] = field(default_factory=dict)  # word -> pronunciation (lexicon)
    book: Path | None = None  # a show made of one book: its chapters are the episodes
    book_data: Any = field(default=None, compare=False, repr=False)  # the Book, read once
    people: tuple[Person, ...] = ()  # the real people credited (<podcast:person>)
    disclosure: str = DISCLOSURE_TEXT  # the AI-voice line in every episode's description
    spoken_notice: str | None = SPOKEN_NOTICE  # read by the narrator in the intro; None: off
    render_cluster: str | None = None  # [render] cluster: a Ray address (docs/cluster.md)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def feed_url(self) -> str:
        return self.base_url + "feed.xml"

    def url(self, name: str) -> str:
        return self.base_url + name

    def derived_guid(self) -> str:
        return podcast_guid(self.feed_url)


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 guid of a feed URL."""
    seed = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


def load_show(path: str | Path) -> Show:
    """Read and validate ``show.toml``; raise ``PublishError(file, line)`` on the first problem."""
    path = Path(path)
    if not path.exists():
        raise PublishError("show file not found (create one: `castwright docs show-file` "
                           "describes it)", path)
    data, text = read_toml(path, PublishError, "show file")
    return _ShowReader(path, text, data).read()


class _ShowReader:
    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path = path
        self.lines = KeyLines(text)
        self.data = data
        self.source = text

    def fail(self, problem: str, key: str | None = None, table: str = "",
             index: int | None = None) -> PublishError:
        return PublishError(problem, self.path, self.lines.line(key, table, index))

    # -- typed getters -------------------------------------------------------------------------

    def text(self, table: dict[str, Any], key: str, *, required: bool, where: str = "",
             index: int | None = None) -> str | None:
        value = table.get(key)
        name = f"{where}.{key}" if where else key
        if value is None:
            if required:
                raise self.fail(f"missing required field '{name}'", key, where, index)
            return None
        if not isinstance(value, str):
            raise self.fail(f"'{name}' must be a string", key, where, index)
        value = value.strip()
        if not value and required:
            raise self.fail(f"'{name}' must not be empty", key, where, index)
        return value or None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false", key)
        return value

    def integer(self, table: dict[str, Any], key: str, index: int) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
            raise self.fail(f"episodes[{index}].{key} must be a whole number from 1 to "
                            f"{MAX_NUMBER}", key, "episodes", index)
        return value

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], where: str = "",
                     index: int | None = None) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"unknown field '{key}'{' in ' + where if where else ''} "
                                f"(known: {known})", key, where, index)

    # -- the show ------------------------------------------------------------------------------

    def read(self) -> Show:
        d = self.data
        self.unknown_keys(d, _ROOT_KEYS)
        book = self.book()
        title = self.text(d, "title", required=book is None) or book.meta.title
        author = self.text(d, "author", required=book is None) or book.meta.author or "Anonymous"
        description = self.text(d, "description", required=book is None) or \
            book_description(book)
        language = self.text(d, "language", required=book is None) or \
            language_code(book.meta.language)
        if not _LANGUAGE.match(language):
            raise self.fail(f"language '{language}' is not a language code like 'en' or 'en-GB'",
                            "language")
        owner = d.get("owner")
        if owner is None:
            raise self.fail("missing required table [owner] with name and email")
        if not isinstance(owner, dict):
            raise self.fail("'owner' must be a table with name and email", "owner")
        self.unknown_keys(owner, _OWNER_KEYS, "owner")
        owner_name = self.text(owner, "name", required=True, where="owner")
        owner_email = self.text(owner, "email", required=True, where="owner")
        if not _EMAIL.match(owner_email):
            raise self.fail(f"owner.email '{owner_email}' is not an e-mail address", "email",
                            "owner")
        category, subcategory = self.category()
        show_type = self.text(d, "type", required=False) or ("serial" if book else "episodic")
        if show_type not in SHOW_TYPES:
            raise self.fail(f"type must be 'episodic' or 'serial', not '{show_type}'", "type")
        guid = self.text(d, "guid", required=False)
        if guid is not None:
            try:
                guid = str(uuid.UUID(guid))
            except ValueError:
                raise self.fail(f"guid '{guid}' is not a UUID", "guid") from None
        for table in ("mix", "cast", "music", "pronounce"):
            if not isinstance(d.get(table, {}), dict):
                raise self.fail(f"'{table}' must be a table", table)
        # The [cast] table is a cast file's keys (docs/cast-file.md): checked now, at its line,
        # and so are its voices, not halfway through a publish.
        self.cast_voices(parse_cast(d.get("cast", {}), self.path, self.source, where="cast."))
        # [pronounce] entries are checked now too (docs/show-file.md, voices/README.md).
        parse_lexicon(d.get("pronounce", {}), self.path, self.source, where="pronounce: ")
        return Show(
            path=self.path.resolve(),
            title=title,
            author=author,
            owner_name=owner_name,
            owner_email=owner_email,
            description=description,
            language=language,
            category=category,
            subcategory=subcategory,
            base_url=self.base_url(),
            artwork=self.artwork(),
            explicit=self.flag("explicit", False),
            type=show_type,
            guid=guid,
            locked=self.flag("locked", False),
            copyright=self.text(d, "copyright", required=False),
            episodes=self.book_episodes(book) if book else self.episodes(),
            mix={**self.mix(), **self.music()},
            cast=dict(d.get("cast", {})),
            pronounce=dict(d.get("pronounce", {})),
            book=book.path if book else None,
            book_data=book,
            people=self.people(d.get("people", []), "people"),
            **self.disclosure(),
            render_cluster=self.render_cluster(),
        )

    def book(self):
        """``book = "novel.epub"``: the show is that book, read now (its fields fill the
        show's); ``chapters`` and ``season`` pick and number its episodes."""
        for key in ("chapters", "season"):
            if key in self.data and "book" not in self.data:
                raise self.fail(f"'{key}' needs 'book' (the book whose chapters are the "
                                "episodes)", key)
        name = self.text(self.data, "book", required=False)
        if name is None:
            return None
        if "episodes" in self.data:
            raise self.fail("a show made of a book lists no [[episodes]]: its chapters are "
                            "the episodes (pick some with chapters = \"1-10\")", "episodes")
        from pipeline.books.book import load_book
        from pipeline.errors import ScriptError

        path = (self.path.parent / name).resolve()
        if not path.is_file():
            raise self.fail(f"book not found: {name}", "book")
        try:
            return load_book(path)
        except ScriptError as err:
            raise self.fail(f"book '{name}': {err.problem}", "book") from None

    def book_episodes(self, book) -> tuple[EpisodeEntry, ...]:
        from pipeline.errors import ScriptError

        spec = self.data.get("chapters")
        if spec is not None and not isinstance(spec, str | int):
            raise self.fail("'chapters' must be a range like \"1-10\"", "chapters")
        season = self.data.get("season", 1)
        if isinstance(season, bool) or not isinstance(season, int) or season < 1:
            raise self.fail("'season' must be a whole number >= 1", "season")
        try:
            numbers = chosen_chapters(book, None if spec is None else str(spec))
        except ScriptError as err:
            raise self.fail(err.problem.replace("--chapters", "chapters"), "chapters") from None
        slugs = {n: (slug, folder) for n, slug, folder in chapter_slugs(book)}
        return tuple(EpisodeEntry(script=book.path, slug=slugs[n][0], number=n, season=season,
                                  title=book.chapter(n).title, chapter=n, folder=slugs[n][1])
                     for n in numbers)

    def render_cluster(self) -> str | None:
        """``[render] cluster``: where publish renders stale episodes (a Ray address)."""
        from pipeline.cluster.address import ClusterError, parse_address  # no Ray import

        table = self.data.get("render", {})
        if not isinstance(table, dict):
            raise self.fail("'render' must be a table with cluster", "render")
        self.unknown_keys(table, {"cluster"}, "render")
        value = self.text(table, "cluster", required=False, where="render")
        if value is not None and value.lower() not in ("off", "none", "no"):
            try:
                parse_address(value, "render.cluster")
            except ClusterError as err:
                raise self.fail(err.problem, "cluster", "render") from None
        return value

    def people(self, raw: Any, where: str, index: int | None = None) -> tuple[Person, ...]:
        """``[[people]]`` (or an episode's ``people``): name, a Podcast Taxonomy role, and
        optionally href and img."""
        if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
            raise self.fail(f"'{where}' must be [[{where}]] tables with name and role",
                            "people", "episodes" if index is not None else "", index)
        table = "episodes" if index is not None else "people"
        out = []
        for i, person in enumerate(raw):
            at = index if index is not None else i
            self.unknown_keys(person, _PERSON_KEYS, where, at)
            name = self.text(person, "name", required=True, where=where, index=at)
            role_text = self.text(person, "role", required=True, where=where, index=at)
            role = known_role(role_text)
            if role is None:
                raise self.fail(f"{where} '{name}': role '{role_text}' is not a Podcast Taxonomy "
                                f"role ({roles_hint()})", "role", table, at)
            links = {}
            for key in ("href", "img"):
                url = self.text(person, key, required=False, where=where, index=at)
                if url is not None and urlsplit(url).scheme not in ("http", "https"):
                    raise self.fail(f"{where} '{name}': {key} must be an http(s) URL", key,
                                    table, at)
                links[key] = url
            out.append(Person(name, role=role, group=ROLE_GROUP[role], **links))
        return tuple(out)

    def disclosure(self) -> dict[str, Any]:
        """[disclosure]: the AI-voice line of every description (``text``) and the spoken
        notice (``spoken = false`` switches it off; ``spoken_text`` words it)."""
        table = self.data.get("disclosure", {})
        if not isinstance(table, dict):
            raise self.fail("'disclosure' must be a table", "disclosure")
        self.unknown_keys(table, _DISCLOSURE_KEYS, "disclosure")
        spoken = table.get("spoken", True)
        if not isinstance(spoken, bool):
            raise self.fail("disclosure.spoken must be true or false", "spoken", "disclosure")
        text = self.text(table, "text", required=False, where="disclosure")
        said = self.text(table, "spoken_text", required=False, where="disclosure")
        if said is not None and len(said) > 300:
            raise self.fail("disclosure.spoken_text is a short notice: 300 characters at most",
                            "spoken_text", "disclosure")
        return {"disclosure": text or DISCLOSURE_TEXT,
                "spoken_notice": (said or SPOKEN_NOTICE) if spoken else None}

    def episode_extras(self, e: dict[str, Any], i: int | None, script: Path) -> dict[str, Any]:
        """An episode's own explicit flag, artwork, show notes and people; artwork and notes
        are also found beside the script (``x.jpg``/``x.png``, ``x.notes.md``)."""
        table = e if i is not None else {}
        explicit = table.get("explicit")
        if explicit is not None and not isinstance(explicit, bool):
            raise self.fail(f"episodes[{i}].explicit must be true or false", "explicit",
                            "episodes", i)
        art = self.text(table, "artwork", required=False, where="episodes", index=i)
        notes = self.text(table, "notes", required=False, where="episodes", index=i)
        artwork = (self.path.parent / art).resolve() if art else next(
            (p for p in (script.with_suffix(x) for x in ART_SUFFIXES) if p.is_file()), None)
        notes_path = (self.path.parent / notes).resolve() if notes else (
            script.with_name(script.stem + NOTES_SUFFIX))
        if artwork is not None:
            try:
                check_artwork(artwork)
            except ArtworkProblem as err:
                if art:
                    raise self.fail(f"artwork '{art}': {err}", "artwork", "episodes", i) \
                        from None
                raise PublishError(f"episode artwork: {err}", artwork) from None
        if notes and not notes_path.is_file():
            raise self.fail(f"show notes not found: {notes}", "notes", "episodes", i)
        return {"explicit": explicit, "artwork": artwork,
                "notes": notes_path if notes_path.is_file() else None,
                "people": self.people(table.get("people", []), "people", i)
                if i is not None else ()}

    def mix(self) -> dict[str, Any]:
        """The [mix] table, checked key by key (so an error names its line); file paths in
        it are made absolute, since renders run from anywhere."""
        from pipeline.mix.settings import MUSIC_FILE_KEYS, MixSettings

        table = dict(self.data.get("mix", {}))
        for key, value in table.items():
            try:
                checked = MixSettings.from_table({key: value}, self.path)
            except CastwrightError as err:
                raise self.fail(err.problem, key, "mix") from None
            name = str(key).replace("-", "_")
            if name in MUSIC_FILE_KEYS and value:
                table[key] = getattr(checked, name)
                self.check_audio(table[key], f"[mix] {key}", key, "mix")
        return table

    def music(self) -> dict[str, str]:
        """[music]: the show's theme, intro, outro and stinger files, as [mix] settings."""
        table = self.data.get("music", {})
        self.unknown_keys(table, set(_MUSIC_KEYS), "music")
        out = {}
        for key, setting in _MUSIC_KEYS.items():
            name = self.text(table, key, required=False, where="music")
            if name is not None:
                path = (self.path.parent / name).resolve()
                self.check_audio(str(path), f"music.{key}", key, "music")
                out[setting] = str(path)
        return out

    def check_audio(self, path: str, what: str, key: str, table: str) -> None:
        from pipeline.mix.decode import probe_duration

        try:
            probe_duration(Path(path), what)
        except CastwrightError as err:
            raise self.fail(err.problem, key, table) from None

    def category(self) -> tuple[str, str | None]:
        category = self.text(self.data, "category", required=True)
        subcategory = self.text(self.data, "subcategory", required=False)
        if category not in APPLE_CATEGORIES:
            close = [c for c in APPLE_CATEGORIES if c.lower() == category.lower()]
            hint = f" (did you mean '{close[0]}'?)" if close else \
                " (see pipeline/publish/categories.py for Apple's list)"
            raise self.fail(f"category '{category}' is not an Apple Podcasts category{hint}",
                            "category")
        if subcategory is not None and subcategory not in APPLE_CATEGORIES[category]:
            allowed = ", ".join(APPLE_CATEGORIES[category]) or "none"
            raise self.fail(f"subcategory '{subcategory}' is not in '{category}' "
                            f"(allowed: {allowed})", "subcategory")
        return category, subcategory

    def cast_voices(self, cast: CastFile) -> None:
        """Every voice the [cast] names must be in the catalog publish renders with."""
        from pipeline.catalog import default_voices_dir, get_voice, load_catalog

        voices = self.path.parent / "voices"
        catalog = load_catalog(voices if voices.is_dir() else default_voices_dir())
        named = [("narrator", "", cast.narrator)] if cast.narrator else []
        named += [("voice", f"characters.{name}", voice)
                  for name, voice in cast.characters.items()]
        for key, table, voice in named:
            try:
                get_voice(catalog, voice)
            except VoiceError as err:
                line = (self.lines.line(key, f"cast.{table}".rstrip("."))
                        or self.lines.line(table.rsplit(".", 1)[-1], "cast.characters"))
                raise PublishError(f"[cast] {err.problem}", self.path, line) from None

    def base_url(self) -> str:
        url = self.text(self.data, "base_url", required=True)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as err:
            raise self.fail(f"base_url '{url}' is not a valid URL ({err})", "base_url") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.fail(f"base_url '{url}' must be an http:// or https:// URL "
                            "(where output/feed/ will be served)", "base_url")
        if parts.query or parts.fragment:
            raise self.fail(f"base_url '{url}' must not have a query or fragment", "base_url")
        return url if url.endswith("/") else url + "/"

    def artwork(self) -> Path | None:
        name = self.text(self.data, "artwork", required=False)
        if name is None:
            return None
        artwork = (self.path.parent / name).resolve()
        try:
            check_artwork(artwork)
        except ArtworkProblem as err:
            raise self.fail(f"artwork '{name}': {err}", "artwork") from None
        return artwork

    def episodes(self) -> tuple[EpisodeEntry, ...]:
        raw = self.data.get("episodes")
        if raw is None:
            return self.discovered_episodes()
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            raise self.fail("'episodes' must be [[episodes]] tables", "episodes")
        if not raw:
            raise self.fail("'episodes' is empty; list at least one or remove it to publish "
                            "every script in scripts/", "episodes")
        entries: list[EpisodeEntry] = []
        seen_numbers: dict[tuple[int | None, int], int] = {}
        seen_slugs: dict[str, int] = {}
        for i, e in enumerate(raw):
            self.unknown_keys(e, _EPISODE_KEYS, "episodes", i)
            script_name = self.text(e, "script", required=True, where="episodes", index=i)
            script = (self.path.parent / script_name).resolve()
            if not script.is_file():
                raise self.fail(f"script not found: {script_name}", "script", "episodes", i)
            number = self.integer(e, "number", i) or i + 1
            season = self.integer(e, "season", i)
            if (season, number) in seen_numbers:
                first = self.lines.line("number", "episodes", seen_numbers[(season, number)])
                in_season = f" in season {season}" if season else ""
                raise self.fail(f"episode number {number}{in_season} is used twice "
                                f"(also at line {first})", "number", "episodes", i)
            seen_numbers[(season, number)] = i
            slug = self.text(e, "slug", required=False, where="episodes", index=i)
            if slug is not None and slug != slugify(slug):
                raise self.fail(f"slug '{slug}' may only use a-z, 0-9 and '-' "
                                f"(try '{slugify(slug)}')", "slug", "episodes", i)
            if slug in RESERVED_SLUGS:
                raise self.fail(f"slug '{slug}' is reserved (output/{slug}/ is the published "
                                "feed)", "slug", "episodes", i)
            slug = slug or slug_for_script(script)
            if slug in seen_slugs:
                raise self.fail(f"episode slug '{slug}' is used twice (episodes "
                                f"{seen_slugs[slug] + 1} and {i + 1}); set 'slug' on one",
                                "script", "episodes", i)
            seen_slugs[slug] = i
            episode_type = self.text(e, "episode_type", required=False, where="episodes",
                                     index=i) or "full"
            if episode_type not in EPISODE_TYPES:
                raise self.fail(f"episode_type must be one of {', '.join(EPISODE_TYPES)}, "
                                f"not '{episode_type}'", "episode_type", "episodes", i)
            entries.append(EpisodeEntry(
                script=script, slug=slug, number=number, season=season,
                date=self.date(e, i),
                title=self.text(e, "title", required=False, where="episodes", index=i),
                episode_type=episode_type, **self.episode_extras(e, i, script),
            ))
        return tuple(entries)

    def date(self, e: dict[str, Any], index: int) -> datetime | None:
        value = e.get("date")
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(f"episodes[{index}].date '{value}' is not an ISO date like "
                                "2025-01-31 or 2025-01-31T18:00:00Z", "date", "episodes",
                                index) from None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=UTC)
        raise self.fail(f"episodes[{index}].date must be a date like 2025-01-31", "date",
                        "episodes", index)

    def discovered_episodes(self) -> tuple[EpisodeEntry, ...]:
        """No [[episodes]]: every script in scripts/, sorted by file name, numbered 1..n."""
        folder = self.path.parent / "scripts"
        scripts = sorted(p for p in folder.glob("*") if p.is_file()
                         and p.suffix.lower() in SCRIPT_SUFFIXES and not p.name.startswith(".")
                         and not p.name.lower().endswith(NOTES_SUFFIX))  # notes, not scripts
        if not scripts:
            raise self.fail(f"no [[episodes]] listed and no scripts ({', '.join(SCRIPT_SUFFIXES)})"
                            f" found in {folder}")
        slugs: dict[str, Path] = {}
        for script in scripts:
            slug = slug_for_script(script)
            if slug in slugs:
                raise self.fail(f"scripts {slugs[slug].name} and {script.name} would publish as "
                                f"the same episode '{slug}'; list [[episodes]] with a 'slug'")
            slugs[slug] = script
        return tuple(EpisodeEntry(script=p.resolve(), slug=s, number=n,
                                  **self.episode_extras({}, None, p.resolve()))
                     for n, (s, p) in enumerate(slugs.items(), 1))
