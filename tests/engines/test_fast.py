"""The fast engine against the physics functions, closed forms and the reference integrator.

Networks are built directly as :class:`~dynapse_edu.core.network.Network` objects
(independent of the chip API). Tolerances are the ones documented in
:mod:`dynapse_edu.engines.fast` and measured in ``benchmarks/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dynapse_edu.core import neuron, synapse
from dynapse_edu.core.dynamics import AHP, MEM, NeuronTable, derivatives, reset
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.core.synapse import SYNAPSE_TYPES, dpi_kernel, synapse_index
from dynapse_edu.engines import kernels
from dynapse_edu.engines.fast import DEFAULT_STEP, grid_step, independent_groups, run_fast
from dynapse_edu.engines.reference import run_reference
from dynapse_edu.engines.registry import simulate
from dynapse_edu.errors import ParameterError

ROOT = Path(__file__).resolve().parents[2]
SPIKES_ONLY = Record(dt=None, neurons=(), at_spikes=False)


def make_net(
    n: int,
    external: list[tuple[int, int, str, float]],
    input_spikes: tuple[np.ndarray, np.ndarray],
    recurrent: list[tuple[int, int, str, float]] = (),
    params: Params | list[Params] | None = None,
) -> Network:
    """A Network of ``n`` neurons: connections (pre, post, synapse, weight) from inputs and neurons."""
    table = NeuronTable.from_params(params or Params(), n) if not isinstance(params, list) else NeuronTable.from_params(
        params
    )
    src, times = (np.asarray(a) for a in input_spikes)
    order = np.argsort(times, kind="stable")

    def proj(n_pre: int, conns) -> Projection:
        conns = list(conns)
        pre = np.array([c[0] for c in conns], np.int64)
        post = np.array([c[1] for c in conns], np.int64)
        syn = np.array([synapse_index(c[2]) for c in conns], np.int64)
        w = np.array([c[3] for c in conns], float)
        return Projection.build(n_pre, pre, post, syn, w)

    n_in = int(max([c[0] for c in external] + [int(src.max()) if src.size else 0])) + 1
    return Network(
        table, np.arange(n), src[order].astype(np.int64), times[order].astype(float),
        proj(n_in, external), proj(n, recurrent),
    )


def part1_net() -> Network:
    """The part-1 experiment: one source, NMDA weight 0.5 + AMPA weight 2, one spike per 1 ms bin with p = 0.1."""
    times = np.flatnonzero(np.random.RandomState(0).rand(1000) < 0.1) * 1e-3
    return make_net(1, [(0, 0, "NMDA", 0.5), (0, 0, "AMPA", 2.0)], (np.zeros(times.size, np.int64), times))


# --- the compiled functions are the physics of dynapse_edu.core, to rounding error ---------------------------
AGREEMENT_PARAMS = [Params(), Params(I_tau_mem=12e-12, alpha_mem=7.0, I_pfb_norm=5e-12, I_const=30e-12, I0=0.5e-12)]


@pytest.mark.parametrize("p", AGREEMENT_PARAMS)
def test_membrane_rate_is_derivatives_row(p):
    rng = np.random.default_rng(3)
    n = 400
    table = NeuronTable.from_params(p, n)
    state = np.exp(rng.uniform(np.log(p.I0 * 1.01), np.log(5e-9), size=(6, n)))
    expected = derivatives(state, table)[MEM]
    kt = kernels.as_table(table)
    got = np.array([kernels.membrane_rate(*state[:2, i], tuple(state[2:, i]), kernels.soma(kt, i)) for i in range(n)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-30)


@pytest.mark.parametrize("p", AGREEMENT_PARAMS)
def test_log_rate_is_derivatives_row_over_the_current_with_the_floor_hold(p):
    """du/dt (u = ln I_mem) of the kernels is dI_mem/dt / I_mem of derivatives, held at the floor alike.

    A third of the membranes sit below the floor I0, as the trial stages of a step can (ln I0 itself does not
    survive exp(ln I0) unrounded); there the rate is the floor's, held at 0 where it points down.
    """
    rng = np.random.default_rng(4)
    n = 600
    table = NeuronTable.from_params(p, n)
    state = np.exp(rng.uniform(np.log(p.I0), np.log(5e-9), size=(6, n)))
    state[MEM, ::3] = p.I0 * rng.uniform(0.3, 0.99, n)[::3]
    state[AHP + 1 :, rng.random(n) < 0.3] = p.I0  # some synapses at rest too
    expected = derivatives(state, table)[MEM] / np.maximum(state[MEM], p.I0)
    kt = kernels.as_table(table)
    got = np.array([kernels.log_rate(np.log(state[MEM, i]), *state[1:, i], kernels.soma(kt, i)) for i in range(n)])
    held = (state[MEM] < p.I0) & (expected == 0)
    assert 0 < held.sum() < n // 3  # both cases below the floor occur: held, and rising
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-30)
    assert np.all(got[held] == 0.0)


def test_compiled_decay_is_the_core_exact_decay():
    rng = np.random.default_rng(5)
    I = np.exp(rng.uniform(np.log(0.5e-12), np.log(5e-9), 500))
    factor = np.exp(-rng.uniform(0, 20, 500))
    I0 = rng.choice([0.5e-12, 1e-12, 2e-12], 500)
    expected = synapse.dpi_decay_exact(I, factor, I0)
    got = np.array([kernels.COMPILED["dpi_decay_exact"](*args) for args in zip(I, factor, I0, strict=True)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    assert np.any(expected == I0) and np.any(expected > I0)  # both branches: decaying and held at the floor


@pytest.mark.parametrize("p", AGREEMENT_PARAMS)
def test_compiled_reset_is_dynamics_reset(p):
    rng = np.random.default_rng(6)
    n = 50
    table = NeuronTable.from_params([p.replace(I_w_ahp=float(w)) for w in rng.uniform(1e-12, 50e-12, n)])
    state = np.exp(rng.uniform(np.log(p.I0 * 0.5), np.log(5e-9), size=(6, n)))  # some I_ahp below the floor
    expected = state.copy()
    reset(expected, table, np.arange(n))
    for i in range(n):
        I_mem, I_ahp = kernels.COMPILED["spike_reset"](state[AHP, i], table.I_reset[i], table.I0[i], table.jump_ahp[i])
        assert I_mem == pytest.approx(expected[MEM, i], rel=1e-12)
        assert I_ahp == pytest.approx(expected[AHP, i], rel=1e-12)


def test_fast_engine_resets_as_dynamics_reset():
    """In the hot loop: at each output spike, the state after is dynamics.reset of the state before."""
    p = Params(I_const=1e-9, I_w_ahp=2e-12)
    net = make_net(1, [(0, 0, "AMPA", 1.0)], (np.array([0]), np.array([0.5])), params=p)
    res = run_fast(net, 0.1, Record(dt=1e-3, neurons=[0], at_spikes=True))
    spikes = res.spike_times[0]
    assert spikes.size >= 3
    table = NeuronTable.from_params(p, 1)
    for t in spikes:
        before, after = np.flatnonzero(res.t == t)
        state = np.array([[res.traces[name][before, 0]] for name in ("I_mem", "I_ahp", "I_ampa", "I_nmda",
                                                                     "I_gaba_a", "I_gaba_b")])
        reset(state, table, np.array([0]))
        got = [res.traces[name][after, 0] for name in ("I_mem", "I_ahp", "I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b")]
        np.testing.assert_allclose(got, state[:, 0], rtol=1e-12)


def test_membrane_held_at_floor_like_derivatives():
    p = Params()
    table = NeuronTable.from_params(p, 1)
    state = np.full((6, 1), p.I0)
    assert derivatives(state, table)[MEM, 0] == 0.0  # at rest the membrane is held at I0
    kt = kernels.as_table(table)
    y = (p.I0,) * 5
    u0 = np.log(p.I0)
    assert kernels.membrane_step(u0, 1e-4, y, y, y, kernels.soma(kt, 0), u0) == u0


def test_four_neuron_step_is_the_single_step_bit_for_bit():
    rng = np.random.default_rng(5)
    params = [Params(I_tau_mem=float(x)) for x in rng.uniform(3e-12, 30e-12, 4)]
    kt = kernels.as_table(NeuronTable.from_params(params))
    p = tuple(kernels.soma(kt, q) for q in range(4))
    for _ in range(50):
        u = tuple(float(x) for x in rng.uniform(np.log(1e-12), np.log(2e-9), 4))
        ys = [tuple(tuple(float(v) for v in np.exp(rng.uniform(np.log(1e-12), np.log(3e-9), 5))) for _ in range(4))
              for _ in range(3)]
        log_I0 = (float(np.log(1e-12)),) * 4
        s = tuple(float(x) for x in rng.uniform(1e-6, 1e-4, 4))  # each lane its own step length
        four = kernels.membrane_step4(u, s, ys[0], ys[1], ys[2], p, log_I0)
        one = [kernels.membrane_step(u[q], s[q], ys[0][q], ys[1][q], ys[2][q], p[q], log_I0[q]) for q in range(4)]
        assert list(four) == one


def test_kernels_compile_the_core_code_objects():
    """The compiled functions run the very bytecode of dynapse_edu.core (soma, floor, reset, decay)."""
    assert {m for m, _ in kernels.PHYSICS} == {neuron, synapse}
    for module, names in kernels.PHYSICS:
        for name in names:
            compiled = kernels.COMPILED[name]
            py = getattr(compiled, "py_func", compiled)
            assert py.__code__ is getattr(module, name).__code__
    for name in ("membrane_rate", "hold_at_floor", "spike_reset", "dpi_decay_exact"):
        assert name in kernels.COMPILED
    assert kernels.membrane_rate is kernels.COMPILED["membrane_rate"]
    if kernels.HAVE_NUMBA:  # pasted into its callers, as the kernel helper it replaced was
        assert kernels.COMPILED["membrane_rate"].targetoptions["inline"] == "always"


# --- closed forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
def test_single_spike_kernel_is_exact(synapse):
    p = Params()
    t_spike = 0.01234  # off the step grid
    net = make_net(1, [(0, 0, synapse, 1.5)], (np.array([0]), np.array([t_spike])))
    res = run_fast(net, 0.2, Record(dt=1e-4, neurons=[0], at_spikes=True))
    current = res.trace(f"I_{synapse.lower()}")
    expected = dpi_kernel(res.t - t_spike, p.jump(synapse, 1.5), p.tau_syn(synapse), p.I0)
    after = res.t > t_spike
    np.testing.assert_allclose(current[after], expected[after], rtol=1e-12)
    # the event samples: just before the spike at I0, just after at I0 + jump
    at = np.flatnonzero(res.t == t_spike)
    assert at.size == 2
    assert current[at[0]] == pytest.approx(p.I0, rel=1e-12)
    assert current[at[1]] == pytest.approx(p.I0 + p.jump(synapse, 1.5), rel=1e-12)
    assert np.all(np.diff(res.t) >= 0)


# --- against the reference integrator -------------------------------------------------------------------


def test_part1_same_spikes_as_reference():
    """F2: identical spike count, spike times within 0.05 ms of solve_ivp."""
    net = part1_net()
    ref = run_reference(net, 1.0, SPIKES_ONLY)
    fast = run_fast(net, 1.0, SPIKES_ONLY)
    assert fast.method == "fast"
    assert fast.spike_count[0] == ref.spike_count[0] == 53
    assert np.abs(fast.spike_times[0] - ref.spike_times[0]).max() < 0.05e-3


def test_part1_through_simulate_and_traces_close_to_reference():
    net = part1_net()
    rec = Record(dt=1e-4, neurons=[0], at_spikes=False)
    ref = simulate(net, 0.2, "reference", rec)
    fast = simulate(net, 0.2, "fast", rec)
    np.testing.assert_array_equal(fast.t, ref.t)
    # synapse currents do not depend on the membrane: equal to within the reference's accumulated
    # tolerance (atol 1 fA per step: below 0.1 pA, a tenth of I0)
    for name in ("I_ampa", "I_nmda"):
        np.testing.assert_allclose(fast.traces[name], ref.traces[name], rtol=1e-5, atol=1e-13)
    # the membrane, away from the (slightly shifted) spikes; the reference's own error at
    # picoampere currents (atol 1 fA) dominates the difference; the largest difference is just after
    # a refractory period ends, where ln I_mem rises at about 1/(20 us) from I_reset (measured: 0.05
    # at the default 100 us step, 0.008 at 50 us)
    spikes = ref.spike_times[0]
    far = np.min(np.abs(ref.t[:, None] - spikes[None, :]), axis=1) > 0.5e-3
    log_ratio = np.abs(np.log(fast.I_mem[far, 0] / ref.I_mem[far, 0]))
    assert np.median(log_ratio) < 1e-4
    assert log_ratio.max() < 0.08
    fine = run_fast(net, 0.2, rec, step=50e-6)  # a shorter step: closer
    assert np.abs(np.log(fine.I_mem[far, 0] / ref.I_mem[far, 0])).max() < 0.02


def test_grid_not_a_multiple_of_the_step_and_input_at_zero():
    """A 0.3 ms grid with a 70 us step (shortened to 60 us exactly), inputs from t = 0 on: the reference's samples."""
    times = np.arange(0, 0.05, 1e-3)
    net = make_net(1, [(0, 0, "AMPA", 2.0)], (np.zeros(times.size, np.int64), times))
    rec = Record(dt=0.3e-3, neurons=[0], at_spikes=False)
    ref = run_reference(net, 0.05, rec)
    fast = run_fast(net, 0.05, rec, step=70e-6)
    np.testing.assert_array_equal(fast.t, ref.t)
    assert fast.I_ampa[0, 0] == pytest.approx(Params().I0 + Params().jump("AMPA", 2.0), rel=1e-12)
    np.testing.assert_allclose(fast.I_ampa, ref.I_ampa, rtol=1e-5, atol=1e-13)
    np.testing.assert_array_equal(fast.spike_count, ref.spike_count)


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
def test_each_synapse_type_against_reference(synapse):
    """One neuron: regular AMPA drive plus a random train through ``synapse``; same spikes."""
    rng = np.random.default_rng(synapse_index(synapse))
    drive = np.arange(0.0, 0.3, 1 / 150)
    extra = np.sort(rng.uniform(0, 0.3, 10))
    src = np.concatenate([np.zeros(drive.size, np.int64), np.ones(extra.size, np.int64)])
    weight = {"AMPA": 1.5, "NMDA": 0.5, "GABA_A": 0.1, "GABA_B": 0.5}[synapse]  # shunting inhibition is strong
    net = make_net(1, [(0, 0, "AMPA", 3.0), (1, 0, synapse, weight)], (src, np.concatenate([drive, extra])))
    ref = run_reference(net, 0.3, SPIKES_ONLY)
    fast = run_fast(net, 0.3, SPIKES_ONLY)
    alone = run_fast(make_net(1, [(0, 0, "AMPA", 3.0)], (src[: drive.size], drive)), 0.3, SPIKES_ONLY)
    assert ref.spike_count[0] >= 4
    # the synapse matters: excitation adds spikes, inhibition removes some
    if synapse in ("AMPA", "NMDA"):
        assert fast.spike_count[0] > alone.spike_count[0]
    else:
        assert fast.spike_count[0] < alone.spike_count[0]
    assert fast.spike_count[0] == ref.spike_count[0]
    assert np.abs(fast.spike_times[0] - ref.spike_times[0]).max() < 0.05e-3


def test_recurrent_16_neurons_against_reference():
    """16 neurons, Poisson inputs, recurrent AMPA / NMDA / GABA_A / GABA_B connections.

    Recurrent spikes reach their targets at their exact times (the targets'
    step is integrated again): same spike counts, spike times within microseconds.
    """
    rng = np.random.default_rng(7)
    n, n_in = 16, 32
    external = [(int(s), i, "AMPA", float(rng.integers(1, 4))) for i in range(n) for s in rng.choice(n_in, 6, False)]
    recurrent = []
    for i in range(n):
        for j in rng.choice(n, 4, replace=False):
            if i != j:
                syn = SYNAPSE_TYPES[int(rng.integers(0, 4))]
                recurrent.append((i, int(j), syn, float(rng.integers(1, 3))))
    counts = rng.poisson(30 * 0.3, n_in)
    src = np.repeat(np.arange(n_in), counts)
    times = rng.uniform(0, 0.3, src.size)
    net = make_net(n, external, (src, times), recurrent)
    assert len(net.recurrent.post) > 40
    ref = run_reference(net, 0.3, SPIKES_ONLY)
    fast = run_fast(net, 0.3, SPIKES_ONLY)
    assert ref.spike_count.sum() > 100
    np.testing.assert_array_equal(fast.spike_count, ref.spike_count)
    pairs = zip(fast.spike_times, ref.spike_times, strict=True)
    assert max(np.abs(a - b).max() for a, b in pairs if a.size) < 0.02e-3


def test_recurrent_spike_reaches_target_at_its_time():
    """A neuron driven to spike excites a silent target through a strong AMPA synapse: the target's
    synapse jumps at the spike time, as in the reference (not at the end of the step)."""
    net = make_net(
        2, [(0, 0, "AMPA", 4.0)], (np.zeros(3, np.int64), np.array([0.001, 0.002, 0.003])),
        recurrent=[(0, 1, "AMPA", 3.0)],
    )
    rec = Record(dt=None, neurons=[1], at_spikes=True)
    ref = run_reference(net, 0.02, rec)
    fast = run_fast(net, 0.02, rec)
    t_spike = ref.spike_times[0][0]
    assert abs(fast.spike_times[0][0] - t_spike) < 1e-6
    # the target's AMPA current just after the source's spike: I0 + jump, within the step
    after = np.flatnonzero(np.isclose(fast.t, fast.spike_times[0][0], atol=1e-12, rtol=0))
    assert after.size == 2
    assert fast.I_ampa[after[1], 0] == pytest.approx(Params().I0 + Params().jump("AMPA", 3.0), rel=1e-9)
    np.testing.assert_allclose(fast.spike_times[1], ref.spike_times[1], atol=1e-6)


def test_strong_input_against_reference():
    """A 1 nA base weight (10x the default): the membrane leaves its exponential rise within microseconds;
    the step halving keeps the spike times with the reference's."""
    times = np.arange(0, 0.05, 1e-3)
    net = make_net(1, [(0, 0, "AMPA", 4.0)], (np.zeros(times.size, np.int64), times), params=Params(I_w0_ampa=1e-9))
    ref = run_reference(net, 0.05, SPIKES_ONLY)
    fast = run_fast(net, 0.05, SPIKES_ONLY)
    assert ref.spike_count[0] == fast.spike_count[0] == 10
    assert np.abs(fast.spike_times[0] - ref.spike_times[0]).max() < 0.02e-3


def test_smaller_step_converges():
    """Halving the step moves the part-1 spike times by less (RK4 in the log domain)."""
    net = part1_net()
    fine = run_fast(net, 0.3, SPIKES_ONLY, step=10e-6).spike_times[0]
    errs = [np.abs(run_fast(net, 0.3, SPIKES_ONLY, step=h).spike_times[0] - fine).max() for h in (200e-6, 100e-6)]
    assert errs[1] < errs[0]
    assert errs[1] < 20e-6


# --- monitors and arguments ------------------------------------------------------------------------------


def test_record_grid_subset_and_spikes_always():
    net = make_net(
        3, [(0, k, "AMPA", 2.0 + k) for k in range(3)], (np.zeros(50, np.int64), np.arange(50) * 2e-3)
    )
    res = run_fast(net, 0.1, Record(dt=0.5e-3, neurons=[2], at_spikes=False))
    np.testing.assert_allclose(res.t, np.arange(201) * 0.5e-3)
    assert res.I_mem.shape == (201, 1)
    assert all(res.spike_count > 0)
    assert res.recorded.tolist() == [2]
    assert np.all(res.I_mem >= 1e-12) and np.all(res.I_mem <= Params().I_th * (1 + 1e-9))


def test_grid_step_divides_record_interval():
    assert grid_step(50e-6, 1e-4) == pytest.approx(50e-6)
    h = grid_step(50e-6, 0.3e-3)
    assert round(0.3e-3 / h) * h == pytest.approx(0.3e-3) and h <= 50e-6
    assert grid_step(50e-6, None) == 50e-6
    assert DEFAULT_STEP == 100e-6


@pytest.mark.parametrize("bad", [0.0, -1e-5, 1e-2, float("nan"), "x"])
def test_bad_step_is_rejected(bad):
    with pytest.raises(ParameterError, match="step"):
        run_fast(part1_net(), 0.1, SPIKES_ONLY, step=bad)


def test_several_recorded_neurons_with_at_spikes_warns():
    net = make_net(2, [(0, 0, "AMPA", 1.0), (0, 1, "AMPA", 1.0)], (np.array([0]), np.array([0.01])))
    with pytest.warns(UserWarning, match="grid only"):
        res = run_fast(net, 0.02, Record(dt=1e-3, at_spikes=True))
    assert res.t.size == 21


def test_import_stays_light():
    """import dynapse_edu does not import numba (the fast engine loads it on first use)."""
    code = "import sys, dynapse_edu; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_pure_python_fallback_without_numba():
    """Without numba the same kernel runs as plain Python and gives the same spikes."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["numba"] = None  # numba is not installed
        import numpy as np
        from dynapse_edu.engines import kernels
        from dynapse_edu.core.dynamics import NeuronTable
        from dynapse_edu.engines.fast import run_fast
        from dynapse_edu.core.network import Network, Projection
        from dynapse_edu.core.params import Params
        from dynapse_edu.core.result import Record
        assert not kernels.HAVE_NUMBA
        times = np.flatnonzero(np.random.RandomState(0).rand(1000) < 0.1)[:15] * 1e-3
        ext = Projection.build(1, np.array([0, 0]), np.array([0, 0]), np.array([1, 0]), np.array([0.5, 2.0]))
        rec = Projection.build(1, np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros(0))
        net = Network(NeuronTable.from_params(Params(), 1), np.arange(1), np.zeros(times.size, np.int64), times, ext,
                      rec)
        res = run_fast(net, 0.05, Record(dt=None, neurons=(), at_spikes=False))
        print(repr(res.spike_times[0].tolist()))
        """
    )
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    plain = np.array(eval(out.stdout.strip()))  # noqa: S307 - our own subprocess output: a list of floats
    net = part1_net()
    times = net.input_times[:15]
    small = make_net(1, [(0, 0, "NMDA", 0.5), (0, 0, "AMPA", 2.0)], (np.zeros(times.size, np.int64), times))
    compiled = run_fast(small, 0.05, SPIKES_ONLY).spike_times[0]
    assert plain.size == compiled.size > 0
    np.testing.assert_allclose(plain, compiled, rtol=0, atol=1e-9)


def test_threads_give_the_same_result():
    """Without recurrent connections the neurons are split over threads; spikes and traces are unchanged."""
    rng = np.random.default_rng(11)
    n, n_in = 40, 64
    external = [(int(s), i, "AMPA", float(rng.integers(1, 5))) for i in range(n) for s in rng.choice(n_in, 8, False)]
    counts = rng.poisson(20 * 0.2, n_in)
    src = np.repeat(np.arange(n_in), counts)
    net = make_net(n, external, (src, rng.uniform(0, 0.2, src.size)))
    assert len(independent_groups(net, 3)) == 3
    rec = Record(dt=1e-3, neurons=[0, 17, 39], at_spikes=False)
    one = run_fast(net, 0.2, rec, threads=1)
    three = run_fast(net, 0.2, rec, threads=3)
    assert one.spike_count.sum() > 20
    for a, b in zip(one.spike_times, three.spike_times, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(one.I_mem, three.I_mem)
    # one recorded neuron with event samples, in a group of its own thread
    ev1 = run_fast(net, 0.2, Record(dt=1e-3, neurons=[25]), threads=1)
    ev3 = run_fast(net, 0.2, Record(dt=1e-3, neurons=[25]), threads=3)
    np.testing.assert_array_equal(ev1.t, ev3.t)
    np.testing.assert_array_equal(ev1.I_ampa, ev3.I_ampa)
    assert ev1.t.size > 201
    with pytest.raises(ParameterError, match="threads"):
        run_fast(net, 0.01, SPIKES_ONLY, threads=0)


def test_recurrent_network_is_not_split():
    net = make_net(4, [(0, 0, "AMPA", 1.0)], (np.array([0]), np.array([0.001])), recurrent=[(0, 3, "AMPA", 1.0)])
    assert len(independent_groups(net, 2)) == 1


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")
def test_cached_kernels_are_salted_with_the_physics_source():
    """The on-disk cache names carry a hash of every core file compiled in and of kernels.py: edited physics is
    never loaded stale."""
    sources = {Path(f.py_func.__code__.co_filename).resolve() for f in kernels.COMPILED.values()}
    hashed = [Path(m.__file__).resolve() for m, _ in kernels.PHYSICS]
    assert sources == set(hashed) == {Path(neuron.__file__).resolve(), Path(synapse.__file__).resolve()}
    digest = hashlib.sha256()
    for path in [*hashed, Path(kernels.__file__)]:
        digest.update(path.read_bytes())
    assert kernels.PHYSICS_HASH == kernels.physics_hash() == digest.hexdigest()[:12]
    assert kernels.run_kernel.py_func.__qualname__.endswith(kernels.PHYSICS_HASH)
    for compiled in kernels.COMPILED.values():
        assert compiled.py_func.__qualname__.endswith(kernels.PHYSICS_HASH)


def test_result_does_not_depend_on_neighbours_in_the_four_lanes():
    """Neurons are stepped four side by side: renumbering them changes their company, not their spikes."""
    rng = np.random.default_rng(12)
    n, n_in = 23, 40  # not a multiple of 4: a short last group too
    external = [(int(s), i, "AMPA", float(rng.integers(1, 5))) for i in range(n) for s in rng.choice(n_in, 6, False)]
    counts = rng.poisson(30 * 0.15, n_in)
    src = np.repeat(np.arange(n_in), counts)
    times = rng.uniform(0, 0.15, src.size)
    perm = rng.permutation(n)  # new number of neuron i: perm[i]
    shuffled = [(s, int(perm[i]), syn, w) for s, i, syn, w in external]
    a = run_fast(make_net(n, external, (src, times)), 0.15, SPIKES_ONLY, threads=1)
    b = run_fast(make_net(n, shuffled, (src, times)), 0.15, SPIKES_ONLY, threads=1)
    assert a.spike_count.sum() > 20
    for i in range(n):
        np.testing.assert_array_equal(a.spike_times[i], b.spike_times[perm[i]])


def test_threshold_crossing_located_to_the_tolerance():
    """The spike time inside a sub-step: within CROSSING_TOL of a bisection to 1e-12 s on the same integrator."""
    rng = np.random.default_rng(21)
    p = Params()
    kt = kernels.as_table(NeuronTable.from_params(p, 1))
    sp = kernels.soma(kt, 0)
    taus = tuple(float(x) for x in (p.tau_ahp, *[p.tau_syn(s) for s in SYNAPSE_TYPES]))
    log_th, log_I0 = float(np.log(p.I_th)), float(np.log(p.I0))
    checked = 0
    for _ in range(2000):
        if checked == 100:
            break
        y = (p.I0, float(np.exp(rng.uniform(np.log(1e-11), np.log(3e-9)))), p.I0, p.I0, p.I0)
        u = float(rng.uniform(np.log(8e-10), log_th - 0.01))
        s = float(rng.uniform(5e-6, 1e-4))
        u1 = kernels.advance(u, y, s, taus, sp, log_I0, kernels.NO_DRIVE)
        if u1 < log_th:
            continue
        k1 = kernels.log_rate(u, *y, sp)
        got = kernels.crossing(u, k1, y, s, u1, log_th, taus, sp, log_I0, kernels.NO_DRIVE)
        lo, hi = 0.0, s
        while hi - lo > 1e-12:
            mid = 0.5 * (lo + hi)
            above = kernels.advance(u, y, mid, taus, sp, log_I0, kernels.NO_DRIVE) >= log_th
            lo, hi = (lo, mid) if above else (mid, hi)
        assert abs(got - hi) <= kernels.CROSSING_TOL
        checked += 1
    assert checked == 100


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")
def test_compile_kernels_compiles_what_the_course_runs():
    """make runs compile_kernels once: afterwards the chip API's runs compile nothing new (no compiling in a course).

    In a fresh process: compile_kernels, then runs through the chip API (event samples of one neuron, traces of
    several, spikes only, recurrent connections); no kernel gets a new compiled signature.
    """
    code = textwrap.dedent(
        """
        from dynapse_edu import Chip, RegularGenerator
        from dynapse_edu.engines import kernels
        from dynapse_edu.engines.fast import compile_kernels

        def signatures():
            return {k: len(v.signatures) for k, v in vars(kernels).items() if hasattr(v, "signatures")}

        compile_kernels()
        before = signatures()
        chip = Chip()
        a, b = chip.get_neurons(3, core=0), chip.get_neurons(2, core=1)
        chip.add_connection(RegularGenerator(1, 300.0), a, "AMPA", weight=4)
        chip.add_connection(a, b, "NMDA", weight=2)
        for kwargs in ({}, {"dt": 1e-3}, {"dt": None, "at_spikes": False}):
            chip.run(0.05, method="fast", **kwargs)
        single = Chip()
        single.add_connection(RegularGenerator(1, 300.0), single.get_neurons(1, core=0), "AMPA", weight=4)
        single.run(0.05, method="fast")
        after = signatures()
        print(before["run_kernel"], sorted(k for k in after if after[k] != before[k]))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    n_run_kernel, recompiled = out.stdout.split(maxsplit=1)
    assert int(n_run_kernel) >= 1
    assert recompiled.strip() == "[]"


def test_a_slow_first_run_says_that_the_kernels_compile():
    """A first run that takes long (as compiling does) says so once on stderr; a quick one and later ones do not."""
    code = """
import time
from dynapse_edu.engines import fast
with fast.first_call_notice(after=0.05):
    time.sleep(0.5)  # stands for numba compiling
with fast.first_call_notice(after=0.05):
    time.sleep(0.5)  # a later run: nothing more is said
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stderr.count("compiling the fast engine's kernels") == 1, out.stderr
    assert "python -m dynapse_edu.engines.fast" in out.stderr
    quick = subprocess.run([sys.executable, "-c", code.replace("0.5", "0.0")], capture_output=True, text=True,
                           cwd=ROOT, check=True)
    assert "compiling" not in quick.stderr, quick.stderr
