"""Training in NumPy: the network around the cells, an optimizer, a training loop, the
demo tasks, and the commands `gatescope train / evaluate / label`.

Each cell's step and its backward pass live with the cell (app/cells): training runs the
same step a trace runs, on batches, and asks the cell for the gradients.
"""
