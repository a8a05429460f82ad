"""Books: a file of chapters becomes a season of episodes (see ``book``, ``season``)."""
