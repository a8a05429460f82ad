"""Castwright: written story or script in, published audio drama episode out."""

__version__ = "0.1.0"
