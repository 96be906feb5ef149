# Synaptic conductances with a (summed) variable, exponentially decaying per synapse.
from brian2 import *

taum = 10*ms
taus = 3*ms
Ee = 0*mV
El = -70*mV
neurons = NeuronGroup(3, '''dv/dt = (El - v + Isyn/gL)/taum : volt
                             Isyn : amp
                             gL : siemens''', method='euler')
neurons.v = El
neurons.gL = 10*nS
inp = SpikeGeneratorGroup(4, [0, 1, 2, 3, 0, 2], [1, 3, 5, 7, 12, 14]*ms)
S = Synapses(inp, neurons, '''dg/dt = -g/taus : siemens (clock-driven)
                              w : siemens
                              Isyn_post = g*(Ee - v_post) : amp (summed)''',
             on_pre='g += w', method='exact')
S.connect('i % 3 == j or i == 3')
S.w = 'nS*(1 + i + j)'
mv = StateMonitor(neurons, ['v', 'Isyn'], record=True)
mg = StateMonitor(S, 'g', record=[0, 2])
run(25*ms)
