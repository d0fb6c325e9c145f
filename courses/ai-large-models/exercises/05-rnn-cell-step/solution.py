import numpy as np


def rnn_step(x, h, W_xh, W_hh, b):
    """The next hidden state of a plain recurrent cell."""
    return np.tanh(x @ W_xh + h @ W_hh + b)
