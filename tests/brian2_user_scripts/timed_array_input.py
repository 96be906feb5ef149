# Step input from a TimedArray (Brian 2 user guide, input stimuli).
from brian2 import *

stimulus = TimedArray(hstack([[0, 0, 1, 1, 2, 0]])*nA, dt=5*ms)
G = NeuronGroup(2, 'dv/dt = (-v + 50*Mohm*stimulus(t)*(i + 1))/(5*ms) : volt',
                threshold='v > 40*mV', reset='v = 0*mV', method='exact')
mon = StateMonitor(G, 'v', record=True)
sm = SpikeMonitor(G)
run(35*ms)
