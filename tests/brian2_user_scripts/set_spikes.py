# SpikeGeneratorGroup: set_spikes between runs, a periodic pattern, sorted/unsorted input.
from brian2 import *

G = SpikeGeneratorGroup(3, [2, 0, 1], [3, 1, 2]*ms, period=5*ms)
mon = SpikeMonitor(G)
run(12*ms)
first_i = mon.i[:]
first_t = mon.t[:]
G.set_spikes([1, 1], [13, 14]*ms)
run(5*ms)
all_i = mon.i[:]
all_t = mon.t[:]
