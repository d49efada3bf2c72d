"""The sweep helper: grid order, executors, error reporting, a real sweep of the fast engine."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from dynapse_edu.core.dynamics import NeuronTable
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.errors import ParameterError
from dynapse_edu.sweep import Failed, SweepPointError, grid_points, sweep


def slow_product(a: float, b: float, delay: float = 0.0) -> float:
    """Later points finish first when delay is largest for the first points."""
    time.sleep(delay * (3 - a))
    return a * 10 + b


def fails_on_two(a: int, b: int = 0) -> int:
    if a == 2:
        raise ValueError(f"a = {a} is bad")
    return a + b


def output_rate(I_tau_mem: float, weight: float, duration: float = 0.2) -> float:
    """Output rate (Hz) of one neuron driven at 200 Hz through AMPA, with the fast engine."""
    from dynapse_edu.engines.fast import run_fast

    times = np.arange(0, duration, 5e-3)
    table = NeuronTable.from_params(Params(I_tau_mem=I_tau_mem), 1)
    ext = Projection.build(1, np.array([0]), np.array([0]), np.array([0]), np.array([weight]))
    rec = Projection.build(1, np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    net = Network(table, np.arange(1), np.zeros(times.size, np.int64), times, ext, rec)
    return float(run_fast(net, duration, Record(dt=None, neurons=(), at_spikes=False)).rates[0])


def test_grid_points_order_and_explicit_lists():
    assert grid_points({"a": [1, 2], "b": [3]}) == [{"a": 1, "b": 3}, {"a": 2, "b": 3}]
    assert grid_points([{"x": 1}, {"x": 5, "y": 2}]) == [{"x": 1}, {"x": 5, "y": 2}]
    assert grid_points({"a": np.array([0.5, 1.5])}) == [{"a": 0.5}, {"a": 1.5}]
    with pytest.raises(ParameterError, match="list of values"):
        grid_points({"a": 3})
    with pytest.raises(ParameterError, match="dict of parameters"):
        grid_points([{"a": 1}, 7])


def test_serial_results_in_grid_order():
    out = sweep(slow_product, {"a": [0, 1, 2], "b": [1, 2]}, progress=False)
    assert out == [1, 2, 11, 12, 21, 22]


def test_threads_finish_out_of_order_but_come_back_in_grid_order():
    with ThreadPoolExecutor(max_workers=3) as pool:
        out = sweep(slow_product, {"a": [0, 1, 2]}, fixed={"b": 5, "delay": 0.05}, executor=pool, progress=False)
    assert out == [5, 15, 25]


def test_process_pool_and_progress_bar(capsys):
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        out = sweep(slow_product, {"a": [2, 1, 0], "b": [7]}, executor=pool, desc="grid")
    assert out == [27, 17, 7]
    assert "grid" in capsys.readouterr().err  # the tqdm bar


@pytest.mark.parametrize("executor", ["serial", "threads", "processes"])
def test_failed_point_reports_its_parameters(executor):
    grid = {"a": [1, 2, 3], "b": [10]}
    if executor == "serial":
        pool = None
    elif executor == "threads":
        pool = ThreadPoolExecutor(max_workers=2)
    else:
        pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
    try:
        with pytest.raises(SweepPointError, match=r"sweep point 1 with parameters \{'a': 2, 'b': 10\}") as info:
            sweep(fails_on_two, grid, executor=pool, progress=False)
        assert info.value.params == {"a": 2, "b": 10}
        assert info.value.index == 1
        assert isinstance(info.value.error, ValueError)
        assert "a = 2 is bad" in str(info.value)
        out = sweep(fails_on_two, grid, executor=pool, progress=False, errors="return")
    finally:
        if pool is not None:
            pool.shutdown()
    assert out[0] == 11 and out[2] == 13
    assert isinstance(out[1], Failed) and not out[1]
    assert out[1].params == {"a": 2, "b": 10} and isinstance(out[1].error, ValueError)


def test_bad_arguments_are_rejected():
    with pytest.raises(ParameterError, match="errors"):
        sweep(fails_on_two, {"a": [1]}, errors="ignore")
    with pytest.raises(ParameterError, match="executor"):
        sweep(fails_on_two, {"a": [1]}, executor=object())
    with pytest.raises(ParameterError, match="both in fixed and in the grid"):
        sweep(fails_on_two, {"a": [1]}, fixed={"a": 2})
    with pytest.raises(ParameterError, match="callable"):
        sweep(3, {"a": [1]})


def test_sweep_of_the_fast_engine_is_monotone():
    """A real sweep: the output rate grows with the input weight; each point is the direct call's value."""
    rates = sweep(output_rate, {"I_tau_mem": [5e-12, 20e-12], "weight": [1.0, 2.0, 4.0]}, progress=False)
    r = np.array(rates).reshape(2, 3)
    assert np.all(np.diff(r, axis=1) >= 0) and np.all(r[:, 2] > r[:, 0])
    assert r[1, 1] == output_rate(I_tau_mem=20e-12, weight=2.0)


def test_dask_local_cluster():
    """A dask.distributed client's executor runs the same sweep (optional: needs dask[distributed])."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        out = sweep(slow_product, {"a": [0, 1, 2], "b": [3]}, executor=client.get_executor(), progress=False)
        assert out == [3, 13, 23]
        with pytest.raises(SweepPointError, match="'a': 2"):
            sweep(fails_on_two, {"a": [1, 2]}, executor=client.get_executor(), progress=False)


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({}, r"grid = \{\} has no parameter"),
        ({"a": []}, r"grid\['a'\] = \[\] has no value"),
        ({"a": [1, 2], "b": np.array([])}, r"grid\['b'\] = array\(\[\], dtype=float64\) has no value"),
        ([], r"grid = \[\] has no point"),
    ],
)
def test_an_empty_sweep_is_refused_and_nothing_runs(grid, match):
    calls = []
    with pytest.raises(ParameterError, match=match):
        sweep(lambda **kw: calls.append(kw), grid, progress=False)
    assert calls == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"progress": "no"}, "progress = 'no'"), ({"desc": 3}, "desc = 3"), ({"fixed": [1]}, r"fixed = \[1\]")],
)
def test_bad_sweep_options_are_named(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sweep(lambda a: a, {"a": [1]}, **kwargs)
