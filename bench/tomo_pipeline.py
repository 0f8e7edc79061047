#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end throughput of `beamkit recon` (read / prep / recon / write split, slices per second, peak
memory against --memory-limit) on a synthetic Data Exchange scan.

    bench/tomo_pipeline.py generate /big/disk/synth.h5 [--size 2048] [--angles 1500] [--dtype uint16]
    bench/tomo_pipeline.py run /big/disk/synth.h5 --slices 1000:1128 --memory-limit 4G [--repeat 3]

`generate` writes /exchange/data [angles][slices][size] as counts I0 exp(-p) of an analytic phantom
(2-D Shepp-Logan ellipses extruded along the slices with a slow modulation, so every slice differs),
10 flats and 10 darks, theta in degrees. It checks the free disk space first and refuses to write a
file that would leave less than 10 GB free. float32 needs 4 bytes a value (25 GB at full size),
uint16 2 (12.6 GB). `run` calls the CLI with each configuration given and prints one table row each
from the CLI's `timing:` line (ru_maxrss is the peak resident set of the CLI process).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def shepp_logan_projections(theta, n):
    """Analytic parallel projections [angles][n] of the modified Shepp-Logan phantom on [-1, 1]^2
    (TomoPy's convention of s), in pixel units (value x path length in pixels)."""
    # (value, a, b, x0, y0, phi deg)
    E = [(1.0, .69, .92, 0, 0, 0), (-.8, .6624, .874, 0, -.0184, 0), (-.2, .11, .31, .22, 0, -18),
         (-.2, .16, .41, -.22, 0, 18), (.1, .21, .25, 0, .35, 0), (.1, .046, .046, 0, .1, 0),
         (.1, .046, .046, 0, -.1, 0), (.1, .046, .023, -.08, -.605, 0), (.1, .023, .023, 0, -.606, 0),
         (.1, .023, .046, .06, -.605, 0)]
    s = (np.arange(n) + 0.5 - n / 2) / (n / 2)  # detector coordinate in phantom units
    p = np.zeros((len(theta), n))
    for v, a, b, x0, y0, phi in E:
        ph = np.radians(phi)
        t = theta[:, None] + ph  # direction of s is at angle -theta (s = x cos - y sin)
        r2 = (a * np.cos(t)) ** 2 + (b * np.sin(t)) ** 2
        s0 = x0 * np.cos(theta[:, None]) - y0 * np.sin(theta[:, None])
        d = s[None, :] - s0
        inside = d * d < r2
        p += np.where(inside, 2 * v * a * b * np.sqrt(np.clip(r2 - d * d, 0, None)) / r2, 0)
    return p * (n / 2)  # to pixel units


def generate(args):
    import h5py

    n, P, S = args.size, args.angles, args.slices or args.size
    itemsize = 2 if args.dtype == "uint16" else 4
    need = (P + 20) * S * n * itemsize
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(args.output)) or ".").free
    print(f"dataset {P} x {S} x {n} {args.dtype}: {need / 1e9:.1f} GB; free disk {free / 1e9:.1f} GB")
    if need + 10e9 > free:
        sys.exit(f"not enough disk: {need / 1e9:.1f} GB needed + 10 GB margin, {free / 1e9:.1f} GB free "
                 "(use --dtype uint16 or fewer --slices)")
    theta = np.linspace(0, np.pi, P, endpoint=False)
    p2d = shepp_logan_projections(theta, n) * (0.002 * 2048 / n)  # at most ~2 through the middle: no starvation
    z = np.arange(S)
    f = (1 + 0.3 * np.sin(2 * np.pi * z / S * 3))[:, None]  # slow modulation along the slices
    I0, dark = 30000.0, 100.0
    dt = np.uint16 if args.dtype == "uint16" else np.float32
    t0 = time.time()
    with h5py.File(args.output + ".partial", "w") as h:
        d = h.create_dataset("/exchange/data", (P, S, n), dtype=dt)  # contiguous: slice ranges read fast
        rng = np.random.default_rng(1)
        for a in range(P):
            counts = dark + I0 * np.exp(-f * p2d[a][None, :])
            d[a] = counts.astype(dt)
            if a % 100 == 0:
                print(f"  projection {a}/{P}  {time.time() - t0:.0f} s", flush=True)
        h["/exchange/data_white"] = (dark + I0 + rng.normal(0, 30, (10, S, n))).astype(dt)
        h["/exchange/data_dark"] = (dark + rng.normal(0, 3, (10, S, n))).astype(dt)
        h["/exchange/theta"] = np.degrees(theta)
        h["/exchange/theta"].attrs["units"] = "degrees"
    os.rename(args.output + ".partial", args.output)
    print(f"wrote {args.output} in {time.time() - t0:.0f} s")


def run(args):
    exe = args.beamkit or os.path.join(HERE, "..", "build", "bin", "beamkit")
    rows = []
    configs = [c.split() for c in args.config] or [[]]
    for cfg in configs:
        for rep in range(args.repeat):
            out = os.path.join(args.workdir, "bench_recon.h5")
            cmd = [exe, "recon", args.input, "-o", out, "--slices", args.slices, "--center", str(args.center)]
            if args.memory_limit:
                cmd += ["--memory-limit", args.memory_limit]
            cmd += cfg
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
            m = re.search(r"timing: (.*)", r.stderr)
            kv = dict(x.split("=") for x in m.group(1).split())
            kv = {k: float(v) for k, v in kv.items()}
            kv["config"] = " ".join(cfg) or "default"
            rows.append(kv)
            os.remove(out)
            print(f"{kv['config']:>24} | {kv['slices_per_s']:.3f} slices/s | read {kv['read']:.1f} (wait "
                  f"{kv['read_wait']:.1f}) prep {kv['prep']:.1f} recon {kv['recon']:.1f} write {kv['write']:.1f} "
                  f"(wait {kv['write_wait']:.1f}) checksum {kv.get('checksum', 0):.1f} (wait {kv.get('checksum_wait', 0):.1f}) "
                  f"wall {kv['wall']:.1f} s | chunk {kv['chunk']:.0f} | peak RSS "
                  f"{kv['maxrss_mib']:.0f} MiB (estimate {kv['est_peak_mib']:.0f}, limit {kv['limit_mib']:.0f})",
                  flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("generate")
    g.add_argument("output")
    g.add_argument("--size", type=int, default=2048)
    g.add_argument("--angles", type=int, default=1500)
    g.add_argument("--slices", type=int, default=0, help="detector rows (default: --size)")
    g.add_argument("--dtype", choices=["uint16", "float32"], default="uint16")
    r = sp.add_parser("run")
    r.add_argument("input")
    r.add_argument("--slices", default="1000:1064")
    r.add_argument("--center", type=float, default=1024.0)
    r.add_argument("--memory-limit", default="4G")
    r.add_argument("--config", action="append", default=[],
                   help="extra CLI options of one configuration, e.g. '--no-overlap' (repeatable)")
    r.add_argument("--repeat", type=int, default=1)
    r.add_argument("--workdir", default=".")
    r.add_argument("--beamkit", default="")
    args = ap.parse_args()
    generate(args) if args.cmd == "generate" else run(args)


if __name__ == "__main__":
    main()
