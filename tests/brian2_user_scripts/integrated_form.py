# Converting from integrated form: a biexponential synapse as two linear equations,
# with its peak normalised to 1 (Brian 2 user guide, "Converting from integrated form").
from brian2 import *

tau_r = 1*ms
tau_d = 5*ms
t_peak = tau_d*tau_r/(tau_d - tau_r)*log(tau_d/tau_r)
factor = 1/(exp(-t_peak/tau_d) - exp(-t_peak/tau_r))
G = NeuronGroup(1, '''dg/dt = ((tau_d/tau_r)**(tau_r/(tau_d - tau_r))*x - g)/tau_d : 1
                      dx/dt = -x/tau_r : 1''', method='exact')
alpha = NeuronGroup(1, '''dg/dt = (y - g)/tau_d : 1
                          dy/dt = -y/tau_d : 1''', method='exact')
inp = SpikeGeneratorGroup(1, [0], [2]*ms)
S1 = Synapses(inp, G, on_pre='x += 1')
S1.connect()
S2 = Synapses(inp, alpha, on_pre='y += exp(1)')
S2.connect()
mon = StateMonitor(G, 'g', record=0)
mon_a = StateMonitor(alpha, 'g', record=0)
run(30*ms)
peak = max(mon.g[0])
