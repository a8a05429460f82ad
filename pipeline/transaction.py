"""Files of one folder that become current together: an episode's export is one transaction.

Every file is first written to a temp file beside its target (``stage``). ``commit`` then writes
a journal, ``.castwright-commit.json``, naming every rename (temp -> file) and removal, and only
then carries it out. A run killed before the journal is written leaves the old files untouched
(its temp files are swept); a run killed after it is rolled forward by ``recover``, which every
writer runs when it takes the folder's lock (``pipeline.locks.episode_lock``). Either way the
folder ends up holding one export, whole: never new audio beside an old manifest.

``checksums`` gives each staged file's size, mtime and sha256; the manifest keeps them, and
``verify`` checks a folder against them (a fast stat check, hashing only files whose stat
changed), so a file changed behind our back is noticed before a mix is skipped or a feed built.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.atomic import FILE_MODE, fsync_file, make_temp, sweep_temp_files
from pipeline.files import file_sha256

JOURNAL = ".castwright-commit.json"


def _check_name(name: str) -> str:
    """A file of the folder: relative, no ``..``, no hidden names (temps and the journal)."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or any(
            p in ("..", ".") or p.startswith(".") for p in parts):
        raise ValueError(f"not a file name inside the folder: {name!r}")
    return str(PurePosixPath(*parts))


def is_file_name(name: str) -> bool:
    try:
        _check_name(name)
    except ValueError:
        return False
    return True


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class FolderTransaction:
    """Stage files of ``folder``; ``commit`` makes them all current at once (see module doc).

    Use it as a context manager: leaving the block without ``commit`` (an error, an interrupt)
    deletes the staged files and leaves the folder as it was."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.staged: dict[str, Path] = {}  # file name (relative, "/"-separated) -> temp file
        self.removals: set[str] = set()
        self.committed = False
        self._hashing: dict[str, tuple[threading.Thread, dict[str, Any]]] = {}

    def __enter__(self) -> FolderTransaction:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            self.abort()

    def stage(self, name: str) -> Path:
        """A fresh temp file that becomes ``folder/name`` on commit (written by the caller)."""
        name = _check_name(name)
        if name in self.staged:
            raise ValueError(f"{name} is staged twice")
        self.staged[name] = make_temp(self.folder / name)
        return self.staged[name]

    def write_text(self, name: str, text: str) -> None:
        self.stage(name).write_text(text, encoding="utf-8", newline="\n")

    def write_bytes(self, name: str, data: bytes) -> None:
        self.stage(name).write_bytes(data)

    def remove(self, name: str) -> None:
        """Delete ``folder/name`` on commit (a file of the previous export not made again)."""
        self.removals.add(_check_name(name))

    def hash_soon(self, name: str) -> None:
        """Start hashing a finished staged file on a thread (hashlib releases the GIL), so a
        big WAV is hashed while the encoders finish; ``checksums`` collects it."""
        record: dict[str, Any] = {}
        thread = threading.Thread(target=_record, args=(self.staged[name], record),
                                  name=f"hash-{name}", daemon=True)
        thread.start()
        self._hashing[name] = (thread, record)

    def checksums(self, names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Size, mtime and sha256 of staged files (all of them by default), as they will be
        once renamed into place (a rename keeps both)."""
        found = {}
        for name in sorted(self.staged if names is None else names):
            thread, record = self._hashing.pop(name, (None, {}))
            if thread is not None:
                thread.join()
            st = self.staged[name].stat()
            if record.get("size") != st.st_size or record.get("mtime_ns") != st.st_mtime_ns:
                record = {}  # written again since: hash it now
                _record(self.staged[name], record)
            found[name] = record
        return found

    def commit(self) -> None:
        for tmp in self.staged.values():
            os.chmod(tmp, FILE_MODE)
            fsync_file(tmp)
        journal = {
            "rename": [[str(PurePosixPath(name).parent / tmp.name), name]
                       for name, tmp in self.staged.items()],
            "remove": sorted(self.removals - set(self.staged)),
        }
        # The journal is the commit point: written whole (temp + rename) or not at all.
        journal_tmp = make_temp(self.folder / JOURNAL)
        try:
            journal_tmp.write_text(json.dumps(journal, ensure_ascii=False), encoding="utf-8")
            fsync_file(journal_tmp)
            os.replace(journal_tmp, self.folder / JOURNAL)
        finally:
            journal_tmp.unlink(missing_ok=True)
        _fsync_dir(self.folder)
        self.committed = True
        _apply(self.folder, journal)

    def abort(self) -> None:
        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        self.staged.clear()


def _record(path: Path, into: dict[str, Any]) -> None:
    st = path.stat()
    into.update(size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=file_sha256(path))


def _apply(folder: Path, journal: dict) -> None:
    """Carry out a journal; safe to repeat (a rename already done has no temp file left)."""
    touched = {folder}
    for tmp, name in journal["rename"]:
        source = folder / tmp
        if source.exists():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            touched.add(target.parent)
    for name in journal["remove"]:
        (folder / name).unlink(missing_ok=True)
    for each in touched:
        _fsync_dir(each)
    (folder / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(folder)


def _read_journal(path: Path) -> dict | None:
    """The journal if it is one we wrote; None for anything else (then it is dropped)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        renames = [(str(t), _check_name(str(n))) for t, n in data["rename"]]
        removals = [_check_name(str(n)) for n in data["remove"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    for tmp, _ in renames:  # temps are hidden files of this folder, never anything else
        parts = PurePosixPath(tmp).parts
        if ".." in parts or PurePosixPath(tmp).is_absolute() or not parts[-1].startswith("."):
            return None
    return {"rename": renames, "remove": removals}


def recover(folder: Path) -> bool:
    """Finish an export a killed run had committed, then sweep temp files of killed runs.
    Call with the folder's lock held. Returns whether there was a journal to finish."""
    path = folder / JOURNAL
    found = path.is_file()
    if found:
        journal = _read_journal(path)
        if journal is None:
            path.unlink(missing_ok=True)
        else:
            _apply(folder, journal)
    if folder.is_dir():
        sweep_temp_files(folder)
    return found


def verify(folder: Path, checksums: Any) -> str | None:
    """Why the folder's files are not the ones ``checksums`` describes, or None if they are."""
    if not isinstance(checksums, dict):
        return "it records no checksums of its files"
    for name, want in checksums.items():
        if not isinstance(want, dict):
            return f"its checksum of {name} is damaged"
        try:
            st = (folder / _check_name(str(name))).stat()
        except ValueError:
            return f"it names a file outside the folder ({name!r})"
        except OSError:
            return f"{name} is missing"
        if st.st_size != want.get("size"):
            return f"{name} is not the file it describes"
        if st.st_mtime_ns == want.get("mtime_ns"):
            continue  # untouched since it was written
        if file_sha256(folder / name) != want.get("sha256"):
            return f"{name} is not the file it describes"
    return None
