"""numpy and numba backends agree on every deterministic synapse model to 1e-12."""

import numpy as np
import pytest
import synmodels as m

_NUMPY_CACHE: dict = {}


@pytest.mark.parametrize("name", list(m.DETERMINISTIC))
def test_backends_agree(name):
    model, args = m.DETERMINISTIC[name]
    if name not in _NUMPY_CACHE:
        _NUMPY_CACHE[name] = m.snn_run(model, *args, backend="numpy")
    a = _NUMPY_CACHE[name]
    b = m.snn_run(model, *args, backend="numba")
    assert a.keys() == b.keys()
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.shape == y.shape, key
        if x.dtype.kind in "iu" or key in ("t", "spike_t"):
            assert np.array_equal(x, y), key
        elif x.size:
            assert np.max(np.abs(x - y)) <= 1e-12, f"{key}: {np.max(np.abs(x - y)):.3g}"
