# Subgroups as sources and targets of synapses, and monitors on subgroups.
from brian2 import *

eqs = 'dv/dt = (I - v)/(10*ms) : 1\nI : 1'
G = NeuronGroup(8, eqs, threshold='v > 1', reset='v = 0', method='exact')
exc = G[:5]
inh = G[5:]
exc.I = 'i*0.2 + 1.1'
inh.I = 0.5
S = Synapses(exc, inh, on_pre='v_post += 0.15')
S.connect()
S2 = Synapses(inh, exc, on_pre='v_post -= 0.05')
S2.connect(p=1)
m_inh = StateMonitor(inh, 'v', record=True)
sp_exc = SpikeMonitor(exc)
sp_inh = SpikeMonitor(inh)
run(50*ms)
first_exc = exc.v[:]
