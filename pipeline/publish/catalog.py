"""The published-episode catalog, ``output/catalog.sqlite``: what listeners' apps already know.

An episode's guid and first-published date are fixed the first time it is published and never
change afterwards, so a re-render updates the file facts (length, duration, checksum, updated
date) without apps showing it as a new episode. The show's ``<podcast:guid>`` is fixed the same way.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import PublishError

SCHEMA_VERSION = 1

_MIGRATIONS = {
    # version reached -> statements that take the previous version there
    1: [
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE episodes (
            slug        TEXT PRIMARY KEY,
            guid        TEXT NOT NULL UNIQUE,
            number      INTEGER NOT NULL,
            season      INTEGER,
            title       TEXT NOT NULL,
            episode_type TEXT NOT NULL DEFAULT 'full',
            file_name   TEXT NOT NULL,
            length      INTEGER NOT NULL,
            duration    REAL NOT NULL,
            sha256      TEXT NOT NULL,
            published   TEXT NOT NULL,
            updated     TEXT NOT NULL
        )""",
    ],
}


@dataclass(frozen=True)
class EpisodeRecord:
    slug: str
    guid: str
    number: int
    season: int | None
    title: str
    episode_type: str
    file_name: str  # name in output/feed/
    length: int  # bytes of the published audio file
    duration: float  # seconds
    sha256: str
    published: datetime  # first publication (UTC); pubDate
    updated: datetime  # last change of what the feed says about it (UTC)


_COLUMNS = [f.name for f in fields(EpisodeRecord)]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _from_row(row: sqlite3.Row) -> EpisodeRecord:
    values = dict(row)
    values["published"] = datetime.fromisoformat(values["published"])
    values["updated"] = datetime.fromisoformat(values["updated"])
    return EpisodeRecord(**values)


class Catalog:
    """A small SQLite store. Use ``with catalog.transaction():`` around a publish."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (see transaction()).
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise PublishError(f"catalog is unreadable ({err}); restore it from a backup — "
                               "deleting it gives every episode a new publication date",
                               self.path) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise PublishError(f"catalog schema version {version} is newer than this castwright "
                               f"understands ({SCHEMA_VERSION}); upgrade castwright", self.path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a failed publish leaves the catalog as it was."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- show-level facts ----------------------------------------------------------------------

    def meta(self, key: str, default: str) -> str:
        """The stored value of ``key``; stores ``default`` the first time it is asked for."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return row[0]
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, default))
        return default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- episodes ------------------------------------------------------------------------------

    def get(self, slug: str) -> EpisodeRecord | None:
        row = self.db.execute("SELECT * FROM episodes WHERE slug = ?", (slug,)).fetchone()
        return _from_row(row) if row else None

    def all(self) -> list[EpisodeRecord]:
        rows = self.db.execute("SELECT * FROM episodes ORDER BY published, number").fetchall()
        return [_from_row(r) for r in rows]

    def _put(self, rec: EpisodeRecord) -> None:
        values = [getattr(rec, c) for c in _COLUMNS]
        values[_COLUMNS.index("published")] = _iso(rec.published)
        values[_COLUMNS.index("updated")] = _iso(rec.updated)
        self.db.execute(
            f"INSERT OR REPLACE INTO episodes ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))})", values)

    def record(self, new: EpisodeRecord, now: datetime, *,
               date_fixed: bool = False) -> tuple[EpisodeRecord, bool]:
        """Store what is about to be published; return (stored record, changed?).

        ``new.guid`` and ``new.published`` are only used the first time ``new.slug`` is seen;
        afterwards the catalog's guid is kept, and its published date too unless ``date_fixed``
        (the show file sets the date explicitly). ``updated`` becomes ``now`` when anything the
        feed shows changes; on first publication it is the published date.
        """
        old = self.get(new.slug)
        now = now.astimezone(UTC).replace(microsecond=0)
        if old is None:
            published = new.published.astimezone(UTC).replace(microsecond=0)
            rec = replace(new, published=published, updated=published)
            self._put(rec)
            return rec, True
        published = new.published.astimezone(UTC).replace(microsecond=0) if date_fixed \
            else old.published
        rec = replace(new, guid=old.guid, published=published, updated=old.updated)
        if rec != old:
            rec = replace(rec, updated=max(now, published))
            self._put(rec)
            return rec, True
        return old, False
