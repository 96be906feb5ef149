# PoissonGroup with rates given as numbers, arrays and time-dependent expressions.
# stochastic
from brian2 import *

P1 = PoissonGroup(50, rates='10*Hz + i*2*Hz')
P2 = PoissonGroup(50, rates='40*Hz*(1 + sin(2*pi*5*Hz*t))')
P3 = PoissonGroup(20, rates=linspace(5, 100, 20)*Hz)
s1 = SpikeMonitor(P1)
s2 = SpikeMonitor(P2)
s3 = SpikeMonitor(P3)
r2 = PopulationRateMonitor(P2)
run(300*ms)
stats = {
    'rate1_low': mean(s1.count[:25]) / (300*ms),
    'rate1_high': mean(s1.count[25:]) / (300*ms),
    'rate2': s2.num_spikes / 50 / (300*ms),
    'rate2_first_half': sum(s2.t < 0.1*second) / 50 / (0.1*second),
    'rate3_last': s3.count[-1] / (300*ms),
    'poprate_mean': mean(r2.rate / Hz),
}
