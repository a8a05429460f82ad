"""Listening QA: transcribe each line back, compare it with the script, measure the audio.

Modules: ``textnorm`` (shared normalisation), ``transcribe`` (faster-whisper, offline),
``metrics`` (per-line and episode measurements, thresholds, flags), ``episode`` (run QA on an
episode folder), ``fix`` (regenerate flagged lines), ``report`` (terminal, qa.json, qa.html)
and ``voices`` (optional speaker-embedding checks).
"""
