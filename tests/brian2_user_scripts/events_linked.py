# A custom event with its own reset, an EventMonitor, and a linked variable.
# The groups are named: within a slot of the schedule, operations run in the order of
# their names (in Brian 2 as in snncore), and G reads the source's I during the step.
from brian2 import *

source = NeuronGroup(1, 'dI/dt = (2 - I)/(20*ms) : 1', method='exact', name='source')
G = NeuronGroup(3, '''dv/dt = (I*(1 + 0.2*i) - v)/(5*ms) : 1
                      I : 1 (linked)
                      crossings : integer''',
                threshold='v > 1', reset='v = 0',
                events={'half': 'v > 0.5'},
                method='exact', name='cells')
G.I = linked_var(source, 'I')
G.run_on_event('half', 'crossings += 1')
half_monitor = EventMonitor(G, 'half', variables=['v'])
spikes = SpikeMonitor(G)
run(40*ms)
crossings = G.crossings[:]
