"""Publishing: show file, catalog, RSS feed, show page and preview server.

Entry point: ``pipeline.publish.publish.publish(show_path, out_dir)``; see docs/show-file.md.
"""
