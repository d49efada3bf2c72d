"""The ngspice wrapper (dynapse_edu.spice) and the netlists of circuits/.

These tests run ngspice for real. In CI (``CI`` set) a missing ngspice is a
failure; elsewhere the tests skip with the install hint. The result cache is
a fresh temporary directory for the session, so every run simulates.
"""

from __future__ import annotations

import _thread
import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from dynapse_edu.errors import ParameterError
from dynapse_edu.spice import ngspice as spice

pytestmark = pytest.mark.usefixtures("ngspice")


def test_dc_sweep_returns_arrays_and_is_cached():
    first = spice.run("mosfet_tb-dc.cir")
    assert not first.cached
    vgs, i_n = first["v(gn)"], -first["i(vdsn)"]
    assert vgs.shape == i_n.shape and vgs.size == 501
    assert np.all(np.diff(i_n) > 0)  # Id grows with Vgs
    second = spice.run("mosfet_tb-dc.cir")
    assert second.cached and second.key == first.key
    np.testing.assert_array_equal(second["i(vdsn)"], first["i(vdsn)"])


def test_parameters_change_the_result_and_the_key():
    low = spice.run("mosfet_tb-dc.cir", {"vds": 0.5}, analysis="op")
    high = spice.run("mosfet_tb-dc.cir", {"vds": 0.9}, analysis="op")
    assert low.key != high.key
    assert low["v(dn)"][0] == pytest.approx(0.5) and high["v(dn)"][0] == pytest.approx(0.9)


def test_transient_of_the_dpi_testbench():
    res = spice.run("dpi_synapse_tb-pulse.cir", {"tstop": 0.03}, cache=False)
    t, i_syn = res["time"], res["i(vout)"]
    assert t[-1] == pytest.approx(0.03)
    before = i_syn[t < 0.0099]
    assert before.max() < 1e-12  # at rest: only the output's leakage
    assert i_syn.max() > 20 * before.max()  # the pulse at 10 ms charges the synapse


def test_missing_netlist_is_a_clear_error():
    with pytest.raises(spice.SpiceNetlistError, match="not found"):
        spice.run("no_such_block.cir")


def test_unknown_and_bad_parameters_are_clear_errors():
    with pytest.raises(ParameterError, match="has no parameter 'i_w'.*iw"):
        spice.run("dpi_synapse_tb-pulse.cir", {"i_w": 1e-9})
    with pytest.raises(ParameterError, match="must be finite"):
        spice.run("dpi_synapse_tb-pulse.cir", {"iw": float("inf")})
    with pytest.raises(ParameterError, match="must be a number"):
        spice.run("dpi_synapse_tb-pulse.cir", {"iw": "4n"})


def test_rejected_netlist_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad_model.cir"
    bad.write_text("* unknown model\nm1 d g 0 0 nosuchmodel w=1u l=1u\nvd d 0 1\nvg g 0 1\n.op\n.end\n")
    with pytest.raises(spice.SpiceNetlistError, match="rejected bad_model.cir"):
        spice.run(bad, cache=False)
    # the engine is still usable afterwards
    assert spice.run("mosfet_tb-dc.cir", analysis="op", cache=False)["v(gn)"][0] == pytest.approx(0.25)


def test_non_convergence_names_the_analysis_and_options(tmp_path):
    bad = tmp_path / "floating.cir"
    bad.write_text("* current into a capacitor only\ni1 0 n1 1m\nc1 n1 0 1p\n.tran 1u 10u\n.end\n")
    with pytest.raises(spice.SpiceConvergenceError, match=r"'\.tran 1u 10u' of floating.cir failed.*gmin"):
        spice.run(bad, cache=False)


def test_a_run_past_its_time_limit_is_stopped_with_a_clear_error():
    """A unit slip (tmax in ps instead of us) would run for minutes: the limit stops it, the engine stays usable."""
    start = time.monotonic()
    with pytest.raises(spice.SpiceTimeoutError, match=r"tran 1u 0\.2 0 2e-11.*timeout = 0\.5 s"):
        spice.run("dpi_synapse_tb-pulse.cir", analysis="tran 1u 0.2 0 2e-11", cache=False, timeout=0.5)
    assert time.monotonic() - start < 10
    assert spice.run("mosfet_tb-dc.cir", analysis="op", cache=False)["v(gn)"][0] == pytest.approx(0.25)


def test_an_interrupt_stops_ngspice_and_leaves_it_usable():
    """Ctrl-C in a notebook (KeyboardInterrupt in the main thread) stops the background analysis too."""
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            spice.run("dpi_synapse_tb-pulse.cir", analysis="tran 1u 0.2 0 2e-11", cache=False, timeout=60)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 10
    assert spice.run("mosfet_tb-dc.cir", analysis="op", cache=False)["v(gn)"][0] == pytest.approx(0.25)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), "10", True])
def test_a_bad_timeout_is_refused_naming_it(timeout):
    with pytest.raises(ParameterError, match=re.escape(f"timeout = {timeout!r}")):
        spice.run("mosfet_tb-dc.cir", analysis="op", cache=False, timeout=timeout)
    assert spice.check_timeout(float("inf")) is None and spice.check_timeout(None) is None


@pytest.mark.parametrize("damage", [b"not a zip file at all", b"PK\x03\x04 truncated", b""])
def test_a_corrupted_cache_entry_is_removed_and_simulated_again(damage):
    first = spice.run("mosfet_tb-dc.cir", {"vds": 0.7}, analysis="op")
    store = spice.cache_dir() / f"mosfet_tb-dc-{first.key}.npz"
    assert store.is_file()
    store.write_bytes(damage)
    with pytest.warns(RuntimeWarning, match="cannot be read.*removed, simulating again"):
        again = spice.run("mosfet_tb-dc.cir", {"vds": 0.7}, analysis="op")
    assert not again.cached and again.key == first.key
    np.testing.assert_array_equal(again["v(dn)"], first["v(dn)"])
    assert spice.run("mosfet_tb-dc.cir", {"vds": 0.7}, analysis="op").cached  # rewritten, readable


def test_missing_ngspice_library_says_how_to_install():
    """In a fresh process whose ngspice library cannot be found: a clear error with the install commands."""
    code = textwrap.dedent(
        """
        from dynapse_edu.spice import ngspice as spice
        assert not spice.available()
        try:
            spice.run("mosfet_tb-dc.cir", cache=False)
        except spice.SpiceNotAvailableError as exc:
            print(exc)
        """
    )
    env = {**os.environ, "NGSPICE_LIBRARY_PATH": "/nonexistent/libngspice.so"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "/nonexistent/libngspice.so" in out.stdout
    assert "apt-get install ngspice libngspice0 libngspice0-dev" in out.stdout


def test_spice_numbers():
    assert spice.spice_number("2p") == pytest.approx(2e-12)
    assert spice.spice_number("1meg") == pytest.approx(1e6)
    assert spice.spice_number("50u") == pytest.approx(5e-5)
    assert spice.spice_number("0.9") == pytest.approx(0.9)
    with pytest.raises(ValueError):
        spice.spice_number("{vdd}")


DEVICE = re.compile(r"^\s*[mcvieqrdx]\w*\s", re.IGNORECASE)


@pytest.mark.parametrize("path", sorted(spice.CIRCUITS_DIR.glob("*.cir")), ids=lambda p: p.name)
def test_netlists_use_relative_includes_and_comment_every_device(path):
    lines = path.read_text().splitlines()
    for line in lines:
        if line.lower().startswith(".include"):
            target = line.split()[1]
            assert not os.path.isabs(target), f"{path.name}: absolute include {target}"
            assert (path.parent / target).is_file()
    for k, line in enumerate(lines):
        if DEVICE.match(line):
            continued = k + 1 < len(lines) and lines[k + 1].startswith("+")
            comment = "$" in line or (continued and "$" in lines[k + 1])
            assert comment, f"{path.name}:{k + 1}: device without a comment: {line.strip()}"
