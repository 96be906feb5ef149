# ruff: noqa
# Seed: ../shared/seeds/neuro4ml-stdp-inputs.txt, the code cells of the neuro4ml
# notebook on the input patterns of STDP experiments (Song et al. 2000, Song & Abbott 2001).
# The seed is a text dump that lost its indentation; this is each cell reconstructed as
# valid Python, otherwise unchanged. The `!pip install brian2` shell line is a comment
# here (a script cannot run it); Brian 2's log output printed in the dump is left out.
# Each `# %%` line starts a cell; the file also runs as one script.

# %% cell 0: imports
# !pip install brian2
from brian2 import *

# %% cell 1: STDP / Latency reduction
eqs = '''
onset : second
rate = int(t>onset and t<onset+20*ms)*100*Hz : Hz
'''
N = 1000
groupsize = 100
G = NeuronGroup(N, eqs, threshold='rand()<rate*dt')
G.onset = repeat(rand(N//groupsize)*30, groupsize)*ms
M = SpikeMonitor(G)
run(100*ms)
plot(M.t/ms, M.i, '.k')
xlabel('Time (ms)')
ylabel('Neuron index')
tight_layout();

# %% cell 2: STDP / Correlated groups
from numpy.random import exponential
eqs = '''
a : 1
y : 1
corrgroup = int(i>=500) : 1
rate_corr = 10*Hz*(1+0.3*a+0.3*y) : Hz
rate_uncorr = 10*Hz*(1+0.3*sqrt(2)*a) : Hz
rate = corrgroup*rate_corr+(1-corrgroup)*rate_uncorr : Hz
'''
N = 1000
G = NeuronGroup(N, eqs, threshold='rand()<rate*dt')
# G.corrgroup[:500] = 1
t = 0*second
M = SpikeMonitor(G)
tmax = 2000*ms
while t<tmax:
    duration = exponential(20)*ms
    G.a = randn(N)
    G.y = randn()
    run(duration)
    t += duration
figure(figsize=(6, 4), dpi=150)
plot(M.t/ms, M.i, '.k', ms=1)
fill([0, tmax/ms, tmax/ms, 0], [500, 500, 1000, 1000], 'lightblue')
xlim(0, tmax/ms)
ylim(0, 1000)
xlabel('Time (ms)')
ylabel('Neuron index')
tight_layout();
