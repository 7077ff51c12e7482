"""Benchmark of a C++ stand-in GPU (a prototype, benchmarks/standin_cpp/) against today's Python one.

Times single operators on 4 x 5 tensors (20,000 calls each, the mean of the fastest of --rounds):
on the CPU, on the Python stand-in (sandbox/runtime/standin.py, inside `standin.on()`), and on the
prototype built twice with `torch.utils.cpp_extension.load` (needs a C++ compiler and ninja; about
a minute each): once with ATen's `cpu_fallback` (copies), once with its zero-copy fallback. Each
setup runs in a fresh interpreter (a process has one PrivateUse1 backend). The prototype is for
measurement only; d2lcoach does not use it. No assertions on time.

    python benchmarks/bench_standin_cpp.py [--rounds 3] [--build DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TIME = r"""
import json, sys, time
import torch
setup, source, build = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(sys.argv[4])


def timed(f, n=20000):
    f()
    best = None
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            f()
        seconds = (time.perf_counter() - start) / n * 1e6
        best = seconds if best is None else min(best, seconds)
    return best


a, b = torch.randn(4, 5), torch.randn(4, 5)
figures = {}
if setup == "cpu":
    x, y = a, b
    on = None
elif setup == "python":
    sys.path.insert(0, source)
    import standin
    standin.warm()
    on = standin.on()
    on.__enter__()
    x, y = standin.place(a), standin.place(b)
else:
    one = torch.ones((), requires_grad=True)
    (one * 2).backward()  # autograd's device threads sized before the backend exists, as standin.py does
    from torch.utils.cpp_extension import load
    flags = ["-O2"] + (["-DSTANDIN_COPY_FALLBACK"] if setup == "cpp-copy" else [])
    load(name="standin_" + setup.replace("-", "_"), sources=[source], build_directory=build, extra_cflags=flags)
    torch.utils.rename_privateuse1_backend("npu")
    torch.utils.generate_methods_for_privateuse1_backend()
    from torch.utils.backend_registration import _DummyBackendModule
    torch._register_device_module("npu", _DummyBackendModule())
    x, y = a.to("npu"), b.to("npu")
    assert x.device.type == "npu" and torch.equal((x + y).cpu(), a + b)
figures["a + b"] = timed(lambda: x + y)
figures["a.neg()"] = timed(lambda: x.neg())
figures["a.view(20)"] = timed(lambda: x.view(20))
figures["a.sum()"] = timed(lambda: x.sum())
print(json.dumps(figures))
"""


def run(setup: str, source: Path, build: Path, rounds: int) -> dict | str:
    done = subprocess.run([sys.executable, "-c", _TIME, setup, str(source), str(build), str(rounds)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit {done.returncode}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build", type=Path, help="where the extension is built (default: a fresh folder)")
    args = parser.parse_args(argv)
    build = args.build or Path(tempfile.mkdtemp(prefix="d2lcoach-standin-cpp-"))
    cpp = ROOT / "benchmarks" / "standin_cpp" / "standin_ext.cpp"
    setups = {"cpu": ("CPU", cpp), "python": ("Python stand-in", ROOT / "d2lcoach" / "sandbox" / "runtime"),
              "cpp-copy": ("C++, cpu_fallback", cpp), "cpp": ("C++, zero-copy", cpp)}
    results = {}
    for setup, (label, source) in setups.items():
        folder = build / setup
        folder.mkdir(parents=True, exist_ok=True)
        results[label] = run(setup, source, folder, args.rounds)
    print(f"microseconds per call, 4 x 5 float32 tensors, fastest of {args.rounds} rounds of 20,000")
    labels = list(results)
    print(f"{'operator':<14}" + "".join(f"{label:>20}" for label in labels))
    for op in ("a + b", "a.neg()", "a.view(20)", "a.sum()"):
        print(f"{op:<14}" + "".join(f"{results[label][op]:>20.2f}" if isinstance(results[label], dict)
                                     else f"{'-':>20}" for label in labels))
    for label, result in results.items():
        if not isinstance(result, dict):
            print(f"{label}: not measured: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
