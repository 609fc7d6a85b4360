"""Training in NumPy: backpropagation through time for each cell, an optimizer, a
training loop, the demo tasks, and the commands `gatescope train / evaluate / label`.

Inference stays in app/cells and app/models; this package only adds what learning
needs (batched forwards that keep what the backward pass reads, and the gradients).
"""
