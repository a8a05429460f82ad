"""espeak-ng and flite through their command-line programs, when installed (never required).

Both write a WAV to a temp file that we read back. ``VoiceSpec.model`` is the program's voice
(espeak-ng ``-v en-us+f3``; flite ``-voice slt`` or a .flitevox path); "" means its default.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from pipeline.engines.base import DEFAULT_DELIVERY, Delivery, Take, VoiceSpec
from pipeline.engines.chunking import split_text
from pipeline.errors import VoiceError

TIMEOUT_S = 120


class _CommandEngine:
    name = ""
    programs: tuple[str, ...] = ()
    install_hint = ""

    def program(self) -> str | None:
        for prog in self.programs:
            found = shutil.which(prog)
            if found:
                return found
        return None

    def available(self, spec: VoiceSpec) -> tuple[bool, str]:
        if self.program() is None:
            return False, f"{self.programs[0]} not installed ({self.install_hint})"
        return True, ""

    def version(self) -> str:
        prog = self.program()
        if prog is None:
            return "absent"
        try:
            out = subprocess.run([prog, "--version"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"
        lines = (out.stdout or out.stderr).strip().splitlines()
        return lines[0] if lines else "?"

    def identity(self, voice: VoiceSpec) -> str:
        return f"{self.name} {self.version()}|voice={voice.model or 'default'}"

    def command(self, prog: str, text: str, voice: VoiceSpec, delivery: Delivery, take: int,
                wav: Path) -> list[str]:
        raise NotImplementedError

    def synthesize(self, text: str, voice: VoiceSpec, delivery: Delivery = DEFAULT_DELIVERY,
                   take: int = 1) -> Take:
        prog = self.program()
        if prog is None:
            raise VoiceError(f"voice '{voice.name}': {self.programs[0]} is not installed "
                             f"({self.install_hint})")
        pieces: list[np.ndarray] = []
        sr = 0
        with tempfile.TemporaryDirectory(
                prefix=f"castwright-engine-{os.getpid()}-") as tmp:
            for i, chunk in enumerate(split_text(text)):
                wav = Path(tmp) / f"{i}.wav"
                cmd = self.command(prog, chunk, voice, delivery, take, wav)
                try:
                    run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    raise VoiceError(f"voice '{voice.name}': {self.name} timed out") from None
                if run.returncode != 0 or not wav.exists():
                    raise VoiceError(f"voice '{voice.name}': {self.name} failed: "
                                     f"{(run.stderr or run.stdout).strip()[:200]}")
                audio, sr = sf.read(wav, dtype="float32", always_2d=True)
                pieces.append(audio.mean(axis=1))
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        if samples.size == 0:
            raise VoiceError(f"voice '{voice.name}': {self.name} produced no audio")
        return Take(samples=samples.astype(np.float32), sample_rate=int(sr), words=None)


class EspeakEngine(_CommandEngine):
    name = "espeak"
    programs = ("espeak-ng", "espeak")
    install_hint = "apt-get install espeak-ng"

    def command(self, prog: str, text: str, voice: VoiceSpec, delivery: Delivery, take: int,
                wav: Path) -> list[str]:
        words_per_min = round(175 * min(max(delivery.pace, 0.5), 2.0))
        # Take N shifts the base pitch a little: a different but reproducible reading.
        pitch = 50 + (0 if take <= 1 else ((take * 7) % 11) - 5)
        cmd = [prog, "-w", str(wav), "-s", str(words_per_min), "-p", str(pitch)]
        if voice.model:
            cmd += ["-v", voice.model]
        return [*cmd, "--", text]


class FliteEngine(_CommandEngine):
    name = "flite"
    programs = ("flite",)
    install_hint = "apt-get install flite"

    def command(self, prog: str, text: str, voice: VoiceSpec, delivery: Delivery, take: int,
                wav: Path) -> list[str]:
        stretch = 1.0 / min(max(delivery.pace, 0.5), 2.0)
        if take > 1:
            stretch *= 1 + (((take * 7) % 9) - 4) / 100
        cmd = [prog, "--setf", f"duration_stretch={stretch:.3f}", "-o", str(wav)]
        if voice.model:
            cmd += ["-voice", voice.model]
        return [*cmd, "-t", text]
