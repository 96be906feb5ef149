"""Ornstein-Uhlenbeck noise (``xi``): stationary statistics and seeding.

``dv/dt = -v/tau + sigma*sqrt(2/tau)*xi`` has the stationary variance sigma**2. Euler-Maruyama
turns it into the AR(1) recursion ``v' = a*v + b*N(0, 1)`` with ``a = 1 - r``, ``r = dt/tau``
and ``b**2 = 2*sigma**2*r``, whose stationary variance is exactly

    b**2/(1 - a**2) = 2*sigma**2*r/(2*r - r**2) = sigma**2/(1 - r/2),

a relative bias of about r/2 (0.5 % at r = 0.01). The statistics are taken across 4000
independent neurons at one time: the stationary distribution is Gaussian, so the
standard error of the mean is sqrt(var/N) and that of the sample variance is
var*sqrt(2/(N - 1)) (about 2.2 %). At r = 0.01 the bias is far below that resolution;
at r = 0.2 (bias 11 %, about 5 standard errors) the test tells Euler-Maruyama from an
integrator with the continuous-time variance.
"""

import numpy as np
import pytest

import snncore
from snncore import NeuronGroup, StateMonitor, ms, run, seed, start_scope

N = 4000
SIGMA = 0.5
OU = "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : 1"


def discrete_stationary_variance(sigma, r):
    a2 = (1 - r) ** 2
    b2 = 2 * sigma**2 * r
    return b2 / (1 - a2)


@pytest.mark.parametrize("r", [0.01, 0.2])
def test_ou_stationary_mean_and_variance(backend, r):
    dt = 0.1 * ms
    tau = dt / r
    sigma = SIGMA  # noqa: F841 - external constant of the model
    seed(1234)
    G = NeuronGroup(N, OU, method="euler")
    run(20 * tau)  # transients decay as (1 - r)**(2*steps): e**-40
    v = G.v.copy()
    var_d = discrete_stationary_variance(SIGMA, r)
    assert abs(var_d / (SIGMA**2 / (1 - r / 2)) - 1) < 1e-12
    se_mean = np.sqrt(var_d / N)
    se_var = var_d * np.sqrt(2 / (N - 1))
    assert abs(v.mean()) < 3 * se_mean, (v.mean(), se_mean)
    assert abs(v.var(ddof=1) - var_d) < 3 * se_var, (v.var(ddof=1), var_d, se_var)


def test_default_method_for_additive_noise_is_euler(backend):
    tau, sigma = 10 * ms, 1.0  # noqa: F841
    assert NeuronGroup(1, OU).method == "euler"


def _seeded_trace(value):
    start_scope()
    tau, sigma = 10 * ms, 1.0  # noqa: F841
    seed(value)
    G = NeuronGroup(5, OU)
    G.v = "0.1*rand()"  # the initial values come from the seeded stream too
    M = StateMonitor(G, "v", record=True)
    run(5 * ms)
    return M.v.copy()


def test_same_seed_same_trace(backend):
    first = _seeded_trace(5)
    second = _seeded_trace(5)
    np.testing.assert_array_equal(first, second)
    assert np.all(first[:, -1] != 0)


def test_different_seeds_differ(backend):
    a = _seeded_trace(5)
    b = _seeded_trace(6)
    assert not np.allclose(a[:, 1:], b[:, 1:])


def test_neurons_get_independent_noise(backend):
    tau, sigma = 10 * ms, 1.0  # noqa: F841
    seed(7)
    G = NeuronGroup(2000, OU)
    run(2 * ms)
    assert np.unique(G.v).size == 2000
    assert snncore.get_backend() == backend
