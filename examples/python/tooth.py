#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A beamline scan end to end from Python: read a Data Exchange file, normalise, find the rotation
centre, reconstruct with gridrec, save a picture.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/tooth.py ../shared/data/tomopy/tooth.h5 tooth.png
"""
import sys

import numpy as np

import beamkit

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tomopy/tooth.h5"
out = sys.argv[2] if len(sys.argv) > 2 else "tooth.png"

data = beamkit.io.read_h5(path, "/exchange/data")                       # [angles][slices][det]
flat = beamkit.io.read_h5(path, "/exchange/data_white").mean(axis=0)
dark = beamkit.io.read_h5(path, "/exchange/data_dark").mean(axis=0)
theta = np.radians(beamkit.io.read_h5(path, "/exchange/theta"))         # stored in degrees
proj = -np.log(np.clip((data - dark) / (flat - dark), 1e-6, None)).astype(np.float32)

center = beamkit.find_center_pc(proj[0], proj[-1])                     # 0 and ~180 degrees
print(f"rotation centre {center:.2f} (opposite projections), "
      f"{beamkit.find_center(proj, theta, init=center, radius=3):.2f} (entropy)")
rec = beamkit.recon(proj, theta, center=center, algorithm="gridrec", progress=True)
beamkit.circ_mask(rec, ratio=0.95)
beamkit.io.write_png(out, rec[0])
print(f"wrote {out}: {rec.shape[1]} x {rec.shape[2]}, attenuation per pixel {rec.min():.4g} .. {rec.max():.4g}")
