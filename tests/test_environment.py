"""The pinned scientific stack imports together."""

import numpy as np


def test_stack_imports_together():
    import brian2
    import numba
    import scipy

    assert brian2.__version__ and numba.__version__ and scipy.__version__


def test_numpy_below_2_4():
    major, minor = (int(x) for x in np.__version__.split(".")[:2])
    assert (major, minor) < (2, 4), (
        f"numpy {np.__version__}: brian2 2.9.0, our test oracle, calls ndarray.ptp, "
        "which numpy 2.4 removed; keep numpy<2.4 in requirements.txt"
    )
