"""Models trained elsewhere, converted to Gatescope's model file.

Each importer only renames and rearranges arrays into the file's keys (PyTorch's
names and gate order); the result then goes through the same checks as any model
file (app/models/format.py) before it is written. Torch and h5py are imported only
inside the importer that needs them: serving never does.
"""


class ModelImportError(ValueError):
    """A file that cannot be imported; the message says what is wrong and what to do."""
