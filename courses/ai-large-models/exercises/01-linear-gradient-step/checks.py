import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(30)
    x = rng.random(50)
    y = 0.1 * x + 0.3 + rng.normal(0, 0.02, 50)
    line = np.linspace(-1, 1, 7)
    return [
        Case("fits", "gradient_step", (0.0, 0.0, x, y, 0.5)),
        Case("fits", "gradient_step", (1.5, -2.0, x, y, 0.1)),
        Case("zero_rate", "gradient_step", (0.7, 0.2, x, y, 0.0)),
        Case("one_point", "gradient_step", (0.0, 0.0, np.array([2.0]), np.array([1.0]), 0.25)),
        Case("at_minimum", "gradient_step", (3.0, -1.0, line, 3.0 * line - 1.0, 0.5), atol=1e-9),
    ]
