# LIF neurons driven by a per-neuron current; a StateMonitor recording two indices.
from brian2 import *

tau = 10*ms
eqs = '''
dv/dt = (v0 - v + R*I)/tau : volt (unless refractory)
I : amp
'''
v0 = -70*mV
R = 100*Mohm
G = NeuronGroup(5, eqs, threshold='v > -50*mV', reset='v = -65*mV',
                refractory=3*ms, method='exact')
G.v = v0
G.I = 'i*0.08*nA + 0.15*nA'
mon = StateMonitor(G, 'v', record=[0, 3])
spikes = SpikeMonitor(G)
run(60*ms)
trace3 = mon.v[1] / mV
times3 = mon[3].v
counts = spikes.count[:]
