"""A thin wrapper over ngspice (through PySpice's shared-library mode).

The transistor-level netlists of the course live in ``circuits/`` (one stem
per block and testbench, e.g. ``dpi_synapse.cir`` and
``dpi_synapse_tb-pulse.cir``). :func:`run` loads one of them, overrides some
of its ``.param`` values, runs its analysis in ngspice and returns every
vector of the result as a numpy array (a :class:`SpiceResult`).

>>> from dynapse_edu import spice
>>> res = spice.run("mosfet_tb-dc.cir", {"vds": 0.9})   # doctest: +SKIP
>>> res.analysis, res["v(gn)"].shape                      # doctest: +SKIP
('.dc vgn 0 1 2m', (501,))

What the wrapper does, and why
------------------------------
* **Parameters.** Every knob of a netlist is a ``.param name = value`` line
  (SI units). ``params`` overrides them by name; an unknown name, or a value
  that is not a finite number, raises :class:`~dynapse_edu.errors.ParameterError`
  listing the known names.
* **Includes.** ``.include`` lines are relative to the including file (never
  absolute in the netlists); the wrapper inlines them, so the text handed to
  ngspice is self-contained and its hash covers the model card too.
* **Caching.** Results are stored on disk as ``.npz`` keyed by the SHA-256 of
  the final netlist text, the analysis and the ngspice version. The cache
  directory is ``$DYNAPSE_SPICE_CACHE`` or ``~/.cache/dynapse_edu/spice``;
  ``cache=False`` bypasses it (tests use a fresh directory per session).
* **Robustness.** ngspice runs with one thread (``set num_threads=1``: with
  its default of 2 OpenMP threads a 0.1 s BSIM neuron run took 11 s instead
  of 1.4 s on a busy 2-core machine) in a temporary working directory (BSIM writes check logs into
  the current directory). PySpice treats any stderr line as an error, but
  ngspice prints harmless notes and BSIM parameter warnings there, so the
  wrapper reads the output itself and tells real failures (no result plot,
  "timestep too small", "singular matrix", "gmin/source stepping failed")
  from noise. It loads the netlist and reads the vectors through ngspice's
  own C API (``ngSpice_Circ``, ``ngSpice_Command``, ``ngGet_Vec_Info``), with
  PySpice's declarations of it.
* **Time limit.** The analysis runs in ngspice's background thread (``bg_run``); the
  wrapper waits for it at most ``timeout`` seconds (:data:`DEFAULT_TIMEOUT`), then stops it
  with ``bg_halt`` and raises :class:`SpiceTimeoutError` (a Ctrl-C stops it the same way).
* **Self-repair.** A cache entry that cannot be read (a truncated or corrupted ``.npz``) is
  removed with a warning and the netlist is simulated again.
* **Optional.** PySpice is imported when the first netlist runs (or
  :func:`available` is asked), never by ``import dynapse_edu``.

Errors
------
:class:`SpiceNotAvailableError` when PySpice or the ngspice shared library is
missing (with the install commands), :class:`SpiceNetlistError` when ngspice
rejects the netlist, :class:`SpiceConvergenceError` when an analysis fails
(naming the analysis and the options to try), :class:`SpiceTimeoutError` when it
runs past its time limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import math
import os
import re
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DynapseError, ParameterError

#: The folder holding the netlists: ``circuits/`` at the top of the repository, which the package
#: carries as ``dynapse_edu.circuits`` (``pyproject.toml``), found through importlib.resources in a
#: clone and in an installed wheel alike.
#:
#: :meta hide-value:
CIRCUITS_DIR: Path = Path(str(resources.files("dynapse_edu.circuits")))

#: How to install ngspice, said by every error that finds it missing.
INSTALL_HINT = (
    "ngspice is needed for the transistor-level runs: on Debian/Ubuntu "
    "`sudo apt-get install ngspice libngspice0 libngspice0-dev` (the -dev package provides the "
    "libngspice.so that PySpice loads), and `pip install 'dynapse-edu[spice]'` (PySpice 1.5)"
)


class SpiceError(DynapseError):
    """Base class of the errors of the ngspice wrapper."""


class SpiceNotAvailableError(SpiceError, RuntimeError):
    """PySpice or the ngspice shared library is missing; the message says how to install them."""


class SpiceNetlistError(SpiceError, ValueError):
    """The netlist cannot be read or ngspice rejects it."""


class SpiceConvergenceError(SpiceError, RuntimeError):
    """An analysis did not converge (or produced no result)."""


class SpiceTimeoutError(SpiceError, TimeoutError):
    """An analysis ran longer than its time limit (``run(..., timeout=...)``) and was stopped."""


#: Default time limit of one ngspice analysis, s (:func:`run`). The longest runs of the course (a BSIM
#: neuron over 1 s of simulated time) take about 15 s on a busy 2-core machine; a unit slip (``tmax`` in
#: ps instead of us) runs for many minutes: the limit stops it with a clear error instead.
DEFAULT_TIMEOUT = 120.0
#: How often the wrapper looks at the clock while a background analysis runs, s.
_POLL = 0.02
#: Set by ngspice's background thread when it exits (through the callback of :func:`_engine`).
_BG_EXITED = threading.Event()


@dataclass
class SpiceResult:
    """The vectors of one ngspice analysis, by lower-case name (``"time"``, ``"v(vsyn)"``, ``"i(vmeas)"``).

    Index it like a dict: ``res["v(vsyn)"]`` is a float array (V, A, s...).
    ``analysis`` is the analysis line that ran, ``cached`` tells whether the
    arrays came from the disk cache, ``key`` is the cache key.
    """

    vectors: dict[str, np.ndarray]
    analysis: str
    key: str
    cached: bool = False
    params: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.vectors[name.lower()]
        except KeyError:
            raise KeyError(f"no vector {name!r} in the result; vectors: {', '.join(sorted(self.vectors))}") from None

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.vectors

    @property
    def names(self) -> list[str]:
        """Names of all vectors, sorted."""
        return sorted(self.vectors)


# --- netlist text -----------------------------------------------------------
_PARAM_RE = re.compile(r"^\s*\.param\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)(.*)$", re.IGNORECASE)
_INCLUDE_RE = re.compile(r"^\s*\.include\s+[\"']?([^\"'\s]+)[\"']?\s*$", re.IGNORECASE)
_ANALYSIS_RE = re.compile(r"^\s*\.(tran|dc|op|ac)\b", re.IGNORECASE)


def netlist_path(name: str | os.PathLike[str]) -> Path:
    """A netlist by file name in ``circuits/`` or by path; clear error if it does not exist."""
    path = Path(name)
    candidates = [path] if path.is_absolute() else [CIRCUITS_DIR / path, path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    known = sorted(p.name for p in CIRCUITS_DIR.glob("*.cir")) if CIRCUITS_DIR.is_dir() else []
    raise SpiceNetlistError(f"netlist {str(name)!r} not found in {CIRCUITS_DIR} or as a path; netlists: {known}")


def _inline(path: Path, depth: int = 0) -> list[str]:
    if depth > 8:
        raise SpiceNetlistError(f"{path}: .include nested more than 8 levels deep")
    lines = []
    for line in path.read_text().splitlines():
        match = _INCLUDE_RE.match(line)
        if match:
            target = (path.parent / match.group(1)).resolve()
            if not target.is_file():
                raise SpiceNetlistError(f"{path.name}: included file {match.group(1)!r} not found (looked at {target})")
            lines.append(f"* --- begin {match.group(1)} ---")
            lines.extend(_inline(target, depth + 1))
            lines.append(f"* --- end {match.group(1)} ---")
        else:
            lines.append(line)
    return lines


_SUFFIX = {"t": 1e12, "g": 1e9, "meg": 1e6, "k": 1e3, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_NUMBER_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(meg|[tgkmunpf])?[a-z]*$", re.IGNORECASE)


def spice_number(text: str) -> float:
    """A SPICE number with its scale suffix as a float: ``"2p"`` -> 2e-12, ``"1meg"`` -> 1e6."""
    match = _NUMBER_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a SPICE number: {text!r}")
    return float(match.group(1)) * _SUFFIX.get((match.group(2) or "").lower(), 1.0)


def netlist_params(name: str | os.PathLike[str]) -> dict[str, float | str]:
    """The ``.param`` defaults of a netlist (its own and its includes'), by lower-case name.

    Reads the text only (no ngspice needed).

    Parameters
    ----------
    name : str or path
        File name in ``circuits/`` or a path.

    Returns
    -------
    dict
        Values as floats in SI units (SPICE suffixes applied, :func:`spice_number`); an
        expression that is not a number (``{vdd/2}``) stays a string.

    Raises
    ------
    SpiceNetlistError
        If the netlist (or an included file) does not exist.

    Examples
    --------
    >>> values = netlist_params("dpi_synapse_tb-pulse.cir")
    >>> values["iw"], values["csyn"], round(values["tpulse"], 12)  # A, F, s
    (1e-08, 2e-12, 5e-05)
    """
    out: dict[str, float | str] = {}
    for line in _inline(netlist_path(name)):
        match = _PARAM_RE.match(line)
        if match:
            value = match.group(2)
            try:
                out[match.group(1).lower()] = spice_number(value)
            except ValueError:
                out[match.group(1).lower()] = value
    return out


def netlist_text(
    name: str | os.PathLike[str], params: Mapping[str, float] | None = None, analysis: str | None = None
) -> str:
    """The final netlist: includes inlined, ``.param`` values overridden, analysis line replaced.

    ``params`` maps ``.param`` names (case-insensitive) to finite numbers in SI
    units. ``analysis`` (e.g. ``"tran 10u 0.2 0 50u"``) replaces the
    netlist's own ``.tran``/``.dc``/``.op``/``.ac`` line.
    """
    path = netlist_path(name)
    lines = _inline(path)
    known = {m.group(1).lower() for m in map(_PARAM_RE.match, lines) if m}
    overrides: dict[str, float] = {}
    for key, value in (params or {}).items():
        if key.lower() not in known:
            raise ParameterError(f"{path.name} has no parameter {key!r}; its parameters: {', '.join(sorted(known))}")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise ParameterError(f"parameter {key} = {value!r} of {path.name} must be a number (SI units)")
        if not math.isfinite(float(value)):
            raise ParameterError(f"parameter {key} = {value!r} of {path.name} must be finite")
        overrides[key.lower()] = float(value)
    out = []
    for line in lines:
        match = _PARAM_RE.match(line)
        if match and match.group(1).lower() in overrides:
            line = f".param {match.group(1)} = {overrides[match.group(1).lower()]:.10g}{match.group(3)}"
        elif analysis is not None and _ANALYSIS_RE.match(line):
            continue
        if line.strip().lower() == ".end" and analysis is not None:
            out.append("." + analysis.strip().lstrip("."))
        out.append(line)
    if not any(line.strip().lower() == ".end" for line in out):
        raise SpiceNetlistError(f"{path.name}: missing the final .end line")
    return "\n".join(out) + "\n"


# --- the ngspice engine -------------------------------------------------------
_LOCK = threading.RLock()


@dataclass(frozen=True)
class _Session:
    """The loaded ngspice: PySpice's wrapper, the library's C API and cffi's helpers."""

    engine: Any  # PySpice's NgSpiceShared: output capture, version
    lib: Any  # the C functions of libngspice (ngSpice_Circ, ngSpice_Command, ...)
    ffi: Any  # PySpice's cffi FFI, which declares them
    version: str
    #: True if ngspice reports the end of its background thread to us (:data:`_BG_EXITED`)
    background: bool = True


_SESSION: _Session | None = None

#: Output lines that mean an analysis failed (ngspice 39 wording, lower case).
FAILURE_PATTERNS: tuple[str, ...] = (
    "timestep too small",
    "singular matrix",
    "gmin stepping failed",
    "source stepping failed",
    "iteration limit reached",
    "simulation(s) aborted",
    "no convergence",
    "too many iterations without convergence",
)
#: Output lines that mean ngspice rejected the netlist.
NETLIST_PATTERNS: tuple[str, ...] = (
    "error on line",
    "unknown subckt",
    "could not find",
    "unable to find definition of model",
    "unknown parameter",
    "syntax error",
    "error: circuit not parsed",
    "no such vector",
    "undefined parameter",
)


def _library() -> str | None:
    """The ngspice shared library PySpice will load, if the system can load it (else None)."""
    path = os.environ.get("NGSPICE_LIBRARY_PATH", "libngspice.so")
    try:
        ctypes.CDLL(path)
    except OSError:
        return None
    return path


def _engine() -> _Session:
    """The one shared ngspice instance of this process (loaded on first use)."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    try:  # PySpice is optional (dynapse-edu[spice]) and loads a C library: imported on first use only
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi
    except ImportError as exc:
        raise SpiceNotAvailableError(f"PySpice is not installed ({exc}). {INSTALL_HINT}") from None
    if _library() is None:
        wanted = os.environ.get("NGSPICE_LIBRARY_PATH", "libngspice.so")
        raise SpiceNotAvailableError(f"the ngspice shared library {wanted!r} cannot be loaded. {INSTALL_HINT}")
    # PySpice logs every stderr line of ngspice as an error, and warns about
    # the (working) ngspice 39: we judge the output ourselves.
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)
    class _Shared(NgSpiceShared):
        """PySpice's wrapper whose background-thread callback returns the int ngspice's C API expects.

        PySpice's own returns None, which cffi reports as an error on every ``bg_run``. ngspice calls it
        with False when its background thread starts and True when it has exited (whatever PySpice
        names the argument): the exit is what :func:`_run_with_deadline` waits for.
        """

        @staticmethod
        def _background_thread_running(exited: bool, ngspice_id: int, user_data: Any) -> int:
            if exited:
                _BG_EXITED.set()
            return 0

    try:
        engine = _Shared.new_instance()
        # the C API of the library PySpice has just loaded and initialised (opening a loaded library again
        # gives the same one), through PySpice's declarations of it
        lib = ffi.dlopen(engine.library_path)
    except Exception as exc:  # cffi and PySpice raise OSError, NameError or CDefError here
        raise SpiceNotAvailableError(f"cannot load the ngspice shared library ({exc}). {INSTALL_HINT}") from None
    # an instance made before by PySpice itself (another library in this process) lacks our callback:
    # its analyses then run in the foreground, without a time limit
    session = _Session(engine, lib, ffi, str(engine.ngspice_version), background=isinstance(engine, _Shared))
    _command(session, "set num_threads=1")
    _SESSION = session
    return session


def available() -> bool:
    """Whether PySpice and the ngspice shared library can be loaded (loads them if so).

    Returns
    -------
    bool
        True when :func:`run` can simulate; otherwise :func:`run` raises
        :class:`SpiceNotAvailableError` with the install commands (:data:`INSTALL_HINT`).

    Examples
    --------
    >>> available() in (True, False)
    True
    """
    try:
        _engine()
    except SpiceNotAvailableError:
        return False
    return True


def ngspice_version() -> str:
    """Version of the loaded ngspice (loads it if needed)."""
    return _engine().version


def _output(session: _Session) -> list[str]:
    """The lines ngspice printed (stdout, then stderr) since the last ``clear_output``."""
    return session.engine.stdout.splitlines() + session.engine.stderr.splitlines()


def _command(session: _Session, command: str) -> list[str]:
    session.engine.clear_output()
    rc = session.lib.ngSpice_Command(command.encode("ascii"))
    if rc:
        raise SpiceError(f"ngspice command {command!r} returned {rc}: {_tail(_output(session))}")
    return _output(session)


def _tail(lines: list[str], n: int = 12) -> str:
    text = [line.strip() for line in lines if line.strip()]
    return " | ".join(text[-n:])


@contextlib.contextmanager
def _in_tempdir() -> Iterator[None]:
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="dynapse_spice_") as tmp:
        os.chdir(tmp)
        try:
            yield
        finally:
            os.chdir(old)


def _vector_name(raw: str) -> str:
    """ngspice's raw vector name in the usual form: ``vsyn`` -> ``v(vsyn)``, ``vm#branch`` -> ``i(vm)``."""
    name = raw.lower()
    if name.endswith("#branch"):
        return f"i({name[:-7]})"
    if name in ("time", "frequency"):
        return name
    if name in ("v-sweep", "i-sweep", "temp-sweep", "res-sweep"):
        return "sweep"
    if name.startswith(("v(", "i(", "@")):
        return name
    return f"v({name})"


def _vectors(session: _Session, plot: str) -> dict[str, np.ndarray]:
    lib, ffi = session.lib, session.ffi
    names_c = lib.ngSpice_AllVecs(plot.encode("utf8"))
    out: dict[str, np.ndarray] = {}
    i = 0
    while names_c[i] != ffi.NULL:
        name = ffi.string(names_c[i]).decode("utf8")
        info = lib.ngGet_Vec_Info(f"{plot}.{name}".encode())
        length = info.v_length
        if info.v_realdata != ffi.NULL:
            data = np.frombuffer(ffi.buffer(info.v_realdata, length * 8), dtype=np.float64).copy()
        else:  # complex vector (AC analysis): keep the real part's companion as complex
            raw = np.frombuffer(ffi.buffer(info.v_compdata, length * 16), dtype=np.float64).copy()
            data = raw[0::2] + 1j * raw[1::2]
        out[_vector_name(name)] = data
        i += 1
    return out


def _halt(session: _Session) -> None:
    """Stop a background analysis and wait (a few seconds at most) until ngspice's thread has exited."""
    session.lib.ngSpice_Command(b"bg_halt")
    _BG_EXITED.wait(10.0)
    for command in ("destroy all", "remcirc"):
        with contextlib.suppress(SpiceError):
            _command(session, command)


def _run_with_deadline(session: _Session, label: str, analysis: str, timeout: float | None) -> list[str]:
    """Run the loaded circuit in ngspice's background thread, at most ``timeout`` s; its output lines."""
    if not session.background:
        return _command(session, "run")
    session.engine.clear_output()
    _BG_EXITED.clear()
    rc = session.lib.ngSpice_Command(b"bg_run")
    if rc:
        raise SpiceError(f"ngspice command 'bg_run' returned {rc}: {_tail(_output(session))}")
    start = time.monotonic()
    try:
        while not _BG_EXITED.wait(_POLL):  # short waits: a Ctrl-C gets through
            if timeout is not None and time.monotonic() - start > timeout:
                _halt(session)
                raise SpiceTimeoutError(
                    f"ngspice analysis '{analysis}' of {label} ran longer than timeout = {timeout:g} s and was "
                    "stopped. Check the time step and tmax of the .tran line (a tmax in ps instead of us makes "
                    "ngspice take millions of steps), or pass a larger timeout (timeout=None: no limit)"
                )
    except KeyboardInterrupt:  # Ctrl-C in a notebook: stop ngspice too, then let the interrupt through
        _halt(session)
        raise
    return _output(session)


def _simulate(text: str, label: str, timeout: float | None = DEFAULT_TIMEOUT) -> tuple[dict[str, np.ndarray], str]:
    analysis = next((line.strip() for line in text.splitlines() if _ANALYSIS_RE.match(line)), "")
    if not analysis:
        raise SpiceNetlistError(f"{label}: no analysis line (.tran, .dc, .op or .ac) in the netlist")
    session = _engine()
    ffi = session.ffi
    with _LOCK, _in_tempdir():
        lines = [line for line in text.splitlines() if line.strip()] + [""]
        keep = [ffi.new("char[]", line.encode("utf8")) for line in lines] + [ffi.NULL]
        session.engine.clear_output()
        rc = session.lib.ngSpice_Circ(ffi.new("char *[]", keep))
        loaded = _output(session)
        bad = [line for line in loaded if any(p in line.lower() for p in NETLIST_PATTERNS)]
        if rc or bad:
            with contextlib.suppress(SpiceError):
                _command(session, "remcirc")
            raise SpiceNetlistError(f"ngspice rejected {label}: {_tail(bad or loaded)}")
        before = ffi.string(session.lib.ngSpice_CurPlot()).decode()
        run_out = _run_with_deadline(session, label, analysis, timeout)
        plot = ffi.string(session.lib.ngSpice_CurPlot()).decode()
        failed = [line for line in run_out if any(p in line.lower() for p in FAILURE_PATTERNS)]
        if failed or plot == before or plot == "const":
            with contextlib.suppress(SpiceError):
                _command(session, "destroy all")
                _command(session, "remcirc")
            raise SpiceConvergenceError(
                f"ngspice analysis '{analysis}' of {label} failed: {_tail(failed or run_out)}. "
                "Options to try in the netlist's .options line: a smaller tmax (4th .tran argument), "
                "method=gear, gmin=1e-16 with abstol=1e-15 for pA currents, larger itl1/itl4, "
                "or initial conditions (.ic) on floating nodes."
            )
        vectors = _vectors(session, plot)
        _command(session, "destroy all")
        _command(session, "remcirc")
    return vectors, analysis


# --- cache and public entry point --------------------------------------------
def cache_dir() -> Path:
    """The result cache: ``$DYNAPSE_SPICE_CACHE`` or ``~/.cache/dynapse_edu/spice``."""
    env = os.environ.get("DYNAPSE_SPICE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "dynapse_edu" / "spice"


def check_timeout(timeout: float | None) -> float | None:
    """A time limit in s, checked: None (no limit) or a number > 0 (inf allowed, meaning no limit).

    Parameters
    ----------
    timeout : float or None
        Seconds.

    Returns
    -------
    float or None
        The limit, None for none.

    Raises
    ------
    ParameterError
        For a value that is not a positive number of seconds (or None).

    Examples
    --------
    >>> check_timeout(30), check_timeout(None)
    (30.0, None)
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float, np.integer, np.floating)):
        raise ParameterError(f"timeout = {timeout!r} must be a number of seconds > 0, or None for no limit")
    value = float(timeout)
    if math.isnan(value) or value <= 0:
        raise ParameterError(f"timeout = {timeout!r} s is outside the allowed range (0, inf] s (None: no limit)")
    return None if math.isinf(value) else value


def _read_cache(store: Path, key: str, used: dict[str, float]) -> SpiceResult | None:
    """The cached result in ``store``, or None if there is none; a damaged entry is removed with a warning."""
    if not store.is_file():
        return None
    try:
        with np.load(store, allow_pickle=False) as npz:
            names = [str(n) for n in npz["names"]]
            vectors = {n: np.asarray(npz[f"v{k}"]) for k, n in enumerate(names)}
            return SpiceResult(vectors, str(npz["analysis"]), key, cached=True, params=used)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as exc:
        warnings.warn(
            f"the SPICE cache entry {store} cannot be read ({type(exc).__name__}: {exc}); removed, simulating again",
            RuntimeWarning,
            stacklevel=3,
        )
        with contextlib.suppress(OSError):
            store.unlink()
        return None


def run(
    netlist: str | os.PathLike[str],
    params: Mapping[str, float] | None = None,
    analysis: str | None = None,
    cache: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> SpiceResult:
    """Run a netlist of ``circuits/`` (or a path) in ngspice and return its vectors.

    Parameters
    ----------
    netlist : str or path
        File name in ``circuits/`` (``"dpi_synapse_tb-pulse.cir"``) or a path.
    params : dict, optional
        Overrides of the netlist's ``.param`` values by name (case-insensitive), SI units
        (A, V, F, s); the defaults are :func:`netlist_params`.
    analysis : str, optional
        Replaces the netlist's analysis line, e.g. ``"tran 10u 0.2 0 50u"`` or ``"op"``.
    cache : bool
        Read and write the on-disk cache (:func:`cache_dir`), keyed by the final netlist
        text and the ngspice version. An entry that cannot be read is removed (with a
        ``RuntimeWarning``) and the netlist simulated again.
    timeout : float or None
        Time limit of the analysis in s (wall clock), default :data:`DEFAULT_TIMEOUT`; None for none.

    Returns
    -------
    SpiceResult
        Every vector of the analysis by lower-case name (``"time"`` in s, ``"v(node)"`` in V,
        ``"i(vsource)"`` in A), as float arrays.

    Raises
    ------
    SpiceNotAvailableError
        Without PySpice or the ngspice library (with the install commands).
    SpiceNetlistError
        When the netlist is missing or ngspice rejects it.
    SpiceConvergenceError
        When the analysis fails (naming it and the options to try).
    SpiceTimeoutError
        When the analysis runs longer than ``timeout`` (it is stopped first).
    ParameterError
        For an unknown parameter name, a value that is not a finite number, or a bad ``timeout``.

    Examples
    --------
    The transistor testbench's DC sweep (a fraction of a second, then cached): an nFET's drain
    current at Vgs = 0.2 V, in weak inversion:

    >>> res = run("mosfet_tb-dc.cir")  # doctest: +SKIP
    >>> k = int(np.argmin(np.abs(res["v(gn)"] - 0.2)))  # doctest: +SKIP
    >>> round(float(-res["i(vdsn)"][k]) * 1e12, 1)  # pA  # doctest: +SKIP
    120.1
    >>> run("mosfet_tb-dc.cir", {"vds": 0.5}, analysis="op")["v(dn)"]  # doctest: +SKIP
    array([0.5])
    """
    limit = check_timeout(timeout)
    path = netlist_path(netlist)
    text = netlist_text(path, params, analysis)
    version = _engine().version
    key = hashlib.sha256(f"{version}\n{text}".encode()).hexdigest()[:24]
    used = {k.lower(): float(v) for k, v in (params or {}).items()}
    store = cache_dir() / f"{path.stem}-{key}.npz"
    cached = _read_cache(store, key, used) if cache else None
    if cached is not None:
        return cached
    vectors, ran = _simulate(text, path.name, limit)
    if cache:
        store.parent.mkdir(parents=True, exist_ok=True)
        names = list(vectors)
        tmp = store.with_suffix(f".{os.getpid()}.tmp.npz")
        arrays = {f"v{k}": vectors[n] for k, n in enumerate(names)}
        np.savez(tmp, names=np.array(names), analysis=np.array(ran), **arrays)
        os.replace(tmp, store)
    return SpiceResult(vectors, ran, key, cached=False, params=used)


__all__ = [
    "CIRCUITS_DIR",
    "INSTALL_HINT",
    "SpiceError",
    "SpiceNotAvailableError",
    "SpiceNetlistError",
    "SpiceConvergenceError",
    "SpiceTimeoutError",
    "SpiceResult",
    "DEFAULT_TIMEOUT",
    "check_timeout",
    "available",
    "ngspice_version",
    "netlist_path",
    "netlist_params",
    "spice_number",
    "netlist_text",
    "cache_dir",
    "run",
]
