import numpy as np


def adamw_step(p, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One AdamW update; returns the new (p, m, v)."""
    p = p - lr * weight_decay * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
