import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(31)
    z = rng.normal(0, 2, 40)
    y = (rng.random(40) < 0.5).astype(float)
    return [
        Case("small", "bce_with_logits", (z, y)),
        Case(
            "large_positive",
            "bce_with_logits",
            (np.array([800.0, 1000.0, 50.0]), np.array([0.0, 1.0, 0.0])),
            expect_finite=True,
        ),
        Case(
            "large_negative",
            "bce_with_logits",
            (np.array([-800.0, -1000.0, -50.0]), np.array([1.0, 0.0, 1.0])),
            expect_finite=True,
        ),
        Case(
            "confident_right", "bce_with_logits", (np.array([40.0, -40.0]), np.array([1.0, 0.0])), atol=1e-12
        ),
    ]
