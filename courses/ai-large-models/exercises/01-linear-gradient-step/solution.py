import numpy as np


def gradient_step(w, b, x, y, lr):
    """One step of gradient descent on the mean squared error of y ≈ w·x + b."""
    error = w * x + b - y
    dw = 2 * np.mean(error * x)
    db = 2 * np.mean(error)
    return w - lr * dw, b - lr * db
