import numpy as np


def conv2d(image, kernel):
    """'Valid' 2-D cross-correlation of image with kernel."""
    h, w = image.shape
    k_h, k_w = kernel.shape
    out = np.zeros((h - k_h + 1, w - k_w + 1))
    # out[i, j] = sum over (a, b) of kernel[a, b] * image[i + a, j + b]: one whole-array step per offset
    for a in range(k_h):
        for b in range(k_w):
            out += kernel[a, b] * image[a : a + out.shape[0], b : b + out.shape[1]]
    return out


def max_pool2x2(x):
    """2×2 max-pooling, stride 2."""
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:h, :w]
    return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
