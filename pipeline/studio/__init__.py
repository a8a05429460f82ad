"""``castwright studio``: a local web app where a producer listens, retakes and fixes lines.

Modules: ``server`` (start-up, warm-up, uvicorn), ``app`` (routes, errors), ``pages`` (HTML
pages and fragments, Jinja2 ``templates/``), ``api`` (JSON requests that queue jobs),
``media`` (audio, pictures, the feed), ``events`` (server-sent events), ``jobs`` (the worker
thread and progress), ``actions`` (the library calls each job makes), ``preview`` (cuts of the
mix around a line), ``views`` (what the pages show), ``security`` (host, origin, token, paths),
``state``. The page's script is ``static/studio.js``: no build step, nothing from a CDN.
"""
