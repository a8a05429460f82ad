"""Metadata in the audio files with mutagen: ID3 (+ CHAP/CTOC chapters), MP4 and Opus tags."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mutagen.flac import Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLEN,
    TPE1,
    TPOS,
    TRCK,
    TSSE,
    CTOCFlags,
)
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus

from pipeline.errors import MixError
from pipeline.mix.timeline import Chapter

if TYPE_CHECKING:
    from pipeline.mix.meta import EpisodeMeta


@dataclass
class Cover:
    data: bytes
    mime: str


MAX_COVER_BYTES = 20 << 20  # Apple's limit is 512 KB; a cover of 20 MB is a mistake


def load_cover(path: str | Path) -> Cover:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_COVER_BYTES + 1)
    except OSError as err:
        raise MixError(f"cover art cannot be read: {err.strerror}", path) from None
    if len(data) > MAX_COVER_BYTES:
        raise MixError(f"cover art is over {MAX_COVER_BYTES >> 20} MB: too big to embed in "
                       "every episode file", path)
    if data.startswith(b"\x89PNG"):
        return Cover(data, "image/png")
    if data.startswith(b"\xff\xd8"):
        return Cover(data, "image/jpeg")
    raise MixError("cover art must be a PNG or JPEG image", path)


def tag_mp3(path: Path, meta: EpisodeMeta, chapters: list[Chapter], duration: float,
            cover: Cover | None) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[meta.title]))
    if meta.show:
        tags.add(TALB(encoding=3, text=[meta.show]))
    if meta.author:
        tags.add(TPE1(encoding=3, text=[meta.author]))
    if meta.episode_number is not None:
        tags.add(TRCK(encoding=3, text=[str(meta.episode_number)]))
    if meta.season is not None:
        tags.add(TPOS(encoding=3, text=[str(meta.season)]))
    if meta.date:
        tags.add(TDRC(encoding=3, text=[str(meta.date)]))
    if meta.summary:
        tags.add(COMM(encoding=3, lang="eng", desc="", text=[meta.summary]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    tags.add(TLEN(encoding=3, text=[str(int(round(duration * 1000)))]))
    tags.add(TSSE(encoding=3, text=["Castwright"]))
    if cover:
        tags.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.data))
    ids = []
    for i, ch in enumerate(chapters):
        element = f"chp{i}"
        ids.append(element)
        tags.add(CHAP(element_id=element, start_time=int(round(ch.start * 1000)),
                      end_time=int(round(ch.end * 1000)),
                      sub_frames=[TIT2(encoding=3, text=[ch.title])]))
    if ids:
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
    tags.save(path, v2_version=3)  # v2.3: what most podcast apps read best


def tag_m4a(path: Path, meta: EpisodeMeta, cover: Cover | None) -> None:
    f = MP4(path)
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        f["covr"] = [MP4Cover(cover.data, imageformat=kind)]
    f["\xa9gen"] = ["Podcast"]
    f.save()


def tag_opus(path: Path, cover: Cover | None) -> None:
    if not cover:
        return
    f = OggOpus(path)
    pic = Picture()
    pic.type, pic.mime, pic.desc, pic.data = 3, cover.mime, "Cover", cover.data
    f["metadata_block_picture"] = [base64.b64encode(pic.write()).decode("ascii")]
    f.save()


def ffmetadata(meta: EpisodeMeta, chapters: list[Chapter]) -> str:
    """ffmpeg's metadata file: global tags and chapters, for M4A and Opus."""

    def esc(text: str) -> str:
        for ch in "\\=;#\n":
            text = text.replace(ch, "\\" + ch)
        return text

    lines = [";FFMETADATA1", f"title={esc(meta.title)}"]
    for key, value in (("album", meta.show), ("artist", meta.author), ("comment", meta.summary),
                       ("track", meta.episode_number), ("disc", meta.season),
                       ("date", meta.date)):
        if value not in (None, ""):
            lines.append(f"{key}={esc(str(value))}")
    for ch in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(round(ch.start * 1000))}",
                  f"END={int(round(ch.end * 1000))}", f"title={esc(ch.title)}"]
    return "\n".join(lines) + "\n"
