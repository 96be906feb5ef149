# SpikeMonitor.count, spike_trains(), and PopulationRateMonitor.smooth_rate.
from brian2 import *

times = array([1, 2, 2.5, 10, 10.1, 10.2, 20, 35, 36])*ms
indices = array([0, 1, 2, 0, 1, 2, 3, 0, 3])
G = SpikeGeneratorGroup(4, indices, times)
sm = SpikeMonitor(G)
rm = PopulationRateMonitor(G)
run(50*ms)
count = sm.count[:]
trains = sm.spike_trains()
train0 = trains[0]
train3 = trains[3]
n = sm.num_spikes
flat = rm.smooth_rate(window='flat', width=2.05*ms)
gauss = rm.smooth_rate(window='gaussian', width=1*ms)
custom = rm.smooth_rate(window=ones(5)/5)
