"""Write a mixed episode: audio files with tags and chapters, transcripts, chapters JSON, plot.

All-or-nothing: every file is written to a temp file beside its target (``atomic_path``) and
all are renamed only after every one succeeded, so a failure leaves the previous episode intact.
Audio is streamed in blocks: ``episode.wav`` (24-bit master; no dither needed at that depth, so
unchanged audio stays bit-identical across a single-line re-mix) through soundfile, the
compressed formats through the ffmpeg that imageio-ffmpeg ships, fed float32 on a pipe.
(libsndfile can write MP3 too, but LAME through ffmpeg encodes ~2.5x faster here and takes an
exact bitrate.)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.atomic import atomic_path
from pipeline.errors import MixError
from pipeline.mix import tags, transcripts
from pipeline.mix.decode import ffmpeg_exe
from pipeline.mix.levels import FramePeaks, LoudnessMeter
from pipeline.mix.plot import plot_episode
from pipeline.mix.render import MixResult
from pipeline.mix.settings import MixSettings
from pipeline.mix.timeline import Timeline

WAV_LIMIT = 0xFFFFFFFF - 1024  # bytes of PCM a plain WAV header can describe


@dataclass
class EpisodeMeta:
    title: str
    show: str = ""
    episode_number: int | None = None
    season: int | None = None
    author: str = ""
    summary: str = ""
    cover: str | Path | None = None  # PNG or JPEG, embedded in the MP3/M4A/Opus
    date: str | None = None  # "2025-01-06" or "2025"


# kind -> file name (kinds match what publish reads from the manifest's "files").
FILE_NAMES = {
    "mp3": "episode.mp3", "wav": "episode.wav", "m4a": "episode.m4a", "opus": "episode.opus",
    "vtt": "transcript.vtt", "srt": "transcript.srt", "transcript_json": "transcript.json",
    "chapters_json": "chapters.json", "png": "episode.png",
}

_ENCODERS = {
    # LAME -q 7: ~1.7x faster than its default here, inaudible on speech at podcast bitrates;
    # it is the largest single cost of a one-line regen.
    "mp3": lambda br: ["-c:a", "libmp3lame", "-b:a", f"{br}k", "-compression_level", "7",
                       "-id3v2_version", "0",
                       "-write_xing", "1", "-f", "mp3"],
    "m4a": lambda br: ["-c:a", "aac", "-b:a", f"{br}k", "-movflags", "+faststart", "-f", "mp4"],
    "opus": lambda br: ["-c:a", "libopus", "-b:a", f"{min(br, 96)}k", "-f", "opus"],
}


def export_episode(episode_dir: str | Path, result: MixResult, timeline: Timeline,
                   meta: EpisodeMeta, settings: MixSettings) -> dict[str, str]:
    """Write the episode's files into ``episode_dir``; returns kind -> file name."""
    episode_dir = Path(episode_dir)
    cover = tags.load_cover(meta.cover) if meta.cover else None
    formats = ["mp3", "wav"] + [f for f in settings.formats if f not in ("mp3", "wav")]
    files: dict[str, str] = {}
    with contextlib.ExitStack() as stack:

        def target(kind: str) -> Path:
            tmp = stack.enter_context(atomic_path(episode_dir / FILE_NAMES[kind]))
            os.chmod(tmp, 0o644)  # published files; mkstemp makes them private
            files[kind] = FILE_NAMES[kind]
            return tmp

        audio_paths = {fmt: target(fmt) for fmt in formats}
        analysis = _write_audio(result, audio_paths, settings, meta, timeline)
        tags.tag_mp3(audio_paths["mp3"], meta, timeline.chapters, result.duration, cover)
        if "m4a" in audio_paths:
            tags.tag_m4a(audio_paths["m4a"], meta, cover)
        if "opus" in audio_paths:
            tags.tag_opus(audio_paths["opus"], cover)
        for kind, text in (("vtt", transcripts.vtt(timeline)), ("srt", transcripts.srt(timeline)),
                           ("transcript_json", transcripts.transcript_json(timeline)),
                           ("chapters_json", transcripts.chapters_json(timeline))):
            target(kind).write_text(text, encoding="utf-8", newline="\n")
        peaks, short_term, speech_db, bed_db = analysis
        loud = result.loudness
        plot_episode(target("png"), meta.title, 0.1, peaks, short_term, speech_db, bed_db,
                     timeline.chapters, loud.target_lufs, loud.integrated_lufs,
                     loud.true_peak_dbtp)
    return files


def _write_audio(result: MixResult, paths: dict[str, Path], settings: MixSettings,
                 meta: EpisodeMeta, timeline: Timeline):
    sr, ch = result.sample_rate, result.channels
    measure = result.analysis is None  # a result built by hand: measure for the plot here
    meter, frame_peaks = LoudnessMeter(sr, ch), FramePeaks(sr)
    wav_bytes = result.frames * ch * 3
    with tempfile.TemporaryDirectory(prefix="castwright-export-") as scratch, \
            contextlib.ExitStack() as stack:
        meta_file = Path(scratch) / "meta.txt"
        meta_file.write_text(tags.ffmetadata(meta, timeline.chapters), encoding="utf-8")
        procs = {}
        for fmt in ("mp3", "m4a", "opus"):
            if fmt in paths:
                procs[fmt] = _encoder(fmt, paths[fmt], sr, ch, settings.mp3_bitrate, meta_file,
                                      stack.enter_context(tempfile.TemporaryFile()))
        wav = stack.enter_context(sf.SoundFile(
            paths["wav"], "w", sr, ch, subtype="PCM_24",
            format="WAV" if wav_bytes < WAV_LIMIT else "RF64"))
        try:
            for block in result.blocks():
                data = np.ascontiguousarray(block, dtype="<f4")
                for proc, _ in procs.values():
                    proc.stdin.write(memoryview(data))
                wav.write(data)
                if measure:
                    meter.feed(data)
                    frame_peaks.feed(data)
        except BrokenPipeError:
            pass  # the encoder died; its exit status and message are reported below
        except BaseException:
            for proc, _ in procs.values():
                proc.kill()
                proc.wait()
            raise
        finally:
            for proc, _ in procs.values():
                with contextlib.suppress(BrokenPipeError, OSError):
                    proc.stdin.close()
        for fmt, (proc, err) in procs.items():
            if proc.wait() != 0:
                err.seek(0)
                lines = err.read().decode(errors="replace").strip().splitlines()
                raise MixError(f"encoding {fmt} failed: {lines[-1] if lines else proc.returncode}",
                               paths[fmt])
    if measure:
        return frame_peaks.result(), meter.short_term(), None, None
    a = result.analysis
    return a.frame_peaks, a.short_term_lufs, a.speech_db, a.bed_db


def _encoder(fmt: str, out: Path, sr: int, ch: int, bitrate: int, meta_file: Path, err):
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
           "-f", "f32le", "-ar", str(sr), "-ac", str(ch), "-i", "pipe:0"]
    if fmt != "mp3":  # tags and chapters for M4A/Opus come from an ffmetadata file
        cmd += ["-f", "ffmetadata", "-i", str(meta_file), "-map", "0:a", "-map_metadata", "1",
                "-map_chapters", "1"]
    cmd += _ENCODERS[fmt](bitrate) + [str(out)]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=err)
    except OSError as e:
        raise MixError(f"cannot start ffmpeg for {fmt}: {e}") from None
    return proc, err
