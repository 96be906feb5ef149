# Exporting and importing state with get_states / set_states.
from brian2 import *

G = NeuronGroup(4, '''dv/dt = -v/tau : volt
                      tau : second
                      label : integer (constant)''', method='exact')
G.tau = [5, 10, 15, 20]*ms
G.v = 10*mV
G.label = [3, 1, 4, 1]
run(5*ms)
states = G.get_states()
v_after = states["v"].copy()
names = sorted(states.keys())
plain = G.get_states(['v', 'tau'], units=False)
G.set_states({'v': plain['v'] * 2, 'tau': array([1, 2, 3, 4])*1e-3}, units=False)
mon = StateMonitor(G, 'v', record=True)
run(5*ms)
final = G.get_states(['v', 't', 'N', 'i'])
