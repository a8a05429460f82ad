"""Mix a timeline: speech, beds, effects and music summed in numpy, block by block, then mastered.

Memory stays bounded whatever the length: each 10 s block is mixed from the takes, sounds and
bed generators that overlap it and appended to a raw float32 pre-master on disk; mastering
streams that file into the master (see ``master.py``). ``MixResult.audio`` maps the master file
read-only (``np.memmap``, a real ``np.ndarray``); ``MixResult.blocks()`` reads it in blocks.

Output: stereo by default (``MixSettings.channels``), 44.1 kHz float32. Narration sits in the
centre, characters left and right of it (``Placement.pan``, from ``voice_spread``), beds are
generated wide. ``load_take(cache_key)`` must return mono float32 samples at
``timeline.sample_rate`` (the renderer resamples Piper's 22.05 kHz takes with soxr); a
``(samples, rate)`` tuple is accepted too and resampled here.

Level plan (pre-master): every take is normalized to ``SPEECH_REF_DB`` active-speech RMS, then
gets its line's ``gain_db``; beds sit ``speech_to_bed_db`` under that while someone speaks and
rise by ``duck_depth_db`` between lines; music sits ``music_level_db`` under speech and ducks by
``music_duck_db``; effects sit at ``sfx_level_db`` and duck by half the beds' depth.

The speech-to-bed figures of the report are K-weighted (BS.1770) levels, so a rumbling wind and
a hissing rain count as loud as they sound: speech per take (its active frames, cached), beds on
the ducked bed bus, 100 ms frames compared in 400 ms windows that lie wholly inside speech.
"""

from __future__ import annotations

import math
import shutil
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.signal as ss
import soxr

from pipeline import atomic, progress
from pipeline.errors import MixError
from pipeline.mix import music, sfx
from pipeline.mix.beds import BUILTIN, Bed, make_bed
from pipeline.mix.decode import decode_audio, probe_duration
from pipeline.mix.duck import Ducker
from pipeline.mix.levels import FRAME_SECONDS, LoudnessMeter, k_weighting_sos, speech_activity
from pipeline.mix.master import BLOCK as MASTER_BLOCK
from pipeline.mix.master import Mastered, MasterPass, Sink, master
from pipeline.mix.settings import MixSettings
from pipeline.mix.soundcache import SoundCache
from pipeline.mix.store import RawAudio
from pipeline.mix.timeline import BedSpan, Placement, Timeline

SPEECH_REF_DB = -20.0  # active-speech RMS of every take in the pre-master
MAX_TAKE_GAIN_DB = 24.0  # normalization never boosts/cuts a take more than this
MAX_AUDIO_GAIN_DB = 40.0  # a recording the script places may come in much quieter
BLOCK_SECONDS = 10.0
MAX_DURATION = 24 * 3600.0

TakeLoader = Callable[[str], Any]


@dataclass
class LoudnessReport:
    integrated_lufs: float
    true_peak_dbtp: float
    speech_to_bed_db: float | None  # LU, median of 400 ms windows inside speech; None: no beds
    speech_to_bed_min_db: float | None  # 5th percentile of the same
    bed_rise_db: float | None  # how much beds come up in long gaps vs. under speech
    loudness_range_lu: float
    target_lufs: float
    true_peak_limit_dbtp: float
    premaster_lufs: float | None  # None: the gain was given (a single-line re-mix)
    gain_db: float
    passes: int
    limiter_max_db: float
    limiter_threshold_db: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MixAnalysis:
    """Levels every 100 ms for the episode plot (all after the mastering gain)."""

    frame_seconds: float
    speech_db: np.ndarray  # speech RMS, dBFS
    bed_db: np.ndarray  # beds + music + effects RMS (ducked), dBFS
    short_term_lufs: np.ndarray  # master, 3 s window
    frame_peaks: np.ndarray  # master, max |sample|


@dataclass
class MixResult:
    audio: np.ndarray  # (frames, channels) float32 -- a read-only memmap for mixed episodes
    sample_rate: int
    loudness: LoudnessReport
    analysis: MixAnalysis | None = None
    store: RawAudio | None = field(default=None, repr=False)

    @property
    def channels(self) -> int:
        return 1 if self.audio.ndim == 1 else int(self.audio.shape[1])

    @property
    def frames(self) -> int:
        return int(self.audio.shape[0])

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    def blocks(self, size: int = 1 << 19) -> Iterator[np.ndarray]:
        """(n, channels) float32 blocks; file reads, so pages do not pile up in memory."""
        if self.store is not None:
            yield from self.store.blocks(size)
            return
        audio = self.audio if self.audio.ndim == 2 else self.audio[:, None]
        for start in range(0, len(audio), size):
            yield np.asarray(audio[start:start + size], dtype=np.float32)


StemSink = Callable[[dict[str, np.ndarray]], None]
STEMS = ("dialogue", "music", "effects", "ambience")


def mix_timeline(timeline: Timeline, load_take: TakeLoader, settings: MixSettings,
                 work_dir: str | Path | None = None,
                 fixed_master: tuple[float, float] | None = None,
                 sink: Sink | None = None, sound_cache: str | Path | None = None,
                 stems: StemSink | None = None) -> MixResult:
    """Mix and master ``timeline``. Raw audio lives in a temporary folder inside ``work_dir``
    (default: the system temp folder) until the result is garbage collected.
    ``fixed_master`` = (gain dB, limiter threshold dB) reuses an earlier master's settings.
    ``sink``, if given, receives the final master in order, block by block: while mixing
    when the master is fixed, after mastering otherwise. ``sound_cache`` is a folder where
    synthesized music, effects and bed renders are kept for the next re-mix. ``stems``, if
    given, receives every pre-master block split into the ``STEMS`` (each (n, channels)): they
    sum to the pre-master, sample for sample, before the mastering gain and limiter."""
    _check_timeline(timeline)
    folder = atomic.work_dir("mix", work_dir)  # named for this process: swept if it is killed
    try:
        result = _Mixer(timeline, load_take, settings, folder, fixed_master, sink,
                        SoundCache(sound_cache), stems=stems).run()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(result, shutil.rmtree, folder, True)
    return result


def _check_timeline(tl: Timeline) -> None:
    file = tl.script_path or None

    def bad(x: float) -> bool:
        return not isinstance(x, int | float) or not math.isfinite(x)

    if bad(tl.duration) or not 0 < tl.duration <= MAX_DURATION:
        raise MixError(f"timeline duration {tl.duration!r} s is not between 0 and 24 hours", file)
    for p in tl.placements:
        if bad(p.start) or bad(p.duration) or p.start < 0 or p.duration <= 0 or bad(p.gain_db):
            what = p.line_id or p.source
            raise MixError(f"{p.kind} '{what}' has a bad start/duration ({p.start!r}, "
                           f"{p.duration!r})", file, p.source_line or None)
    for b in tl.beds:
        if bad(b.start) or bad(b.end) or b.start < 0 or b.end <= b.start or bad(b.gain_db):
            raise MixError(f"ambience '{b.source}' has a bad span ({b.start!r}..{b.end!r})",
                           file, b.source_line or None)


class _Mixer:
    def __init__(self, tl: Timeline, load_take: TakeLoader, s: MixSettings, folder: Path,
                 fixed_master: tuple[float, float] | None = None, sink: Sink | None = None,
                 sound_cache: SoundCache | None = None, stems: StemSink | None = None):
        self.fixed_master, self.sink, self.stems = fixed_master, sink, stems
        self.sound_cache = sound_cache or SoundCache(None)
        self.tl, self.load_take, self.s, self.folder = tl, load_take, s, folder
        self.sr, self.ch = tl.sample_rate, s.channels
        self.file = tl.script_path or None
        self.total = int(math.ceil(tl.duration * self.sr))
        self.block = int(BLOCK_SECONDS * self.sr)  # a whole number of 100 ms frames
        # The speech-to-bed figures cost two K-weighting filters; a re-mix with a fixed master
        # (one changed line) skips them and keeps the last full render's figures.
        self.measure_beds = fixed_master is None
        self.k_sos = k_weighting_sos(self.sr)

    def _samples(self, t: float) -> int:
        return int(round(t * self.sr))

    # -- preparation ---------------------------------------------------------------------
    def _take(self, p: Placement) -> np.ndarray:
        if p.kind == "audio":  # a recording the script places: decoded here, mono
            audio = decode_audio(Path(p.source), self.sr, 1, "audio file", self.file,
                                 p.source_line or None, max_seconds=p.duration + 1)
            return np.ascontiguousarray(audio[: self._samples(p.duration), 0])
        try:
            got = self.load_take(p.source)
        except MixError:
            raise
        except Exception as err:  # the loader is the renderer's; name the line
            raise MixError(f"line {p.line_id}: cannot load take {p.source}: {err}", self.file,
                           p.source_line or None) from None
        if isinstance(got, tuple):
            samples, rate = got
            samples = np.asarray(samples, dtype=np.float32)
            if int(rate) != self.sr:
                samples = soxr.resample(samples, int(rate), self.sr).astype(np.float32)
        else:
            samples = np.asarray(got, dtype=np.float32)
        if samples.ndim == 2:
            samples = samples.mean(axis=1)
        if samples.ndim != 1 or not np.isfinite(samples).all():
            raise MixError(f"line {p.line_id}: take {p.source} is not finite mono audio",
                           self.file, p.source_line or None)
        samples = samples[: self._samples(p.duration)]
        if p.fade_out > 0:  # an interrupted line: cut off under the next speaker
            n = min(self._samples(p.fade_out), len(samples))
            samples = samples.copy()
            samples[len(samples) - n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        return samples

    def _analyse_speech(self, speech: list[Placement], n_frames: int
                        ) -> tuple[list[float], list, np.ndarray | None]:
        """Per-placement normalization gain, global activity intervals (for the ducker) and,
        when measuring, the speech's K-weighted energy in every 100 ms frame."""
        gains, intervals = [], []
        # Only each take's activity is kept: its K-weighted power (float64 at the mix rate) is
        # folded into 100 ms frames at once; kept for every take it was a whole chapter's
        # worth (730 MB for a 34-minute chapter).
        cache: dict[str, tuple[float, list[tuple[int, int]]]] = {}
        k_energy = np.zeros(n_frames) if self.measure_beds else None
        for p in speech:
            take = None
            if p.source not in cache:
                take = self._take(p)
                cache[p.source] = speech_activity(take, self.sr)
            rms_db, runs = cache[p.source]
            norm = SPEECH_REF_DB - rms_db if math.isfinite(rms_db) else 0.0
            most = MAX_AUDIO_GAIN_DB if p.kind == "audio" else MAX_TAKE_GAIN_DB
            norm = float(np.clip(norm, -most, most))
            gains.append(10 ** ((norm + p.gain_db) / 20))
            s0 = self._samples(p.start)
            limit = self._samples(p.duration)
            intervals.extend((s0 + a, s0 + min(b, limit)) for a, b in runs if a < limit)
            if k_energy is not None:  # K-weighted power of the take, mono
                take = self._take(p) if take is None else take
                weighted = np.square(ss.sosfilt(self.k_sos, take.astype(np.float64)))
                # Panning keeps L^2 + R^2 at twice the mono power (constant power, centre 1, 1).
                power = weighted[:limit] * (gains[-1] ** 2 * (2 if self.ch == 2 else 1))
                _add_frames(k_energy, power, s0, self.frame)
        return gains, intervals, k_energy

    def _check_sources(self) -> None:
        """Fail before mixing, naming the cue, if a sound or bed cannot be made."""
        for p in self.tl.placements:
            if p.kind == "audio":
                probe_duration(Path(p.source), "audio file", self.file, p.source_line or None)
            if p.kind in ("sfx", "music"):
                if p.from_file:
                    probe_duration(Path(p.source), "sound effect file" if p.kind == "sfx"
                                   else "music file", self.file, p.source_line or None)
                elif p.source not in (sfx.EFFECTS if p.kind == "sfx" else music.PIECES):
                    raise MixError(f"unknown {p.kind} '{p.source}'", self.file,
                                   p.source_line or None)
        for b in self.tl.beds:
            if b.from_file:
                probe_duration(Path(b.source), "ambience file", self.file, b.source_line or None)
            elif b.source not in BUILTIN:
                raise MixError(f"unknown ambience bed '{b.source}' (built-in: "
                               f"{', '.join(BUILTIN)})", self.file, b.source_line or None)

    def _bed(self, span: BedSpan, loops: dict[str, Bed]) -> Bed:
        """The generator for a span. A file's loop is pure (shared by its spans); procedural
        beds carry filter state, so each span gets its own."""
        line = span.source_line or None
        if span.from_file:
            if span.source not in loops:
                loops[span.source] = make_bed(span.source, True, span.seed, self.sr, self.ch,
                                              self.file, line)
            return loops[span.source]
        frames = self._samples(span.end) - self._samples(span.start)
        return self.sound_cache.bed(
            [span.source, span.seed, self.sr, self.ch], frames, self.sr,
            lambda: make_bed(span.source, False, span.seed, self.sr, self.ch, self.file, line))

    def _sound(self, p: Placement) -> np.ndarray:
        line = p.source_line or None
        if p.kind == "sfx":
            if p.from_file:
                return sfx.render_file(p.source, self.sr, self.ch, p.duration, self.file, line)
            return self.sound_cache.get(
                ["sfx", p.source, self.sr, self.ch, p.duration, p.seed],
                lambda: sfx.render_effect(p.source, self.sr, self.ch, p.duration, p.seed))
        if p.from_file:
            return music.render_file(p.source, self.sr, self.ch, p.duration, p.fade_out,
                                     self.file, line)
        return self.sound_cache.get(
            ["music", p.source, self.sr, self.ch, p.duration, p.seed],
            lambda: music.render_music(p.source, self.sr, self.ch, p.duration, p.seed))

    # -- mixing --------------------------------------------------------------------------
    def prepare(self) -> list[tuple[int, int]]:
        """Check the sources, measure the takes and set up the block sweep; returns the
        speech intervals (for the ducker and the speech-to-bed figures)."""
        s, sr = self.s, self.sr
        self._check_sources()
        speech = sorted(self.tl.foreground(), key=lambda p: p.start)
        self.frame = int(round(FRAME_SECONDS * sr))
        n_frames = -(-self.total // self.frame)
        self.gains, intervals, self.k_speech_e = self._analyse_speech(speech, n_frames)
        # One ducking curve for a 1 dB depth (the follower is linear in its depth), scaled
        # per bus: beds, music, and effects at half the beds' depth.
        self.ducker = Ducker(intervals, sr, s.duck_attack_ms, s.duck_release_ms, -1.0)
        self.speech_e = np.zeros(n_frames)
        self.k_bed_e = np.zeros(n_frames)  # beds only (ducked, K-weighted): speech-to-bed
        self.k_bed_zi = np.zeros((self.k_sos.shape[0], 2, self.ch))
        self.bed_duck = np.zeros(n_frames)  # the beds' ducking gain (power), per frame
        self.other_e = np.zeros(n_frames)  # everything but speech: the plot
        self.speech = _Sweep(speech, sr)
        self.sounds = _Sweep([p for p in self.tl.placements if p.kind in ("sfx", "music")], sr)
        self.beds = _Sweep(self.tl.beds, sr)
        self.takes: dict[int, np.ndarray] = {}  # loaded, gained takes sounding now
        self.rendered: dict[int, np.ndarray] = {}  # effects and music sounding now
        self.generators: dict[int, Bed] = {}  # beds sounding now
        self.loops: dict[str, Bed] = {}  # decoded bed files, shared by their spans
        return intervals

    def run(self) -> MixResult:
        s, sr, ch = self.s, self.sr, self.ch
        intervals = self.prepare()
        meter = LoudnessMeter(sr, ch)  # sets the first mastering gain
        out = RawAudio(self.folder / "master.f32", ch)
        with RawAudio.create(self.folder / "premaster.f32", ch) as pre:
            # A known gain (single-line re-mix) is mastered while mixing, so the encoders
            # that ``sink`` feeds run alongside the mixer instead of after it.
            stream = None if self.fixed_master is None else MasterPass(
                pre.audio, sr, *self.fixed_master, out, self.sink)
            with progress.task("mixing", self.total / sr, "s") as advance:
                for b0 in range(0, self.total, self.block):
                    block = self.mix_block(b0, min(self.block, self.total - b0))
                    pre.write(block)
                    if stream is None:
                        meter.feed(block)
                    else:  # the gain is given: the pre-master's loudness is not needed
                        pre.flush()
                        stream.advance(pre.audio.frames, self.total)
                    advance(len(block) / sr)
        premaster = pre.audio
        pre_lufs = meter.integrated() if stream is None else None
        with progress.task("mastering"):
            if stream is not None:
                mastered = stream.finish()
            else:
                mastered = master(premaster, sr, pre_lufs, s.target_lufs, s.true_peak_dbtp,
                                  s.loudness_tolerance, out)
                if self.sink is not None:
                    for chunk in mastered.audio.blocks(MASTER_BLOCK):
                        self.sink(chunk)
        premaster.path.unlink(missing_ok=True)
        self.sound_cache.trim()
        return self._result(mastered, pre_lufs, intervals)

    def mix_block(self, b0: int, n: int) -> np.ndarray:
        """The pre-master of samples ``[b0, b0 + n)``; ``b0`` is a multiple of the 100 ms frame
        and blocks go forward in time (any start: a window of the episode mixes alike)."""
        s, ch = self.s, self.ch
        b1 = b0 + n
        voice = np.zeros(n, dtype=np.float32)  # centred lines
        panned: np.ndarray | None = None  # lines placed left or right (stereo only)
        for i, p in self.speech.overlapping(b0, b1):
            if i not in self.takes:
                self.takes[i] = self._take(p) * np.float32(self.gains[i])
            if p.pan and ch == 2:
                panned = np.zeros((n, ch), dtype=np.float32) if panned is None else panned
                _add(panned, self.takes[i][:, None] * _pan_gains(p.pan),
                     self._samples(p.start) - b0)
            else:
                _add(voice, self.takes[i], self._samples(p.start) - b0)
        self.speech.forget(b1, self.takes)
        speech = voice[:, None] if panned is None else panned + voice[:, None]
        bus = np.zeros((n, ch), dtype=np.float32)
        for i, span in self.beds.overlapping(b0, b1):
            if i not in self.generators:
                self.generators[i] = self._bed(span, self.loops)
            gain = 10 ** ((s.bed_gain_db + span.gain_db) / 20)
            self._add_bed(bus, span, self.generators[i], gain, b0, n)
        self.beds.forget(b1, self.generators)
        extra: dict[str, np.ndarray] = {}  # "music" / "sfx" buses, only when used
        for i, p in self.sounds.overlapping(b0, b1):
            if i not in self.rendered:
                level = s.sfx_level_db if p.kind == "sfx" else s.music_level_db
                self.rendered[i] = self._sound(p) * np.float32(10 ** ((level + p.gain_db) / 20))
            dst = extra.setdefault(p.kind, np.zeros((n, ch), dtype=np.float32))
            _add(dst, self.rendered[i], self._samples(p.start) - b0)
        self.sounds.forget(b1, self.rendered)
        unit = self.ducker.gain_db(b0, n)  # 0 .. -1: the curve of a 1 dB duck
        duck = _duck_gain(unit, -s.duck_depth_db)
        bus *= duck
        if self.measure_beds:
            self._bed_loudness(bus, b0)
            _add_frames(self.bed_duck, np.square(duck[:, 0], dtype=np.float64) / self.frame, b0,
                        self.frame)
        if self.stems is not None:
            self._stems(speech, bus, extra, unit, n)
        if "music" in extra:
            extra["music"] *= _duck_gain(unit, -s.music_duck_db)
            bus += extra["music"]
        if "sfx" in extra:
            extra["sfx"] *= _duck_gain(unit, -s.duck_depth_db / 2)
            bus += extra["sfx"]
        self._frame_energy(self.speech_e, speech, b0)
        self._frame_energy(self.other_e, bus, b0)  # the plot: everything under the speech
        bus += speech
        return bus

    def _stems(self, speech: np.ndarray, beds: np.ndarray, extra: dict[str, np.ndarray],
               unit: np.ndarray, n: int) -> None:
        """Hand the block's buses to the stem writer, ducked as they are mixed. Music and
        effects are ducked here on copies; the mix ducks its own the same way."""
        silent = np.zeros((n, self.ch), dtype=np.float32)
        music = extra.get("music")
        sfx = extra.get("sfx")
        assert self.stems is not None
        self.stems({
            "dialogue": np.ascontiguousarray(np.broadcast_to(speech, (n, self.ch))),
            "music": silent if music is None else music * _duck_gain(unit, -self.s.music_duck_db),
            "effects": silent if sfx is None else sfx * _duck_gain(unit, -self.s.duck_depth_db / 2),
            "ambience": beds.copy()})

    def _bed_loudness(self, bus: np.ndarray, b0: int) -> None:
        """K-weighted energy of the ducked beds, 100 ms frames (filter state carried)."""
        if not bus.any() and not self.k_bed_zi.any():
            return  # no bed sounding and the filter at rest: nothing to add
        y, self.k_bed_zi = ss.sosfilt(self.k_sos, bus, axis=0, zi=self.k_bed_zi)
        _add_frames(self.k_bed_e, np.square(y).sum(axis=1), b0, self.frame)

    def _add_bed(self, bus: np.ndarray, span: BedSpan, bed: Bed, gain: float, b0: int,
                 n: int) -> None:
        s0, s1 = self._samples(span.start), self._samples(span.end)
        a, z = max(s0, b0), min(s1, b0 + n)
        if a >= z:
            return
        seg = bed.render(a - s0, z - a)
        fi, fo = self._samples(span.fade_in), self._samples(span.fade_out)
        fading_in, fading_out = fi > 0 and a - s0 < fi, fo > 0 and z > s1 - fo
        if not (fading_in or fading_out):
            seg *= np.float32(gain)
        else:
            pos = np.arange(a - s0, z - s0, dtype=np.float64)
            env = np.full(z - a, gain, dtype=np.float64)
            if fading_in:  # equal-power: crossfading beds keep their summed level
                env *= np.sin(np.pi / 2 * np.clip(pos / fi, 0, 1))
            if fading_out:
                env *= np.sin(np.pi / 2 * np.clip((s1 - s0 - pos) / fo, 0, 1))
            seg *= env.astype(np.float32)[:, None]
        bus[a - b0:z - b0] += seg

    def _frame_energy(self, acc: np.ndarray, x: np.ndarray, b0: int
                      ) -> tuple[int, np.ndarray]:
        """Add mean-over-channels energy of block ``x`` (starting at ``b0``, a multiple of
        the frame) into 100 ms frames; returns (first frame, what was added)."""
        sq = np.square(x)
        e = sq[:, 0] if x.shape[1] == 1 else (sq[:, 0] + sq[:, 1]) * np.float32(0.5)
        first = b0 // self.frame
        whole = len(e) // self.frame * self.frame
        sums = e[:whole].reshape(-1, self.frame).sum(axis=1, dtype=np.float64)
        if len(e) > whole:
            sums = np.append(sums, e[whole:].sum(dtype=np.float64))
        acc[first:first + len(sums)] += sums
        return first, sums

    def _result(self, m: Mastered, pre_lufs: float | None, intervals: list[tuple[int, int]]
                ) -> MixResult:
        g2 = 10 ** (m.gain_db / 10)
        speech_db = 10 * np.log10(np.maximum(self.speech_e * g2 / self.frame, 1e-14))
        bed_db = 10 * np.log10(np.maximum(self.other_e * g2 / self.frame, 1e-14))
        to_bed = to_bed_min = rise = None
        if self.measure_beds:
            to_bed, to_bed_min, rise = _speech_vs_bed(self.k_speech_e, self.k_bed_e,
                                                      self.bed_duck, intervals, self.frame,
                                                      len(self.speech_e))
        report = LoudnessReport(
            integrated_lufs=_num(m.integrated_lufs), true_peak_dbtp=_num(m.true_peak_dbtp),
            speech_to_bed_db=to_bed, speech_to_bed_min_db=to_bed_min, bed_rise_db=rise,
            loudness_range_lu=_num(m.loudness_range_lu), target_lufs=self.s.target_lufs,
            true_peak_limit_dbtp=self.s.true_peak_dbtp,
            premaster_lufs=None if pre_lufs is None else _num(pre_lufs),
            gain_db=_num(m.gain_db), passes=m.passes, limiter_max_db=_num(m.limiter_max_db),
            limiter_threshold_db=_num(m.limiter_threshold_db))
        analysis = MixAnalysis(FRAME_SECONDS, speech_db.astype(np.float32),
                               bed_db.astype(np.float32), m.short_term_lufs.astype(np.float32),
                               m.frame_peaks)
        return MixResult(audio=m.audio.memmap(), sample_rate=self.sr, loudness=report,
                         analysis=analysis, store=m.audio)


class _Sweep:
    """Placements (or bed spans) sorted by start, visited block by block: each is loaded when
    it starts sounding and dropped from ``cache`` once it has ended."""

    def __init__(self, items: list[Placement] | list[BedSpan], sr: int):
        def bounds(x: Placement | BedSpan) -> tuple[int, int]:
            a = int(round(x.start * sr))
            if isinstance(x, BedSpan):
                return a, int(round(x.end * sr))
            return a, a + int(round(x.duration * sr))

        items = sorted(items, key=lambda x: x.start)
        self.spans = [(*bounds(x), x) for x in items]
        self.next = 0
        self.active: list[int] = []

    def overlapping(self, b0: int, b1: int) -> list[tuple[int, Any]]:
        while self.next < len(self.spans) and self.spans[self.next][0] < b1:
            self.active.append(self.next)
            self.next += 1
        return [(i, self.spans[i][2]) for i in self.active if self.spans[i][1] > b0]

    def forget(self, b1: int, cache: dict[int, Any]) -> None:
        """Drop placements that end before the next block."""
        done = [i for i in self.active if self.spans[i][1] <= b1]
        for i in done:
            cache.pop(i, None)
        self.active = [i for i in self.active if self.spans[i][1] > b1]


def _pan_gains(pan: float) -> np.ndarray:
    """Constant-power pan, normalised so the centre is (1, 1): a line keeps its loudness
    wherever it stands, and centred lines are untouched."""
    angle = (pan + 1.0) * np.pi / 4
    return (np.sqrt(2.0) * np.array([np.cos(angle), np.sin(angle)])).astype(np.float32)


def _duck_gain(unit_db: np.ndarray, depth: float) -> np.ndarray:
    """Linear gain (n, 1) float32 of a ``depth`` dB duck from the 1 dB curve ``unit_db``."""
    if depth == 0 or not unit_db.any():
        return np.ones((len(unit_db), 1), np.float32)
    return np.exp(unit_db.astype(np.float32) * np.float32(depth * np.log(10) / 20))[:, None]


def _add_frames(acc: np.ndarray, power: np.ndarray, start: int, frame: int) -> None:
    """Add per-sample ``power`` starting at sample ``start`` into the 100 ms frames ``acc``."""
    lead = start % frame
    padded = np.concatenate([np.zeros(lead), power]) if lead else power
    whole = len(padded) // frame * frame
    sums = padded[:whole].reshape(-1, frame).sum(axis=1)
    if len(padded) > whole:
        sums = np.append(sums, padded[whole:].sum())
    first = start // frame
    sums = sums[:max(0, len(acc) - first)]
    acc[first:first + len(sums)] += sums


def _add(dst: np.ndarray, src: np.ndarray, offset: int) -> None:
    """dst[offset:offset+len(src)] += src, clipped to dst."""
    a, z = max(offset, 0), min(offset + len(src), len(dst))
    if a < z:
        dst[a:z] += src[a - offset:z - offset]


def _speech_vs_bed(speech_e: np.ndarray, bed_e: np.ndarray, duck: np.ndarray,
                   intervals: list[tuple[int, int]], frame: int, n: int
                   ) -> tuple[float | None, float | None, float | None]:
    """Speech-to-bed level in 400 ms windows inside speech, and how far the beds rise in long
    gaps: the ducking gain applied to them there against under speech (the beds' own swells
    and fades would drown that figure in a level comparison)."""
    if not intervals or not bed_e.any():
        return None, None, None
    inside = np.zeros(n, dtype=bool)  # frames fully inside speech
    near = np.zeros(n, dtype=bool)  # frames within 1 s of speech
    pad = int(round(1.0 / FRAME_SECONDS))
    for a, b in intervals:
        fa, fb = -(-a // frame), b // frame
        inside[fa:fb] = True
        near[max(a // frame - pad, 0):min(-(-b // frame) + pad, n)] = True
    w = 4
    k = n - w + 1
    if k <= 0:
        return None, None, None
    c_s = np.concatenate([[0.0], np.cumsum(speech_e)])
    c_b = np.concatenate([[0.0], np.cumsum(bed_e)])
    c_in = np.concatenate([[0], np.cumsum(inside)])
    full = (c_in[w:] - c_in[:-w]) == w
    sp, bd = c_s[w:] - c_s[:-w], c_b[w:] - c_b[:-w]
    ok = full & (bd > 0) & (sp > 0)
    to_bed = to_bed_min = rise = None
    if ok.any():
        diff = 10 * np.log10(sp[ok] / bd[ok])
        to_bed, to_bed_min = float(np.median(diff)), float(np.percentile(diff, 5))
    sounding = bed_e > 0
    gaps, under = ~near & sounding, inside & sounding
    if gaps.any() and under.any():
        rise = float(10 * np.log10(np.median(duck[gaps]) / np.median(duck[under])))
    return to_bed, to_bed_min, rise


def _num(x: float) -> float:
    return float(x)  # plain floats: the report goes into JSON
