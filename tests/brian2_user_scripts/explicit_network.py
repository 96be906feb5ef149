# An explicit Network built from collect(), grown with add(), run twice.
from brian2 import *

start_scope()
P = SpikeGeneratorGroup(2, [0, 1, 0], [2, 5, 9]*ms)
G = NeuronGroup(2, 'dv/dt = -v/(5*ms) : 1', method='exact', name='target')
S = Synapses(P, G, 'w : 1', on_pre='v_post += w')
S.connect(j='i')
S.w = [0.5, 0.8]
net = Network(collect())
mon = StateMonitor(G, 'v', record=True)
net.add(mon)
net.run(6*ms)
t_mid = net.t
net['target'].v = 0
net.run(6*ms)
names = sorted(obj.name for obj in net.objects if obj.name == 'target')
target_states = net.get_states(units=False)['target']
net.set_states({'target': {'v': [0.25, 0.5]}}, units=False)
v_set = G.v[:]
