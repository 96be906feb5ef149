# Explicit namespaces for groups and runs, and run(report=...) with a callable.
from brian2 import *

G = NeuronGroup(2, 'dv/dt = (a - v)/tau : 1', threshold='v > 0.8', reset='v = 0',
                namespace={'tau': 5*ms}, method='exact')
G.v = [0, 0.5]
mon = SpikeMonitor(G)
reports = []


def report(elapsed, completed, start, duration):
    reports.append(float(completed))


run(20*ms, namespace={'a': 1.2}, report=report, report_period=1*second)
run(10*ms, namespace={'a': 2}, report='stdout')
last_report = reports[-1]
