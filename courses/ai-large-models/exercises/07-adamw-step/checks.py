import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(36)
    p, g = rng.normal(size=6), rng.normal(size=6)
    m, v = rng.normal(0, 0.1, 6), rng.random(6) * 0.01
    zero = np.zeros(6)
    return [
        Case("first_step", "adamw_step", (p, g, zero, zero, 1, 1e-3, 0.9, 0.999, 1e-8, 0.0)),
        Case("later_step", "adamw_step", (p, g, m, v, 7, 3e-3, 0.9, 0.95, 1e-8, 0.0)),
        Case("decay", "adamw_step", (p, g, m, v, 7, 3e-3, 0.9, 0.95, 1e-8, 0.1)),
        Case("zero_gradient", "adamw_step", (p, zero, zero, zero, 1, 1e-2, 0.9, 0.999, 1e-8, 0.1)),
    ]
