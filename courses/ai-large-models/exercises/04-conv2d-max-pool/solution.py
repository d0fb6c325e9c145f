import numpy as np


def conv2d(image, kernel):
    """'Valid' 2-D cross-correlation of image with kernel."""
    h, w = image.shape
    k_h, k_w = kernel.shape
    out = np.zeros((h - k_h + 1, w - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + k_h, j : j + k_w] * kernel)
    return out


def max_pool2x2(x):
    """2×2 max-pooling, stride 2."""
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:h, :w]
    return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
