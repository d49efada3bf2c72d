"""Two source trees of dynapse_edu timed in one session, alternately: speed as a ratio (new / old).

Our machines are shared and their speed varies by up to 2x from week to week, so a change is
judged by a ratio measured in one run: each round times the old tree, then the new one (then the
old one first again next round), each in fresh processes that run that tree's own benchmark
scripts, and the script prints the median of each figure and the ratio new / old.

Usage::

    git worktree add /tmp/old <commit>          # the tree to compare with
    (cd /tmp/old && PYTHONPATH=/tmp/old python -m dynapse_edu.fast)   # compile its kernels once
    python benchmarks/ab_compare.py --old /tmp/old --new . --rounds 3

Figures: the fast engine on the full chip (warm wall and CPU time, best of runs 2-3 of a process;
the whole process with the compiled code on disk; max RSS), on a board of 4 chips (warm wall), and
the reference integrator on the part-1 case (best of 3) and one core (256 neurons, 1 s). Both trees
run with the same Python (``sys.executable``) and the same workload file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOAD = HERE.parent / "tests" / "data" / "fullchip_example.npz"


def run(tree: Path, args: list[str]) -> tuple[str, float]:
    """Run a command with ``tree`` first on the import path; its output and its wall time."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, check=True)
    return done.stdout, time.perf_counter() - start


def fast_chip(tree: Path, chips: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        repeat = "3" if chips == 1 else "2"
        _, total = run(tree, ["benchmarks/full_chip.py", "--workload", str(WORKLOAD), "--chips", str(chips),
                              "--repeat", repeat, "--check-core", "0", "--no-part1", "--json", str(out)])
        figures = json.loads(out.read_text())
    warm = slice(1, None)
    return {"warm_wall_s": min(figures["run_s"][warm]), "warm_cpu_s": min(figures["run_cpu_s"][warm]),
            "process_s": total, "max_rss_mb": figures["max_rss_mb"],
            "spikes": figures["total_output_spikes"]}


def reference(tree: Path) -> dict[str, float]:
    text, _ = run(tree, ["benchmarks/reference_integrator.py", "--repeat", "3"])
    part1 = float(re.search(r"best of 3: ([\d.]+) s wall", text).group(1))
    core = float(re.search(r"run ([\d.]+) s wall", text).group(1))
    return {"part1_s": part1, "core_s": core}


def measure(tree: Path) -> dict[str, float]:
    chip = fast_chip(tree, 1)
    board = fast_chip(tree, 4)
    return {
        "chip_warm_wall_s": chip["warm_wall_s"], "chip_warm_cpu_s": chip["warm_cpu_s"],
        "chip_process_s": chip["process_s"], "chip_max_rss_mb": chip["max_rss_mb"],
        "board_warm_wall_s": board["warm_wall_s"], "board_max_rss_mb": board["max_rss_mb"],
        **reference(tree), "chip_spikes": chip["spikes"],
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True, type=Path, help="the tree to compare with")
    ap.add_argument("--new", default=HERE.parent, type=Path, help="the tree under test (default: this one)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", help="write every measurement to this file")
    args = ap.parse_args(argv)
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    rows: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    loads = [os.getloadavg()[0]]
    for k in range(args.rounds):
        for name in (("old", "new") if k % 2 == 0 else ("new", "old")):
            rows[name].append(measure(trees[name]))
            loads.append(os.getloadavg()[0])
            print(f"round {k + 1} {name}: " + ", ".join(f"{key} {v:.3g}" for key, v in rows[name][-1].items()),
                  flush=True)
    print(f"\n{os.cpu_count()} cores, 1-minute load average {min(loads):.1f}-{max(loads):.1f} during the runs")
    print(f"{'figure':<20} {'old (median)':>13} {'new (median)':>13} {'new / old':>10}")
    summary = {}
    for key in rows["old"][0]:
        old = statistics.median(r[key] for r in rows["old"])
        new = statistics.median(r[key] for r in rows["new"])
        summary[key] = {"old": old, "new": new, "ratio": new / old}
        print(f"{key:<20} {old:>13.4g} {new:>13.4g} {new / old:>10.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "summary": summary, "loads": loads}, indent=1))
    return summary


if __name__ == "__main__":
    main()
