# Refractoriness as a condition and as a per-neuron duration (Brian 2 user guide).
from brian2 import *

tau = 5*ms
eqs = '''
dv/dt = (2 - v)/tau : 1 (unless refractory)
dw/dt = -w/(20*ms) : 1
ref : second
'''
G = NeuronGroup(3, eqs, threshold='v > 1', reset='v = 0; w += 1',
                refractory='ref', method='exact')
G.ref = [1, 2.5, 4]*ms
H = NeuronGroup(2, 'dv/dt = (1.5 - v)/(3*ms) : 1', threshold='v > 1',
                reset='v = 1.2', refractory='v > 0.6', method='euler')
H.v = [0, 0.3]
mG = StateMonitor(G, ['v', 'w'], record=True)
mH = StateMonitor(H, 'v', record=True)
sG = SpikeMonitor(G)
sH = SpikeMonitor(H)
run(30*ms)
