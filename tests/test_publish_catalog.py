"""The catalog: guids and first-published dates are fixed once; re-renders update file facts."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.errors import PublishError
from pipeline.publish.catalog import SCHEMA_VERSION, Catalog, EpisodeRecord

T0 = datetime(2025, 1, 6, tzinfo=UTC)


def _record(**changes) -> EpisodeRecord:
    base = EpisodeRecord(slug="one", guid="guid-1", number=1, season=1, title="One",
                         episode_type="full", file_name="one.mp3", length=1000, duration=60.0,
                         sha256="a" * 64, published=T0, updated=T0)
    return replace(base, **changes)


def test_first_publication_fixes_guid_and_date(tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat, cat.transaction():
        rec, changed = cat.record(_record(), now=T0 + timedelta(days=3))
    assert changed and rec.guid == "guid-1"
    assert rec.published == rec.updated == T0

    later = T0 + timedelta(days=30)
    with Catalog(tmp_path / "c.sqlite") as cat, cat.transaction():
        # A new guid/date offered for the same slug is ignored: apps already know the episode.
        rec2, changed = cat.record(_record(guid="other", published=later), now=later)
    assert not changed
    assert rec2 == rec


def test_rerender_updates_file_facts_and_keeps_identity(tmp_path: Path) -> None:
    later = T0 + timedelta(days=2, hours=3)
    with Catalog(tmp_path / "c.sqlite") as cat, cat.transaction():
        cat.record(_record(), now=T0)
        rec, changed = cat.record(_record(guid="new", length=2000, duration=61.5,
                                          sha256="b" * 64, published=later), now=later)
    assert changed
    assert (rec.guid, rec.published) == ("guid-1", T0)
    assert (rec.length, rec.duration, rec.sha256, rec.updated) == (2000, 61.5, "b" * 64, later)
    with Catalog(tmp_path / "c.sqlite") as cat:
        assert cat.get("one") == rec
        assert cat.all() == [rec]


def test_explicit_date_in_the_show_file_wins(tmp_path: Path) -> None:
    moved = T0 + timedelta(days=7)
    with Catalog(tmp_path / "c.sqlite") as cat, cat.transaction():
        cat.record(_record(), now=T0)
        rec, changed = cat.record(_record(published=moved), now=moved, date_fixed=True)
    assert changed and rec.published == moved and rec.guid == "guid-1"


def test_meta_is_set_once(tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat, cat.transaction():
        assert cat.meta("podcast_guid", "first") == "first"
        assert cat.meta("podcast_guid", "second") == "first"
        cat.set_meta("podcast_guid", "override")
        assert cat.meta("podcast_guid", "third") == "override"


def test_failed_transaction_leaves_catalog_unchanged(tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        with pytest.raises(RuntimeError), cat.transaction():
            cat.record(_record(), now=T0)
            raise RuntimeError("feed build failed")
        assert cat.get("one") is None


def test_schema_is_versioned(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.sqlite").close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(PublishError, match="newer than this castwright understands"):
        Catalog(tmp_path / "c.sqlite")


def test_corrupt_catalog_is_a_publish_error(tmp_path: Path) -> None:
    (tmp_path / "c.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(PublishError, match="catalog is unreadable"):
        Catalog(tmp_path / "c.sqlite")
