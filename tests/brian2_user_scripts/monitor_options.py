# StateMonitor options: a slower dt, when='after_thresholds', recording synapses.
from brian2 import *

G = NeuronGroup(2, 'dv/dt = (1.5 - v)/(10*ms) : 1', threshold='v > 1', reset='v = 0',
                method='exact')
G.v = [0, 0.4]
m_slow = StateMonitor(G, 'v', record=True, dt=1*ms)
m_after = StateMonitor(G, 'v', record=[1], when='after_thresholds')
m_start = StateMonitor(G, 'v', record=0, when='start')
sm = SpikeMonitor(G, record=True)
run(40*ms)
mean_v = mean(m_slow.v, axis=1)
