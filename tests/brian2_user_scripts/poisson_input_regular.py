# PoissonInput onto a group, and run_regularly resetting a variable.
# stochastic
from brian2 import *

G = NeuronGroup(200, '''dv/dt = -v/(10*ms) : 1
                        peak : 1''', method='exact')
P = PoissonInput(G, 'v', N=100, rate=20*Hz, weight=0.01)
G.run_regularly('peak = v', dt=5*ms)
sm = StateMonitor(G, 'v', record=[0])
run(50*ms)
stats = {
    'v_mean': mean(G.v[:]),
    'v_var': var(G.v[:]),
    'peak_mean': mean(G.peak[:]),
}
