import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(35)
    q, k, v = (rng.normal(size=(5, 4)) for _ in range(3))
    spike = np.zeros((4, 2))
    spike[3] = [1.0, 1.0]  # only the last position has a value: earlier ones must not see it
    return [
        Case("values", "causal_attention", (q, k, v)),
        Case("no_future", "causal_attention", (rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), spike)),
        Case("scaled", "causal_attention", (q * 3, k * 3, v)),
        Case("large_scores", "causal_attention", (q * 300, k * 300, v), expect_finite=True),
    ]
