"""Imported only by the synthesis workers' fork server (``workers.worker_pool``), before it
forks any worker: loads the render's voices there, so every worker shares them."""

from pipeline.render.workers import preload_voices

preload_voices()
