"""Write a mixed episode: audio files with tags and chapters, transcripts, chapters JSON, plot.

All-or-nothing: every file is staged in a ``FolderTransaction`` (a temp file beside its target)
and all become current together on commit, so a failure or a kill leaves the previous episode
intact (see ``pipeline.transaction``). The renderer passes its own transaction and adds the
manifest to it; other files of an episode (stems, markers) are added with ``add_file``.
``EpisodeWriter`` takes the master block by block, so it can be the mixer's sink and encode while
the episode is still being mixed. ``episode.wav`` is the 24-bit master (no dither needed at that
depth, so unchanged audio stays bit-identical across a single-line re-mix), written through
soundfile; the compressed formats through the ffmpeg that imageio-ffmpeg ships, fed float32 on
a pipe. (libsndfile can write MP3 too, but LAME through ffmpeg encodes ~2.5x faster here and
takes an exact bitrate.)
"""

from __future__ import annotations

import contextlib
import math
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.atomic import work_dir
from pipeline.errors import MixError
from pipeline.mix import delivery, markers, plot, tags, transcripts
from pipeline.mix.decode import ffmpeg_exe
from pipeline.mix.levels import FramePeaks, LoudnessMeter
from pipeline.mix.meta import EpisodeMeta
from pipeline.mix.render import STEMS, MixResult
from pipeline.mix.settings import MixSettings
from pipeline.mix.timeline import Timeline
from pipeline.transaction import FolderTransaction

WAV_LIMIT = 0xFFFFFFFF - 1024  # bytes of PCM a plain WAV header can describe
QUEUE_BLOCKS = 4  # master blocks (~12 s each) waiting for each encoder


# kind -> file name (kinds match what publish reads from the manifest's "files").
FILE_NAMES = {
    "mp3": "episode.mp3", "wav": "episode.wav", "m4a": "episode.m4a", "opus": "episode.opus",
    "vtt": "transcript.vtt", "srt": "transcript.srt", "transcript_json": "transcript.json",
    "chapters_json": "chapters.json", "png": "episode.png",
    "labels": "labels.txt", "markers_csv": "markers.csv",
}
# ``render --stems``: one 32-bit float WAV per bus, the master's length, pre-master level.
STEM_FILES = {f"stem_{name}": f"stems/{name}.wav" for name in STEMS}

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
    with EpisodeWriter(episode_dir, timeline, meta, settings,
                       measure=result.analysis is None) as writer:
        for block in result.blocks():
            writer.write(block)
        return writer.finish(result)


class EpisodeWriter:
    """Writes an episode's files as its master arrives block by block.

    ``write`` each block of the master in order (it may be called while the mixer is still
    running: the encoders run in their own processes, fed by threads, so encoding overlaps
    mixing), then ``finish`` with the ``MixResult``. Files are staged in ``txn``; without one
    the writer makes its own and leaving the ``with`` block commits it. On an error the
    encoders are killed and the old episode stays untouched.
    """

    def __init__(self, episode_dir: str | Path, timeline: Timeline, meta: EpisodeMeta,
                 settings: MixSettings, measure: bool = False,
                 txn: FolderTransaction | None = None,
                 encoders: dict[str, delivery.EncoderSetting] | None = None,
                 verify: bool = True, stems: bool = False):
        self.dir, self.timeline, self.meta, self.settings = (Path(episode_dir), timeline, meta,
                                                             settings)
        self.own_txn = txn is None
        self.txn = txn or FolderTransaction(self.dir)
        # Lossy files are gained so they measure what the master measures (see delivery.py);
        # ``verify`` decodes them afterwards and encodes again if they missed.
        self.encoder_settings = dict(encoders or {})
        self.verify = verify
        self.delivered: dict[str, delivery.Delivered] = {}
        self.want_stems = stems  # then pass ``write_stems`` to the mixer as its ``stems``
        self.sr, self.ch = timeline.sample_rate, settings.channels
        self.measure = measure  # no analysis from the mixer: meter the plot's levels here
        self.meter, self.frame_peaks = LoudnessMeter(self.sr, self.ch), FramePeaks(self.sr)
        self.files: dict[str, str] = {}
        self.formats = ["mp3", "wav"] + [f for f in settings.formats if f not in ("mp3", "wav")]
        self.frames = 0

    def __enter__(self) -> EpisodeWriter:
        plot.warm_up()  # the plot comes last; its import overlaps the mix
        self._stack = contextlib.ExitStack()
        try:
            self._open()
        except BaseException:
            self._stack.close()
            self.txn.abort()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self._stop_encoders()
        try:
            suppressed = bool(self._stack.__exit__(exc_type, exc, tb))
        finally:
            if exc_type is not None:
                self.txn.abort()
        if exc_type is None and self.own_txn:
            self.txn.commit()
        return suppressed

    def add_file(self, kind: str, name: str) -> Path:
        """Stage one more file of the episode: the temp path to write; it becomes
        ``name`` (relative to the episode folder) with all the others, listed as ``kind``."""
        tmp = self.txn.stage(name)
        self.files[kind] = name
        return tmp

    def _target(self, kind: str) -> Path:
        return self.add_file(kind, FILE_NAMES[kind])

    def _open(self) -> None:
        # A bad cover fails here, before any audio is encoded.
        self.cover = tags.load_cover(self.meta.cover) if self.meta.cover else None
        self.paths = {fmt: self._target(fmt) for fmt in self.formats}
        scratch = work_dir("export")
        self._stack.callback(shutil.rmtree, scratch, True)
        self.meta_file = scratch / "meta.txt"
        self.meta_file.write_text(tags.ffmetadata(self.meta, self.timeline.chapters),
                                  encoding="utf-8")
        self.encoders: dict[str, _Encoder] = {}  # fed as the master arrives
        self.later: list[str] = []  # limited formats: encoded from the finished master
        for fmt in delivery.LOSSY:
            if fmt in self.paths:
                setting = self.encoder_settings.setdefault(fmt, delivery.EncoderSetting())
                if setting.limit_dbtp is None:
                    self.encoders[fmt] = self._encoder(fmt, setting.gain_db)
                else:
                    self.later.append(fmt)
        wav_bytes = int(round(self.timeline.duration * self.sr)) * self.ch * 3
        self.wav = self._stack.enter_context(sf.SoundFile(
            self.paths["wav"], "w", self.sr, self.ch, subtype="PCM_24",
            format="WAV" if wav_bytes < WAV_LIMIT else "RF64"))
        self.stem_files: dict[str, sf.SoundFile] = {}
        if self.want_stems:  # float: the pre-master's peaks may pass full scale
            big = wav_bytes // 3 * 4 >= WAV_LIMIT
            for kind, name in STEM_FILES.items():
                self.stem_files[kind.removeprefix("stem_")] = self._stack.enter_context(
                    sf.SoundFile(self.add_file(kind, name), "w", self.sr, self.ch,
                                 subtype="FLOAT", format="RF64" if big else "WAV"))

    def write_stems(self, buses: dict[str, np.ndarray]) -> None:
        """One pre-master block split into the stems (the mixer's ``stems`` callback)."""
        for name, block in buses.items():
            self.stem_files[name].write(np.ascontiguousarray(block, dtype="<f4"))

    def _encoder(self, fmt: str, gain_db: float) -> _Encoder:
        return _Encoder(fmt, self.paths[fmt], self.sr, self.ch, self.settings.mp3_bitrate,
                        self.meta_file, gain_db)

    def write(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block if block.ndim == 2 else block[:, None], dtype="<f4")
        for encoder in self.encoders.values():
            encoder.feed(data)
        with self._wav_errors():
            self.wav.write(data)
        self.frames += len(data)
        if self.measure:
            self.meter.feed(data)
            self.frame_peaks.feed(data)

    @contextlib.contextmanager
    def _wav_errors(self) -> Iterator[None]:
        try:
            yield
        except sf.LibsndfileError as err:  # disk full: a one-line error, the old files stay
            raise MixError(f"cannot write the episode's WAV ({err.error_string.rstrip('.')}; "
                           "is the disk full?)", self.dir / FILE_NAMES["wav"]) from None

    def finish(self, result: MixResult) -> dict[str, str]:
        """Close the audio, write transcripts and the plot (while the encoders finish), tag."""
        for encoder in self.encoders.values():
            encoder.close_input()
        with self._wav_errors():
            self.wav.close()
        self.txn.hash_soon(FILE_NAMES["wav"])  # the biggest file: hashed while encoders finish
        for stem in self.stem_files.values():
            stem.close()
        tl = self.timeline
        for kind, text in (("vtt", transcripts.vtt(tl)), ("srt", transcripts.srt(tl)),
                           ("transcript_json", transcripts.transcript_json(tl)),
                           ("chapters_json", transcripts.chapters_json(tl)),
                           ("labels", markers.audacity_labels(tl)),
                           ("markers_csv", markers.markers_csv(tl))):
            self._target(kind).write_text(text, encoding="utf-8", newline="\n")
        if self.measure:
            peaks, short_term, speech_db, bed_db = (self.frame_peaks.result(),
                                                    self.meter.short_term(), None, None)
        else:
            a = result.analysis
            peaks, short_term, speech_db, bed_db = (a.frame_peaks, a.short_term_lufs,
                                                    a.speech_db, a.bed_db)
        loud = result.loudness
        plotted = plot.draw_later(self._target("png"), self.meta.title, 0.1, peaks, short_term,
                                  speech_db, bed_db, [(c.start, c.title) for c in tl.chapters],
                                  loud.target_lufs,
                                  loud.integrated_lufs, loud.true_peak_dbtp)
        for encoder in self.encoders.values():
            encoder.wait()
        for fmt in self.later:
            self._encode_from_master(fmt, self.encoder_settings[fmt], result)
        self._deliver(result)
        cover = self.cover
        tags.tag_mp3(self.paths["mp3"], self.meta, tl.chapters, self.frames / self.sr, cover)
        if "m4a" in self.paths:
            tags.tag_m4a(self.paths["m4a"], self.meta, cover)
        if "opus" in self.paths:
            tags.tag_opus(self.paths["opus"], cover)
        plotted()
        return dict(self.files)

    def _deliver(self, result: MixResult) -> None:
        """Measure every lossy file and encode again the ones that missed (``verify``)."""
        if not self.verify:
            self.delivered = {fmt: delivery.Delivered(math.nan, math.nan, x.gain_db,
                                                      x.limit_dbtp, False)
                              for fmt, x in self.encoder_settings.items()}
            return
        loud = result.loudness
        for fmt, setting in self.encoder_settings.items():
            lufs, peak = delivery.measure_file(self.paths[fmt], self.sr, self.ch)
            for _ in range(delivery.MAX_PASSES):
                new = delivery.correction(loud.integrated_lufs, loud.true_peak_dbtp,
                                          self.settings.true_peak_dbtp, setting, lufs, peak)
                if new is None:
                    break
                setting = new
                self._encode_from_master(fmt, setting, result)
                lufs, peak = delivery.measure_file(self.paths[fmt], self.sr, self.ch)
            self.encoder_settings[fmt] = setting
            self.delivered[fmt] = delivery.Delivered(lufs, peak, setting.gain_db,
                                                     setting.limit_dbtp, True)

    def _encode_from_master(self, fmt: str, setting: delivery.EncoderSetting,
                            result: MixResult) -> None:
        """Encode ``fmt`` again from the finished master (a corrected or limited setting)."""
        if setting.limit_dbtp is None:
            encoder = self._encoder(fmt, setting.gain_db)
            blocks = result.blocks()
        else:
            encoder = self._encoder(fmt, 0.0)  # the limiter applies the gain
            blocks = delivery.limited(_reader(result), result.frames, self.sr, setting)
        self.encoders[fmt] = encoder
        for block in blocks:
            encoder.feed(np.ascontiguousarray(block, dtype="<f4"))
        encoder.close_input()
        encoder.wait()

    def _stop_encoders(self) -> None:
        for encoder in getattr(self, "encoders", {}).values():
            encoder.kill()


def _reader(result: MixResult):
    """Frames a..b of the master, zeros outside it (what the limiter reads)."""
    if result.store is not None:
        return result.store.read
    audio = result.audio if result.audio.ndim == 2 else result.audio[:, None]

    def read(a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, audio.shape[1]), dtype=np.float32)
        lo, hi = max(a, 0), min(b, len(audio))
        if lo < hi:
            out[lo - a:hi - a] = audio[lo:hi]
        return out

    return read


class _Encoder:
    """ffmpeg encoding float32 from a pipe, fed by a thread so ``feed`` never waits for it."""

    def __init__(self, fmt: str, out: Path, sr: int, ch: int, bitrate: int, meta_file: Path,
                 gain_db: float = 0.0):
        self.fmt, self.out, self.gain_db = fmt, out, gain_db
        self.gain = np.float32(10 ** (gain_db / 20))
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
               "-f", "f32le", "-ar", str(sr), "-ac", str(ch), "-i", "pipe:0"]
        if fmt != "mp3":  # tags and chapters for M4A/Opus come from an ffmetadata file
            cmd += ["-f", "ffmetadata", "-i", str(meta_file), "-map", "0:a", "-map_metadata",
                    "1", "-map_chapters", "1"]
        cmd += _ENCODERS[fmt](bitrate) + [str(out)]
        self.err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in wait()/kill()
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=self.err)
        except OSError as e:
            self.err.close()
            raise MixError(f"cannot start ffmpeg for {fmt}: {e}") from None
        # Bounded: a few blocks of look-ahead is all the overlap needs, and memory stays flat
        # when the master is read from disk faster than it can be encoded.
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_BLOCKS)
        self.thread = threading.Thread(target=self._pump, name=f"encode-{fmt}", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        stdin = self.proc.stdin
        broken = False
        while (data := self.queue.get()) is not None:
            if not broken:
                try:
                    stdin.write(data)  # releases the GIL while the pipe is full
                except Exception:  # the encoder died: its status and message come in wait()
                    broken = True  # keep draining, so ``feed`` never blocks on a full queue
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def feed(self, block: np.ndarray) -> None:
        self.queue.put((block * self.gain if self.gain != 1 else block).tobytes())

    def close_input(self) -> None:
        self.queue.put(None)

    def wait(self) -> None:
        self.thread.join()
        code = self.proc.wait()
        self.err.seek(0)
        lines = self.err.read().decode(errors="replace").strip().splitlines()
        self.err.close()
        if code != 0:
            raise MixError(f"encoding {self.fmt} failed: {lines[-1] if lines else code}",
                           self.out)

    def kill(self) -> None:
        self.proc.kill()
        self.queue.put(None)
        self.thread.join()
        self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self.err.close()
