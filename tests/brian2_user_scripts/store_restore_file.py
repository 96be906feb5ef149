# store()/restore() to and from a file, and several named snapshots.
import os
import tempfile

from brian2 import *

eqs = 'dv/dt = (I - v)/(10*ms) : 1\nI : 1'
G = NeuronGroup(3, eqs, threshold='v > 1', reset='v = 0', method='exact')
G.I = [1.5, 2, 3]
S = SpikeMonitor(G)
path = os.path.join(tempfile.mkdtemp(), 'snapshot.pkl')
store('initial', filename=path)
run(20*ms)
first_count = S.count[:].copy()
first_t = S.t[:].copy()
store('after')
G.I = [3, 3, 3]
run(10*ms)
restore('initial', filename=path)
G.I = [2, 2, 2]
run(20*ms)
second_count = S.count[:].copy()
second_t = S.t[:].copy()
restore('after')
t_after = defaultclock.t
