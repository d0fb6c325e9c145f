import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(34)
    w_xh, w_hh, b = rng.normal(0, 0.5, (3, 4)), rng.normal(0, 0.5, (4, 4)), rng.normal(0, 0.1, 4)
    return [
        Case("values", "rnn_step", (rng.normal(size=(1, 3)), rng.normal(size=(1, 4)), w_xh, w_hh, b)),
        Case("batch", "rnn_step", (rng.normal(size=(5, 3)), rng.normal(size=(5, 4)), w_xh, w_hh, b)),
        Case("zero_state", "rnn_step", (rng.normal(size=(2, 3)), np.zeros((2, 4)), w_xh, w_hh, b)),
        Case(
            "bounded",
            "rnn_step",
            (rng.normal(size=(2, 3)) * 1e4, rng.normal(size=(2, 4)), w_xh, w_hh, b),
            expect_finite=True,
        ),
    ]
