"""Gatescope: a live, interactive version of Olah's "Understanding LSTM Networks"."""

__version__ = "0.1.0"
