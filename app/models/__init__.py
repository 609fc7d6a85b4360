"""Models as files: the format, tokenizers, and the registry of available models."""
