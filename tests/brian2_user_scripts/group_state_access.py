# Reading group state: G.i, G.N, len(), unitless forms, G.state(), indexing with strings.
from brian2 import *

G = NeuronGroup(6, '''dv/dt = -v/(10*ms) : volt
                      x : metre''', method='exact')
G.v = 'i*mV'
G.x = 'i*um'
G.v['i >= 3'] = 20*mV
G.v[:2] = [1, 2]*mV
selected = G.v['x > 2*um']
G.x[G.v_ > 0.01] = 0*um
mon = StateMonitor(G, ['v', 'x'], record=True)
run(2*ms)
idx = G.i[:]
n = G.N + len(G)
v_plain = G.v_[:]
v_state = G.state('v')
x_state = G.state('x', use_units=False)
sub_i = G[2:5].i[:]
