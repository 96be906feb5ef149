# A network_operation that changes an input every millisecond.
from brian2 import *

G = NeuronGroup(2, '''dv/dt = (I - v)/(5*ms) : 1
                      I : 1''', method='exact')
values = []


@network_operation(dt=1*ms)
def update_input(t):
    G.I = [sin(2*pi*t/(10*ms)), cos(2*pi*t/(10*ms))]
    values.append(G.v[0])


mon = StateMonitor(G, ['v', 'I'], record=True)
run(20*ms)
recorded = array(values)
