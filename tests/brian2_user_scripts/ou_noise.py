# An Ornstein-Uhlenbeck process with xi: stationary mean and variance.
# stochastic
from brian2 import *

tau = 5*ms
sigma = 0.5
G = NeuronGroup(500, 'dv/dt = (1 - v)/tau + sigma*sqrt(2/tau)*xi : 1', method='euler')
G.v = 1
mon = StateMonitor(G, 'v', record=range(0, 500, 50))
run(30*ms)
stats = {
    'mean_end': mean(G.v[:]),
    'var_end': var(G.v[:]),
    'trace_var': var(mon.v[:, 100:]),
}
