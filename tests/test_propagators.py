"""The batched matrix exponential behind ``exact`` propagators."""

import mpmath
import numpy as np
import pytest

from snncore.integration import expm_batch


def _reference(matrix: np.ndarray) -> np.ndarray:
    return np.array(mpmath.expm(mpmath.matrix(matrix.tolist())).tolist(), dtype=float)


@pytest.mark.parametrize("scale", [1e-6, 1e-2, 1.0, 30.0])
def test_matches_high_precision_exponential(scale):
    rng = np.random.default_rng(3)
    mats = rng.normal(size=(100, 3, 3)) * scale  # more than 64: the batched path
    result = expm_batch(mats)
    for got, matrix in zip(result[:20], mats[:20], strict=True):
        expected = _reference(matrix)
        assert np.max(np.abs(got - expected)) <= 1e-13 * max(1.0, np.abs(expected).max())


@pytest.mark.parametrize("copies", [1, 100])  # small stacks take scipy's path
def test_mixed_norms_in_one_stack_and_zero_matrices(copies):
    base = [np.zeros((2, 2)), np.diag([-1e-4, -2e-4]), np.array([[-40.0, 3], [0, -5]])]
    mats = np.stack(base * copies)
    result = expm_batch(mats)
    for got, matrix in zip(result[:3], base, strict=True):
        expected = _reference(matrix)
        assert np.max(np.abs(got - expected)) <= 1e-14 * np.abs(expected).max()


def test_propagators_of_the_same_coefficients_are_computed_once():
    from snncore.integration import LinearSystem, propagators

    lin = LinearSystem(["v"], {(0, 0): None}, {})
    taus = np.linspace(5e-3, 50e-3, 200)
    phi, psi = propagators(lin, {(0, 0): -1 / taus}, 1e-4)
    assert np.allclose(phi[:, 0, 0], np.exp(-1e-4 / taus), rtol=1e-12)
    again = propagators(lin, {(0, 0): -1 / taus.copy()}, 1e-4)
    assert again[0] is phi and again[1] is psi
    assert not phi.flags.writeable
    other = propagators(lin, {(0, 0): -1 / taus}, 2e-4)
    assert np.allclose(other[0][:, 0, 0], np.exp(-2e-4 / taus), rtol=1e-12)
