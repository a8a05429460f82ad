"""Replaced feed files stay a while, so nobody holding the previous feed gets a dead link.

Episode files in ``output/feed/`` are named by their content (``x-3f2a9c01d4.mp3``), so a
re-rendered episode gets a new URL and apps fetch it anew. A podcast app (or a CDN) that read the
feed an hour ago still holds the old URL, though; the old file is therefore kept for
``KEEP_DAYS`` after the feed stopped naming it, then dropped at the next publish. Cleaning is
safe by construction: only files a previous publish wrote into the feed folder are ever
retired, the record of when each was retired lives in the catalog (committed with it), and
deleting ``output/feed/`` loses nothing but this courtesy.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.publish.catalog import Catalog

KEEP_DAYS = 7
META_KEY = "retired_files"  # catalog meta: {file name: when the feed stopped naming it}
NEVER_KEPT = frozenset({"feed.xml", "index.html"})  # rewritten every time, never replaced


def keep_retired(catalog: Catalog, old: Path, new: Path, now: datetime) -> list[str]:
    """Carry recently replaced files of the ``old`` feed folder into the ``new`` one; returns
    their names. Files the new feed names again are no longer retired."""
    try:
        retired = {k: datetime.fromisoformat(v)
                   for k, v in json.loads(catalog.meta(META_KEY, "{}")).items()}
    except (ValueError, TypeError, AttributeError):
        retired = {}  # a damaged record only costs the grace period
    current = {p.name for p in new.iterdir()}
    if old.is_dir():
        for path in old.iterdir():
            name = path.name
            if path.is_file() and name not in current and name not in NEVER_KEPT \
                    and not name.startswith("."):
                retired.setdefault(name, now)
    kept: dict[str, datetime] = {}
    for name, when in sorted(retired.items()):
        source = old / name
        if name in current or now - when > timedelta(days=KEEP_DAYS) or not source.is_file():
            continue
        try:
            os.link(source, new / name)  # unchanged bytes: no copy
        except OSError:
            shutil.copyfile(source, new / name)
        kept[name] = when
    catalog.set_meta(META_KEY, json.dumps({k: v.isoformat() for k, v in kept.items()},
                                          sort_keys=True))
    return sorted(kept)
