"""Quantities computed from a trace that the article talks about but never shows."""
