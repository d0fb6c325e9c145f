import numpy as np

from exercises.checks import Case


def cases() -> list[Case]:
    rng = np.random.default_rng(33)
    # Speed: the sizes of a training batch stacked into one image (a loop over each output pixel takes ~0.2 s
    # here, the kernel's nine offsets under 1 ms; a loop over each 2×2 block ~40 ms, a reshape ~2 ms).
    tall_image, tall_feature_map = rng.normal(size=(2000, 30)).round(3), rng.normal(size=(4000, 28)).round(3)
    return [
        Case("conv_values", "conv2d", (rng.normal(size=(6, 6)), rng.normal(size=(3, 3)))),
        Case("conv_values", "conv2d", (np.arange(16.0).reshape(4, 4), np.array([[1.0, 0.0], [0.0, -1.0]]))),
        Case("conv_shape", "conv2d", (rng.normal(size=(5, 8)), rng.normal(size=(2, 3)))),
        Case("pool_values", "max_pool2x2", (rng.normal(size=(4, 6)),)),
        Case("pool_odd", "max_pool2x2", (rng.normal(size=(5, 7)),)),
        Case("conv_fast", "conv2d", (tall_image, rng.normal(size=(3, 3))), within_s=0.02),
        Case("pool_fast", "max_pool2x2", (tall_feature_map,), within_s=0.015),
    ]
