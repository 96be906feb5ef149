# Izhikevich neurons with per-neuron parameters set from lists and strings.
from brian2 import *

eqs = '''dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + I : volt
         du/dt = a*(b*v - u) : volt/second
         a : 1/second
         b : 1/second
         c : volt
         d : volt/second
         I : volt/second'''
G = NeuronGroup(4, eqs, threshold='v >= 30*mV', reset='v = c; u += d', method='euler')
G.a = [0.02, 0.02, 0.02, 0.1]/ms
G.b = 0.2/ms
G.c = [-65, -55, -50, -65]*mV
G.d = [8, 4, 2, 2]*mV/ms
G.v = -65*mV
G.u = 'b*v'
G.I = 10*mV/ms
mon = StateMonitor(G, ['v', 'u'], record=True)
sm = SpikeMonitor(G)
run(100*ms)
