"""XBlocks for digital-workplace competence training in the public sector."""

__version__ = "0.1.0"
