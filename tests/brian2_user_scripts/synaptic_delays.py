# Heterogeneous delays and weights from expressions; a StateMonitor on synapses.
from brian2 import *

inp = SpikeGeneratorGroup(3, [0, 1, 2], [1, 1, 1]*ms)
G = NeuronGroup(4, 'dv/dt = -v/(8*ms) : 1', method='exact')
S = Synapses(inp, G, 'w : 1', on_pre='v += w')
S.connect(condition='abs(i - j) <= 1')
S.w = '1.0/(1 + abs(i - j))'
S.delay = '(1 + i + 2*j)*ms'
mon = StateMonitor(G, 'v', record=True)
run(15*ms)
w = S.w[:]
d = S.delay[:]
pairs = array([S.i[:], S.j[:]])
