# Pair-based STDP with event-driven traces (Brian 2 user guide, synapses).
from brian2 import *

taupre = taupost = 20*ms
wmax = 0.01
Apre = 0.01
Apost = -Apre*taupre/taupost*1.05
pre_times = arange(0, 200, 10)*ms
post_times = pre_times + 4*ms
post_times[10:] = pre_times[10:] - 3*ms
pre = SpikeGeneratorGroup(1, zeros(20, dtype=int), pre_times)
post = SpikeGeneratorGroup(1, zeros(20, dtype=int), post_times + 1*ms)
S = Synapses(pre, post,
             '''w : 1
                dapre/dt = -apre/taupre : 1 (event-driven)
                dapost/dt = -apost/taupost : 1 (event-driven)''',
             on_pre='''apre += Apre
                       w = clip(w + apost, 0, wmax)''',
             on_post='''apost += Apost
                        w = clip(w + apre, 0, wmax)''')
S.connect()
S.w = 0.005
mon = StateMonitor(S, ['w', 'apre', 'apost'], record=0)
run(220*ms)
final_w = S.w[:]
