"""Every deterministic model gives the same traces and spikes on numpy and numba.

Tolerance: 1e-12 relative to the largest magnitude of each trace (1e-12 absolute for
dimensionless traces of order 1, 1e-13 V for membrane potentials of order 0.1 V).
"""

import numpy as np
import pytest
from models import DETERMINISTIC, snn_run

import snncore


def _run_on(backend_name, model):
    snncore.set_backend(backend_name)
    return snn_run(model)


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_numpy_and_numba_agree(name):
    model = DETERMINISTIC[name]
    a = _run_on("numpy", model)
    b = _run_on("numba", model)
    assert a.keys() == b.keys()
    for key in a:
        if key == "method":
            assert a[key] == b[key]
        elif key in ("spike_i", "count"):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key].shape == b[key].shape, key
            scale = max(1.0, float(np.abs(a[key]).max())) if key in ("t", "spike_t") \
                else float(np.abs(a[key]).max(initial=0.0))
            np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-12 * scale,
                                       err_msg=key)
