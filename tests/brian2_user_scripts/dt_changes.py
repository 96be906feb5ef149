# Changing defaultclock.dt between runs, and a group on its own clock.
from brian2 import *

defaultclock.dt = 0.05*ms
G = NeuronGroup(1, 'dv/dt = (1 - v)/(4*ms) : 1', method='euler')
H = NeuronGroup(1, 'dv/dt = (1 - v)/(4*ms) : 1', method='euler', dt=0.5*ms)
mG = StateMonitor(G, 'v', record=0)
mH = StateMonitor(H, 'v', record=0)
run(3*ms)
defaultclock.dt = 0.2*ms
run(3*ms)
t_end = G.t
