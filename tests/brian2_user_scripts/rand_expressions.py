# Random initialisation and resets with rand(), randn(), int() and clip().
# stochastic
from brian2 import *

N = 1000
G = NeuronGroup(N, '''dv/dt = (mu - v)/(10*ms) : 1
                      mu : 1
                      k : integer''', threshold='v > 1',
                reset='v = clip(0.2*randn(), -0.5, 0.5)', method='exact')
G.v = 'rand()'
G.mu = '1.2 + 0.1*randn()'
G.k = 'int(rand()*5)'
G.mu['k == 0'] = 0.5
sm = SpikeMonitor(G)
v0 = G.v[:].copy()
run(50*ms)
stats = {
    'v0_mean': mean(v0),
    'v0_std': std(v0),
    'k_mean': mean(G.k[:]),
    'k0_fraction': mean(G.k[:] == 0),
    'silent_fraction': mean(sm.count[:] == 0),
    'mean_count_active': mean(sm.count[G.k[:] > 0]),
    'v_end_mean': mean(G.v[:]),
}
