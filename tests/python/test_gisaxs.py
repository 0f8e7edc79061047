# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.gisaxs against BornAgain 1.19's reference maps (shared/data/bornagain), closed forms, and
live python3-bornagain cross-checks on random parameters (marked integration)."""
import gzip
import json

import numpy as np
import pytest

import beamkit.gisaxs as g

P = {"delta": 6e-4, "beta": 2e-8}
SUB = {"delta": 6e-6, "beta": 2e-8}
A = 54.73
CYL = {"type": "cylinder", "radius": 5, "height": 5}
E6 = 2 / np.sqrt(3) * 5


def load_ref(shared, name):
    lines = gzip.open(shared / "bornagain" / "Tests" / "ReferenceData" / "Std" / (name + ".int.gz"), "rt").read().splitlines()
    i = lines.index("# data")
    return np.array([[float(x) for x in l.split()] for l in lines[i + 1:] if l.strip()])


def mini(sample, approx="dwba"):
    return {"beam": {"wavelength": 0.1, "alpha_i": 0.2},
            "detector": {"type": "spherical", "phi": [-2, 2, 25], "alpha": [0, 2, 25]},
            "sample": sample, "approximation": approx}


def single(shape):
    return mini({"layers": [{}], "layouts": [{"particles": [{"shape": shape, "material": P}]}]})


def lay(iff, parts=None):
    return {"particles": parts or [{"shape": CYL, "material": P}], "interference": iff}


FORM_FACTORS = {
    "Cylinder": {"type": "cylinder", "radius": 5, "height": 10},
    "FullSphere": {"type": "sphere", "radius": 5},
    "Box": {"type": "box", "length": 10, "width": 20, "height": 5},
    "Prism3": {"type": "prism3", "base_edge": 10, "height": 5},
    "Prism6": {"type": "prism6", "base_edge": E6, "height": 5},
    "Pyramid": {"type": "pyramid", "base_edge": 10, "height": 5, "alpha": A},
    "AnisoPyramid": {"type": "aniso_pyramid", "length": 10, "width": 20, "height": 5, "alpha": A},
    "Tetrahedron": {"type": "tetrahedron", "base_edge": 10, "height": 4, "alpha": A},
    "Cone6": {"type": "cone6", "base_edge": E6, "height": 5, "alpha": A},
    "FullSpheroid": {"type": "spheroid", "radius": 5, "height": 10},
    "EllipsoidalCylinder": {"type": "elliptic_cylinder", "a": 5, "b": 10, "height": 15},
    "SawtoothRippleBox": {"type": "ridge", "length": 100, "width": 20, "height": 4, "swa": float(np.degrees(np.arctan(0.4)))},
}
# BornAgain integrates these numerically (adaptive quadrature): 1e-5 per the issue
FORM_FACTORS_NUMERIC = {
    "Cone": {"type": "cone", "radius": 5, "height": 6, "alpha": A},
    "HemiEllipsoid": {"type": "hemi_ellipsoid", "a": 5, "b": 10, "c": 15},
    "TruncatedSphere": {"type": "truncated_sphere", "radius": 5, "height": 7, "dh": 0},
    "TruncatedSpheroid": {"type": "truncated_spheroid", "radius": 5, "height": 7, "fp": 1.0, "dh": 0},
}

SAMPLES = {
    "CylindersAndPrisms": mini({"layers": [{}, SUB], "layouts": [{"particles": [
        {"shape": CYL, "material": P, "abundance": 0.5},
        {"shape": {"type": "prism3", "base_edge": 10, "height": 5}, "material": P, "abundance": 0.5}]}]}),
    "RadialParaCrystal": mini({"layers": [{}, SUB], "layouts": [lay(
        {"type": "radial_paracrystal", "peak_distance": 20, "damping_length": 1000, "pdf": "gauss", "omega": 7})]}),
    "SquareLattice2D": mini({"layers": [{}, SUB], "layouts": [lay(
        {"type": "lattice2d", "lattice": "square", "a": 10, "decay": "cauchy", "decay_lengths": [300 / 2 / np.pi, 100 / 2 / np.pi]})]}),
    "RotatedSquareLattice2D": mini({"layers": [{}, SUB], "layouts": [lay(
        {"type": "lattice2d", "lattice": "square", "a": 10, "xi": 30, "decay": "cauchy",
         "decay_lengths": [300 / 2 / np.pi, 100 / 2 / np.pi], "gamma": 30})]}),
    "ApproximationDA": mini({"layers": [{}, SUB], "layouts": [lay(
        {"type": "radial_paracrystal", "peak_distance": 18, "damping_length": 1000, "omega": 3},
        [{"shape": CYL, "material": P, "abundance": 0.8},
         {"shape": {"type": "cylinder", "radius": 8, "height": 8}, "material": P, "abundance": 0.2}])]}),
    "ApproximationLMA": mini({"layers": [{}, SUB], "layouts": [
        lay({"type": "radial_paracrystal", "peak_distance": 16.8, "damping_length": 1000, "omega": 3}),
        lay({"type": "radial_paracrystal", "peak_distance": 22.8, "damping_length": 1000, "omega": 3},
            [{"shape": {"type": "cylinder", "radius": 8, "height": 8}, "material": P}])]}),
    "CylindersWithSizeDistribution": mini({"layers": [{}], "layouts": [{"particles": [
        {"shape": CYL, "material": P, "distribution": {"type": "gaussian", "parameter": "radius", "sigma": 1,
                                                        "samples": 100, "nsigma": 4 * np.sqrt(2 * np.log(2))}}]}]}),
    "TwoTypesCylindersDistribution": mini({"layers": [{}], "layouts": [{"particles": [
        {"shape": CYL, "material": P, "abundance": 0.95,
         "distribution": {"type": "gaussian", "parameter": "radius", "sigma": 1, "samples": 150, "nsigma": 3}},
        {"shape": {"type": "cylinder", "radius": 10, "height": 10}, "material": P, "abundance": 0.05,
         "distribution": {"type": "gaussian", "parameter": "radius", "sigma": 0.2, "samples": 150, "nsigma": 3}}]}]}),
    "CoreShellParticle": mini({"layers": [{}], "layouts": [{"particles": [
        {"shape": {"type": "box", "length": 16, "width": 16, "height": 8}, "material": {"delta": 1e-4, "beta": 2e-8},
         "core": {"type": "box", "length": 12, "width": 12, "height": 7}, "core_material": {"delta": 6e-5, "beta": 2e-8}}]}]}),
    "RotatedPyramidsDistribution": mini({"layers": [{}, SUB], "layouts": [{"particles": [
        {"shape": {"type": "pyramid", "base_edge": 10, "height": 5, "alpha": A, "rotation": 45}, "material": P,
         "orientation": {"type": "gate", "min": 35, "max": 55, "samples": 10}}]}]}),
    "HardDisk": mini({"layers": [{}, SUB], "layouts": [lay({"type": "hard_disk", "radius": 5, "density": 0.006})]}),
    "RotatedPyramids": mini({"layers": [{}, SUB], "layouts": [{"particles": [
        {"shape": {"type": "pyramid", "base_edge": 10, "height": 5, "alpha": A, "rotation": 45}, "material": P}]}]}),
    # SizeDistributionSSCAModelBuilder / CylindersInSSCABuilder (size-spacing coupling approximation)
    "ApproximationSSCA": mini({"layers": [{}, SUB], "layouts": [dict(lay(
        {"type": "radial_paracrystal", "peak_distance": 18, "damping_length": 1000, "omega": 3, "kappa": 1},
        [{"shape": CYL, "material": P, "abundance": 0.8},
         {"shape": {"type": "cylinder", "radius": 8, "height": 8}, "material": P, "abundance": 0.2}]), approximation="SSCA")]}),
    "CylindersInSSCA": mini({"layers": [{}], "layouts": [dict(lay(
        {"type": "radial_paracrystal", "peak_distance": 15, "damping_length": 1000, "omega": 5, "kappa": 4.02698},
        [{"shape": CYL, "material": P, "distribution": {"type": "gaussian", "parameter": ["radius", "height"], "sigma": 1.25,
                                                        "samples": 30, "nsigma": 3}}]), approximation="SSCA")]}),
}
# CylindersInBABuilder (cylinders R = H = 5 nm in vacuum) with MiniGISASBeamDivergence / MiniGISASDetectorResolution
_CYL_BA = {"layers": [{}], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}
SAMPLES["BeamDivergence"] = mini(_CYL_BA)
SAMPLES["BeamDivergence"]["beam"]["divergence"] = {
    "wavelength": {"type": "lognormal", "sigma": 0.1, "samples": 5},
    "alpha_i": {"type": "gaussian", "sigma": 0.02, "samples": 4},
    "phi_i": {"type": "gate", "min": -0.1, "max": 0.02, "samples": 3}}
SAMPLES["DetectorResolution"] = mini(_CYL_BA)
SAMPLES["DetectorResolution"]["detector"]["resolution"] = {"type": "gaussian", "sigma": [0.0025 / np.pi * 180] * 2}


ABSORPTION_ROT = [{"axis": "z", "angle": 10}, {"axis": "y", "angle": 10}, {"axis": "x", "angle": 10}]
AG = {"delta": 1.245e-5, "beta": 5.419e-7}  # BornAgain refMat::Ag; Teflon and Substrate2 below


def absorption(shape):
    # LayersWithAbsorptionBuilder: rotated Ag particle 30 nm deep in a 60 nm Teflon layer; MiniGISAS_v2
    return {"beam": {"wavelength": 0.1, "alpha_i": 0.2},
            "detector": {"type": "spherical", "phi": [-1, 1, 25], "alpha": [0, 1, 25]},
            "sample": {"layers": [{}, {"delta": 2.9e-6, "beta": 6.019e-9, "thickness": 60}, {"delta": 3.212e-6, "beta": 3.244e-8}],
                       "layouts": [{"layer": 1, "particles": [{"shape": dict(shape, rotation=ABSORPTION_ROT),
                                                               "material": AG, "z": -30}]}]}}


def compare(shared, name, cfg):
    ref = load_ref(shared, name)
    img = g.simulate(cfg)
    assert img.shape == (25, 25)
    mine = np.flipud(img).T  # BornAgain file layout: [phi_f][alpha_f ascending]
    return np.max(np.abs(mine - ref) / np.abs(ref))


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(FORM_FACTORS))
def test_form_factor_reference_maps(shared_data, name):
    assert compare(shared_data, "FormFactors_" + name, single(FORM_FACTORS[name])) < 1e-6


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(FORM_FACTORS_NUMERIC))
def test_form_factor_reference_maps_numeric(shared_data, name):
    assert compare(shared_data, "FormFactors_" + name, single(FORM_FACTORS_NUMERIC[name])) < 1e-5


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_reference_maps(shared_data, name):
    assert compare(shared_data, name, SAMPLES[name]) < 1e-6


@pytest.mark.integration
def test_single_precision_close_to_double(shared_data):
    cfg = dict(SAMPLES["CylindersAndPrisms"])
    cfg["precision"] = "single"
    ref = load_ref(shared_data, "CylindersAndPrisms")
    rel = np.abs(np.flipud(g.simulate(cfg)).T - ref) / np.abs(ref)
    assert np.median(rel) < 1e-5 and rel.max() < 1e-2  # deep minima lose digits in float


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(list(FORM_FACTORS) + list(FORM_FACTORS_NUMERIC)))
def test_form_factors_with_absorption_and_rotation(shared_data, name):
    shape = FORM_FACTORS.get(name) or FORM_FACTORS_NUMERIC[name]
    tol = 1e-5 if name in FORM_FACTORS_NUMERIC else 1e-6
    assert compare(shared_data, "FormFactorsWithAbsorption_" + name, absorption(shape)) < tol


def test_rotation_sequence_about_z_equals_scalar_rotation():
    q = np.random.default_rng(4).normal(size=(10, 3)) * 0.5 + 0.01j
    for s in [{"type": "pyramid", "base_edge": 10, "height": 4, "alpha": 60}, {"type": "cone", "radius": 4, "height": 3, "alpha": 70},
              {"type": "prism3", "base_edge": 8, "height": 3}]:
        np.testing.assert_allclose(g.form_factor(dict(s, rotation=[{"axis": "z", "angle": 25}]), q),
                                   g.form_factor(dict(s, rotation=25), q), rtol=1e-9)
    # a box turned by 90 degrees about x swaps width and height (about the bottom edge's centre: z -> -y)
    b = {"type": "box", "length": 10, "width": 6, "height": 4}
    fr = g.form_factor(dict(b, rotation=[{"axis": "x", "angle": 90}]), q)
    # R_x(90): (x, y, z) -> (x, -z, y); the rotated box spans y in [-4, 0], z in [-3, 3]
    bb = {"type": "box", "length": 10, "width": 4, "height": 6}
    shift = np.exp(-1j * (q[:, 1] * 2 + q[:, 2] * 3))  # centre (0, -2, 0) vs bottom-centred (0, 0, 3)
    np.testing.assert_allclose(fr, g.form_factor(bb, q) * shift, rtol=1e-9)


ALL_SHAPES = dict(FORM_FACTORS, **FORM_FACTORS_NUMERIC)


@pytest.mark.parametrize("name", sorted(ALL_SHAPES))
def test_form_factor_zero_q_is_volume_and_continuous(name):
    s = ALL_SHAPES[name]
    v = g.shape_volume(s)
    f0 = g.form_factor(s, np.zeros((1, 3)))[0]
    assert abs(f0 - v) < 1e-11 * v
    # q -> 0 along a generic direction: no cancellation blow-up, F -> V smoothly (|F - V| ~ q^2 or q)
    d = np.array([0.3, -0.5, 0.8]) + 1j * np.array([0.01, 0.02, -0.01])
    prev = None
    for eps in [1e-2, 1e-4, 1e-6, 1e-8]:
        f = g.form_factor(s, (eps * d)[None, :])[0]
        err = abs(f - v) / v
        assert np.isfinite(f)
        if prev is not None:
            assert err <= prev * 0.2 + 1e-13
        prev = err
    assert prev < 1e-6


def test_form_factor_symmetries():
    rng = np.random.default_rng(3)
    q = rng.normal(size=(20, 3)) * 0.5
    # real q: F(-q) = conj(F(q)) for every real-density shape
    for s in ALL_SHAPES.values():
        np.testing.assert_allclose(g.form_factor(s, -q), np.conj(g.form_factor(s, q)), rtol=1e-9, atol=1e-9 * g.shape_volume(s))
    # mirror symmetries: (qx, qy) -> (qx, -qy) for shapes symmetric about the xz plane
    for s in [FORM_FACTORS["Prism3"], FORM_FACTORS["Tetrahedron"], FORM_FACTORS["Box"], FORM_FACTORS["Pyramid"]]:
        qm = q * [1, -1, 1]
        np.testing.assert_allclose(g.form_factor(s, qm), g.form_factor(s, q), rtol=1e-9, atol=1e-9 * g.shape_volume(s))
    # rotation by 90 degrees maps box (a, b) onto box (b, a)
    b1 = {"type": "box", "length": 10, "width": 20, "height": 5, "rotation": 90}
    b2 = {"type": "box", "length": 20, "width": 10, "height": 5}
    np.testing.assert_allclose(g.form_factor(b1, q), g.form_factor(b2, q), rtol=1e-9, atol=1e-9)
    # hexagonal prism is invariant under 60 degree rotations
    h = {"type": "prism6", "base_edge": 4, "height": 3}
    np.testing.assert_allclose(g.form_factor(dict(h, rotation=60), q), g.form_factor(h, q), rtol=1e-9, atol=1e-9)


def test_closed_form_limits():
    q = np.array([[0.3, 0.0, 0.0], [0.0, 0.0, 0.7], [0.2, 0.4, 0.1]])
    # ridge with vertical side walls = box
    r = {"type": "ridge", "length": 30, "width": 8, "height": 6, "swa": 90}
    bx = {"type": "box", "length": 30, "width": 8, "height": 6}
    np.testing.assert_allclose(g.form_factor(r, q), g.form_factor(bx, q), rtol=1e-10)
    # spheroid with height = 2 R is a sphere; truncated sphere with height 2R too; cone at 90 deg = cylinder
    np.testing.assert_allclose(g.form_factor({"type": "spheroid", "radius": 4, "height": 8}, q),
                               g.form_factor({"type": "sphere", "radius": 4}, q), rtol=1e-10)
    np.testing.assert_allclose(g.form_factor({"type": "truncated_sphere", "radius": 4, "height": 8}, q),
                               g.form_factor({"type": "sphere", "radius": 4}, q), rtol=1e-9)
    np.testing.assert_allclose(g.form_factor({"type": "cone", "radius": 4, "height": 3, "alpha": 90}, q),
                               g.form_factor({"type": "cylinder", "radius": 4, "height": 3}, q), rtol=1e-9)
    # sphere: analytic value 4 pi (sin x - x cos x)/q^3 e^{i qz R}
    R, qq = 5.0, np.array([[0.3, 0.4, 0.0]])
    x = 0.5 * R
    ref = 4 * np.pi * (np.sin(x) - x * np.cos(x)) / 0.5 ** 3
    assert abs(g.form_factor({"type": "sphere", "radius": R}, qq)[0] - ref) < 1e-12 * abs(ref)


def test_mesh_matches_closed_forms(tmp_path):
    # a box as an OBJ mesh (12 triangles) and an octahedron-free tetrahedron as an ASCII STL
    v = [(x, y, z) for z in (0, 4) for y in (-3, 3) for x in (-5, 5)]
    faces = [(1, 3, 4, 2), (5, 6, 8, 7), (1, 2, 6, 5), (3, 7, 8, 4), (1, 5, 7, 3), (2, 4, 8, 6)]
    obj = tmp_path / "box.obj"
    obj.write_text("".join(f"v {x} {y} {z}\n" for x, y, z in v) + "".join("f " + " ".join(map(str, f)) + "\n" for f in faces))
    q = np.random.default_rng(5).normal(size=(15, 3)) * 0.6 + 1j * 0.01
    m = g.form_factor({"type": "mesh", "file": str(obj)}, q)
    b = g.form_factor({"type": "box", "length": 10, "width": 6, "height": 4}, q)
    np.testing.assert_allclose(m, b, rtol=1e-9, atol=1e-9 * 240)
    assert abs(g.shape_volume({"type": "mesh", "file": str(obj)}) - 240) < 1e-9
    # inline vertices, triangular prism vs prism3
    L, H = 10.0, 5.0
    ac, ah, as_ = L / np.sqrt(3) / 2, L / np.sqrt(3), L / 2
    base = [(-ac, -as_), (ah, 0), (-ac, as_)]
    verts = [[x, y, 0] for x, y in base] + [[x, y, H] for x, y in base]
    tris = [[0, 2, 1], [3, 4, 5], [0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4], [2, 0, 3], [2, 3, 5]]
    stl = tmp_path / "prism.stl"
    with open(stl, "w") as f:
        f.write("solid p\n")
        for t in tris:
            f.write(" facet normal 0 0 0\n  outer loop\n")
            for k in t:
                f.write("   vertex {} {} {}\n".format(*verts[k]))
            f.write("  endloop\n endfacet\n")
        f.write("endsolid p\n")
    np.testing.assert_allclose(g.form_factor({"type": "mesh", "file": str(stl)}, q),
                               g.form_factor({"type": "prism3", "base_edge": L, "height": H}, q), rtol=1e-9, atol=1e-8)
    np.testing.assert_allclose(g.form_factor({"type": "mesh", "vertices": verts, "triangles": tris}, q),
                               g.form_factor({"type": "prism3", "base_edge": L, "height": H}, q), rtol=1e-9, atol=1e-8)


def test_q_maps_and_flat_detector():
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "detector": {"type": "spherical", "phi": [-1, 1, 4], "alpha": [0, 1, 3]},
           "sample": {"layers": [{}, SUB], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}}
    m = g.q_maps(cfg)
    k = 2 * np.pi / 0.1
    af, pf = np.radians(m["alpha_f"]), np.radians(m["phi_f"])
    np.testing.assert_allclose(m["qz"], -k * (np.sin(np.radians(0.2)) + np.sin(af)))
    np.testing.assert_allclose(m["qy"], k * np.cos(af) * np.sin(pf))
    assert m["alpha_f"][0, 0] > m["alpha_f"][-1, 0] and m["phi_f"][0, 0] < m["phi_f"][0, -1]
    # flat detector centred on the direct beam: symmetric in phi; masks zero pixels
    flat = dict(cfg, detector={"type": "flat", "distance": 1000, "pixel_size": [0.5, 0.5], "pixels": [40, 30],
                                 "beam_center": [10, -1.0], "masks": [{"x": [0, 2], "y": [0, 20]}]})
    img = g.simulate(flat)
    assert img.shape == (30, 40)
    assert np.all(img[:, :4] == 0) and np.all(img[:, 4:] > 0)
    fm = g.q_maps(flat)
    np.testing.assert_allclose(fm["phi_f"][:, 19], -fm["phi_f"][:, 20], atol=1e-12)
    # solid angle of the spherical pixels sums to the detector's solid angle
    sa = g.q_maps(cfg)["solid_angle"].sum()
    assert abs(sa - np.radians(2) * np.sin(np.radians(1))) < 1e-12


def test_born_equals_dwba_without_substrate():
    s = {"layers": [{}], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}
    np.testing.assert_allclose(g.simulate(mini(s, "born")), g.simulate(mini(s)), rtol=1e-12)


def test_orientation_gaussian_of_symmetric_shape_is_identity():
    base = {"layers": [{}, SUB], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}
    ref = g.simulate(mini(base))
    d = json.loads(json.dumps(base))
    d["layouts"][0]["particles"][0]["orientation"] = {"type": "gaussian", "sigma": 20, "samples": 5}
    np.testing.assert_allclose(g.simulate(mini(d)), ref, rtol=1e-10)


def test_distribution_kinds_normalised():
    base = {"layers": [{}], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}
    ref = g.simulate(mini(base))
    for kind, sigma in [("gaussian", 1e-4), ("lognormal", 1e-5), ("schulz", 1e-4)]:
        d = json.loads(json.dumps(base))
        d["layouts"][0]["particles"][0]["distribution"] = {"type": kind, "parameter": ["radius", "height"], "sigma": sigma, "samples": 7}
        np.testing.assert_allclose(g.simulate(mini(d)), ref, rtol=1e-3, atol=1e-6 * ref.max())


@pytest.mark.parametrize("mutate,path", [
    (lambda c: c["sample"]["layouts"][0]["particles"][0]["shape"].update(type="blob"), "$.sample.layouts[0].particles[0].shape.type"),
    (lambda c: c["sample"]["layouts"][0]["particles"][0]["shape"].update(radius=-2), "$.sample.layouts[0].particles[0].shape.radius"),
    (lambda c: c["sample"]["layouts"][0]["particles"][0]["shape"].update(colour=1), "$.sample.layouts[0].particles[0].shape.colour"),
    (lambda c: c["detector"].update(phi=[-1, 1, 0]), "$.detector.phi[2]"),
    (lambda c: c["beam"].update(wavelength="x"), "$.beam.wavelength"),
    (lambda c: c.update(extra=1), "$.extra"),
    (lambda c: c["sample"]["layouts"][0].update(layer=1), "$.sample.layouts[0].particles[0]"),
    (lambda c: c["sample"]["layouts"][0]["interference"].update(type="crystal"), "$.sample.layouts[0].interference.type"),
    (lambda c: c["detector"].update(masks=[{"x": [-2, 2], "y": [-1, 2]}]), "$.detector.masks"),
    (lambda c: c.update(detector={"type": "flat", "distance": 1000, "pixel_size": [0.1, 0.1], "pixels": [0, 10],
                                  "beam_center": [1, 1]}), "$.detector.pixels"),
    (lambda c: c["sample"]["layouts"][0].update(approximation="SSCA"), "$.sample.layouts[0].approximation"),
    (lambda c: c["sample"]["layouts"][0]["particles"][0].update(lattice={"type": "fcc", "a": 10, "repetitions": [2, 2, 0]}),
     "$.sample.layouts[0].particles[0].lattice.repetitions[2]"),
    (lambda c: c["sample"]["layouts"][0]["particles"][0].update(lattice={"type": "diamond", "a": 10, "repetitions": [2, 2, 2]}),
     "$.sample.layouts[0].particles[0].lattice.type"),
    (lambda c: c["sample"]["layouts"][0]["particles"][0].update(lattice={"type": "sc", "a": -1, "repetitions": [2, 2, 2]}),
     "$.sample.layouts[0].particles[0].lattice.a"),
    (lambda c: (c["sample"]["layouts"][0].update(layer=1), c["sample"]["layers"][1].update(thickness=30),
                c["sample"]["layouts"][0]["particles"][0].update(z=-10, lattice={"type": "sc", "a": 8, "repetitions": [1, 1, 3]})),
     "$.sample.layouts[0].particles[0]"),
    (lambda c: c["beam"].update(divergence={"alpha_i": {"type": "gaussian", "sigma": 0.5, "samples": 3}}), "$.beam.divergence.alpha_i"),
    (lambda c: c["beam"].update(divergence={"energy": {}}), "$.beam.divergence.energy"),
    (lambda c: c["detector"].update(resolution={"type": "gaussian", "sigma": [-1, 0]}), "$.detector.resolution.sigma"),
])
def test_errors_name_json_path(mutate, path):
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "detector": {"type": "spherical", "phi": [-1, 1, 4], "alpha": [0, 1, 3]},
           "sample": {"layers": [{}, {"delta": 1e-5, "thickness": 3}, SUB],
                      "layouts": [{"particles": [{"shape": dict(CYL), "material": P}], "interference": {"type": "none"}}]}}
    mutate(cfg)
    with pytest.raises(ValueError) as e:
        g.simulate(cfg)
    assert path in str(e.value)


# ---- live cross-checks against python3-bornagain ----------------------------------------------------

def _ba():
    return pytest.importorskip("bornagain")


@pytest.mark.integration
def test_live_form_factors_random_complex_q():
    ba = _ba()
    rng = np.random.default_rng(2024)
    deg = np.pi / 180
    for trial in range(3):
        R, H = rng.uniform(2, 8), rng.uniform(2, 10)
        al = rng.uniform(50, 80)
        L = rng.uniform(5, 15)
        hp = min(H, 0.45 * L * np.tan(al * deg))
        pairs = [({"type": "cylinder", "radius": R, "height": H}, ba.FormFactorCylinder(R, H)),
                 ({"type": "truncated_sphere", "radius": R, "height": 1.5 * R, "dh": 0.1 * R}, ba.FormFactorTruncatedSphere(R, 1.5 * R, 0.1 * R)),
                 ({"type": "pyramid", "base_edge": L, "height": hp, "alpha": al}, ba.FormFactorPyramid(L, hp, al * deg)),
                 ({"type": "cone", "radius": R, "height": min(H, 0.9 * R * np.tan(al * deg)), "alpha": al},
                  ba.FormFactorCone(R, min(H, 0.9 * R * np.tan(al * deg)), al * deg)),
                 ({"type": "tetrahedron", "base_edge": L, "height": min(H, 0.2 * L * np.tan(al * deg)), "alpha": al},
                  ba.FormFactorTetrahedron(L, min(H, 0.2 * L * np.tan(al * deg)), al * deg)),
                 ({"type": "spheroid", "radius": R, "height": H}, ba.FormFactorFullSpheroid(R, H))]
        q = (rng.normal(size=(12, 3)) + 1j * 0.02 * rng.normal(size=(12, 3))) * rng.uniform(0.05, 1.5)
        for shape, ff in pairs:
            ref = np.array([ff.evaluate_for_q(ba.cvector_t(*[complex(x) for x in qq])) for qq in q])
            mine = g.form_factor(shape, q)
            np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-9 * g.shape_volume(shape), err_msg=str(shape))


@pytest.mark.integration
def test_live_dwba_random_multilayer():
    ba = _ba()
    rng = np.random.default_rng(11)
    deg = np.pi / 180
    R, H = rng.uniform(3, 6), rng.uniform(3, 8)
    d1, t1 = rng.uniform(1e-6, 8e-6), rng.uniform(5, 30)
    ai = rng.uniform(0.1, 0.4)
    vac = ba.HomogeneousMaterial("Vacuum", 0, 0)
    mid = ba.HomogeneousMaterial("Mid", d1, 1e-8)
    sub = ba.HomogeneousMaterial("Sub", 6e-6, 2e-8)
    par = ba.HomogeneousMaterial("Par", 6e-4, 2e-8)
    layout = ba.ParticleLayout()
    layout.addParticle(ba.Particle(par, ba.FormFactorCylinder(R, H)))
    iff = ba.InterferenceFunctionRadialParaCrystal(22.0, 1000.0)
    iff.setProbabilityDistribution(ba.FTDistribution1DGauss(4.0))
    layout.setInterferenceFunction(iff)
    top = ba.Layer(vac)
    top.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(top)
    ml.addLayer(ba.Layer(mid, t1))
    ml.addLayer(ba.Layer(sub))
    sim = ba.GISASSimulation()
    sim.setDetectorParameters(20, -1.5 * deg, 1.5 * deg, 18, 0, 1.5 * deg)
    sim.setBeamParameters(0.1, ai * deg, 0)
    sim.setSample(ml)
    sim.runSimulation()
    ref = sim.result().array()
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": ai},
           "detector": {"type": "spherical", "phi": [-1.5, 1.5, 20], "alpha": [0, 1.5, 18]},
           "sample": {"layers": [{}, {"delta": d1, "beta": 1e-8, "thickness": t1}, SUB],
                      "layouts": [{"particles": [{"shape": {"type": "cylinder", "radius": R, "height": H}, "material": P}],
                                   "interference": {"type": "radial_paracrystal", "peak_distance": 22, "damping_length": 1000, "omega": 4}}]}}
    img = g.simulate(cfg)
    assert np.max(np.abs(img - ref) / np.abs(ref)) < 1e-6


def _ba_mini(ba, ml, n=25):
    deg = np.pi / 180
    sim = ba.GISASSimulation()
    sim.setDetectorParameters(n, -2 * deg, 2 * deg, n, 0, 2 * deg)
    sim.setBeamParameters(0.1, 0.2 * deg, 0)
    sim.setSample(ml)
    sim.runSimulation()
    return sim.result().array()


@pytest.mark.integration
def test_live_paracrystal2d():
    # The stored Basic2DParaCrystal maps come from a different BornAgain revision than the Debian 1.19
    # library (which itself differs from them by 0.9 relative); the live library is the reference here.
    ba = _ba()
    deg = np.pi / 180
    iff = ba.InterferenceFunction2DParaCrystal(ba.BasicLattice2D(10, 20, 30 * deg, 45 * deg), 1000, 20000, 40000)
    iff.setProbabilityDistributions(ba.FTDistribution2DCauchy(0.1, 0.2, 0), ba.FTDistribution2DGauss(0.3, 0.4, 20 * deg))
    layout = ba.ParticleLayout(ba.Particle(ba.HomogeneousMaterial("P", 6e-4, 2e-8), ba.FormFactorCylinder(5, 5)))
    layout.setInterferenceFunction(iff)
    top = ba.Layer(ba.HomogeneousMaterial("V", 0, 0))
    top.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(top)
    ml.addLayer(ba.Layer(ba.HomogeneousMaterial("S", 6e-6, 2e-8)))
    ref = _ba_mini(ba, ml)
    pc = {"type": "paracrystal2d", "lattice": "basic", "a": 10, "b": 20, "angle": 30, "xi": 45, "damping_length": 1000,
          "domain_sizes": [20000, 40000], "pdf1": {"type": "cauchy", "omega": [0.1, 0.2]},
          "pdf2": {"type": "gauss", "omega": [0.3, 0.4], "gamma": 20}}
    img = g.simulate(mini({"layers": [{}, SUB], "layouts": [lay(pc)]}))
    assert np.max(np.abs(img - ref) / ref) < 1e-6


def _ba_buried(ba, mid, thickness, particle):
    """BornAgain sample: vacuum / a `thickness` nm layer of material `mid` holding `particle` / SUB's substrate."""
    layout = ba.ParticleLayout()
    layout.addParticle(particle)
    middle = ba.Layer(mid, thickness)
    middle.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(ba.Layer(ba.HomogeneousMaterial("V", 0, 0)))
    ml.addLayer(middle)
    ml.addLayer(ba.Layer(ba.HomogeneousMaterial("S", 6e-6, 2e-8)))
    return ml


@pytest.mark.integration
def test_live_buried_particles_absorbing_layer():
    # spheres inside an absorbing middle layer (complex q_z in the four DWBA terms)
    ba = _ba()
    rng = np.random.default_rng(7)
    t, R, depth = 60.0, rng.uniform(3, 6), rng.uniform(15, 40)
    mid = ba.HomogeneousMaterial("Mid", 2.9e-6, 6e-7)
    par = ba.HomogeneousMaterial("Ag", 1.2e-5, 8e-7)
    p = ba.Particle(par, ba.FormFactorFullSphere(R))
    p.setPosition(ba.kvector_t(0, 0, -depth))
    ref = _ba_mini(ba, _ba_buried(ba, mid, t, p))
    cfg = mini({"layers": [{}, {"delta": 2.9e-6, "beta": 6e-7, "thickness": t}, SUB],
                "layouts": [{"layer": 1, "particles": [{"shape": {"type": "sphere", "radius": R},
                                                        "material": {"delta": 1.2e-5, "beta": 8e-7}, "z": -depth}]}]})
    img = g.simulate(cfg)
    assert np.max(np.abs(img - ref) / ref) < 1e-6


# Shapes whose q_z-dependent factors the DWBA kernel takes from per-(particle, row) tables; buried in an
# absorbing layer (complex q_z, four DWBA terms, position phase) and rotated about z, against BornAgain.
TABLED = {
    "cylinder": ({"type": "cylinder", "radius": 4, "height": 6}, lambda ba, d: ba.FormFactorCylinder(4, 6), 1e-6),
    "box": ({"type": "box", "length": 8, "width": 5, "height": 4}, lambda ba, d: ba.FormFactorBox(8, 5, 4), 1e-6),
    "prism6": ({"type": "prism6", "base_edge": 4, "height": 5}, lambda ba, d: ba.FormFactorPrism6(4, 5), 1e-6),
    "pyramid": ({"type": "pyramid", "base_edge": 10, "height": 4, "alpha": A},
                lambda ba, d: ba.FormFactorPyramid(10, 4, A * d), 1e-6),
    "tetrahedron": ({"type": "tetrahedron", "base_edge": 10, "height": 3, "alpha": A},
                    lambda ba, d: ba.FormFactorTetrahedron(10, 3, A * d), 1e-6),
    "cone": ({"type": "cone", "radius": 5, "height": 4, "alpha": 70}, lambda ba, d: ba.FormFactorCone(5, 4, 70 * d), 1e-5),
    "truncated_sphere": ({"type": "truncated_sphere", "radius": 5, "height": 7},
                         lambda ba, d: ba.FormFactorTruncatedSphere(5, 7, 0), 1e-5),
}


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(TABLED))
def test_live_row_tables_buried_rotated(name):
    ba = _ba()
    deg = np.pi / 180
    shape, ff, tol = TABLED[name]
    mid = ba.HomogeneousMaterial("Mid", 2.9e-6, 6e-7)
    par = ba.HomogeneousMaterial("Ag", 1.2e-5, 8e-7)
    p = ba.Particle(par, ff(ba, deg))
    p.setRotation(ba.RotationZ(25 * deg))
    p.setPosition(ba.kvector_t(0, 0, -20))
    ref = _ba_mini(ba, _ba_buried(ba, mid, 60.0, p))
    cfg = mini({"layers": [{}, {"delta": 2.9e-6, "beta": 6e-7, "thickness": 60}, SUB],
                "layouts": [{"layer": 1, "particles": [{"shape": dict(shape, rotation=25),
                                                        "material": {"delta": 1.2e-5, "beta": 8e-7}, "z": -20}]}]})
    img = g.simulate(cfg)
    m = ref > 1e-9 * ref.max()
    assert np.max(np.abs(img[m] - ref[m]) / ref[m]) < tol


@pytest.mark.integration
def test_live_interference_functions_random_q():
    ba = _ba()
    deg = np.pi / 180
    rng = np.random.default_rng(99)
    qx, qy = rng.uniform(-1, 1, 40), rng.uniform(-1, 1, 40)
    a, xi, w = rng.uniform(8, 30), rng.uniform(0, 90), rng.uniform(50, 500)
    for prof, dk in [("cauchy", ba.FTDecayFunction1DCauchy), ("gauss", ba.FTDecayFunction1DGauss)]:
        iff = ba.InterferenceFunction1DLattice(a, xi * deg)
        iff.setDecayFunction(dk(w))
        ref = np.array([iff.evaluate(ba.kvector_t(x, y, 0)) for x, y in zip(qx, qy)])
        mine = g.interference({"type": "lattice1d", "length": a, "xi": xi, "decay": prof, "decay_length": w}, qx, qy)
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-9 * ref.max())
    b, ang, gam = rng.uniform(8, 30), rng.uniform(40, 120), rng.uniform(0, 60)
    for prof, dk in [("cauchy", ba.FTDecayFunction2DCauchy), ("gauss", ba.FTDecayFunction2DGauss)]:
        iff = ba.InterferenceFunction2DLattice(ba.BasicLattice2D(a, b, ang * deg, xi * deg))
        iff.setDecayFunction(dk(w, 0.7 * w, gam * deg))
        ref = np.array([iff.evaluate(ba.kvector_t(x, y, 0)) for x, y in zip(qx, qy)])
        mine = g.interference({"type": "lattice2d", "lattice": "basic", "a": a, "b": b, "angle": ang, "xi": xi, "decay": prof,
                               "decay_lengths": [w, 0.7 * w], "gamma": gam}, qx, qy)
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-9 * ref.max())
    R, dens = rng.uniform(2, 6), 0.0
    dens = rng.uniform(0.1, 0.5) / (np.pi * R * R)
    iff = ba.InterferenceFunctionHardDisk(R, dens)
    ref = np.array([iff.evaluate(ba.kvector_t(x, y, 0)) for x, y in zip(qx, qy)])
    np.testing.assert_allclose(g.interference({"type": "hard_disk", "radius": R, "density": dens}, qx, qy), ref, rtol=1e-6)


@pytest.mark.integration
def test_live_flat_detector_perpendicular_to_sample_x():
    ba = _ba()
    deg = np.pi / 180
    nx, ny, px, py, D, u0, v0 = 30, 20, 0.5, 0.4, 1000.0, 9.0, -1.0
    det = ba.RectangularDetector(nx, nx * px, ny, ny * py)
    det.setPerpendicularToSampleX(D, u0, v0)
    p = ba.Particle(ba.HomogeneousMaterial("P", 6e-4, 2e-8), ba.FormFactorPrism3(10, 5))
    p.setRotation(ba.RotationZ(20 * deg))  # asymmetric in q_y: checks the u direction
    layout = ba.ParticleLayout()
    layout.addParticle(p)
    top = ba.Layer(ba.HomogeneousMaterial("V", 0, 0))
    top.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(top)
    ml.addLayer(ba.Layer(ba.HomogeneousMaterial("S", 6e-6, 2e-8)))
    sim = ba.GISASSimulation()
    sim.setDetector(det)
    sim.setBeamParameters(0.1, 0.2 * deg, 0)
    sim.setSample(ml)
    sim.runSimulation()
    ref = sim.result().array()
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": 0.2},
           "detector": {"type": "flat", "distance": D, "pixel_size": [px, py], "pixels": [nx, ny], "beam_center": [u0, v0]},
           "sample": {"layers": [{}, SUB], "layouts": [{"particles": [
               {"shape": {"type": "prism3", "base_edge": 10, "height": 5, "rotation": 20}, "material": P}]}]}}
    img = g.simulate(cfg)
    assert img.shape == ref.shape
    assert np.max(np.abs(img - ref) / ref) < 1e-6


def test_examples_run():
    import pathlib
    ex = pathlib.Path(__file__).resolve().parents[2] / "examples" / "gisaxs"
    files = sorted(ex.glob("*.json"))
    assert len(files) >= 4
    for f in files:
        cfg = g.load_config(str(f))
        d = cfg["detector"]
        if d["type"] == "spherical":  # shrink for speed
            d["phi"][2], d["alpha"][2] = 24, 16
        else:
            d["pixels"] = [48, 20]
            d["pixel_size"] = [d["pixel_size"][0] * 10, d["pixel_size"][1] * 10]
            d["beam_center"] = [24 * d["pixel_size"][0], -1.0]  # the shrunk detector above the horizon
            d.pop("masks", None)
        img = g.simulate(cfg)
        assert np.all(np.isfinite(img)) and img.max() > 0, f.name
        # the rectangular and trapezoidal gratings differ; vertical walls reproduce the box-like ridge
    rect = g.simulate(g.load_config(str(ex / "si_grating_rect.json")))
    trap = g.simulate(g.load_config(str(ex / "si_grating_trapezoid.json")))
    assert rect.shape == trap.shape and not np.allclose(rect, trap)


# ---- 3-D superlattices, SSCA limits, instrument ---------------------------------------------------

def _lattice_sum(kind, a, n, q, c=None, rot=0.0):
    """Brute-force sum of exp(i q.r) over every lattice point of the grain (numpy)."""
    if kind == "hcp":
        A = np.array([[a, 0, 0], [a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
        basis = [np.zeros(3), 2 / 3 * A[0] + 1 / 3 * A[1] + 0.5 * A[2]]
    else:
        A = np.eye(3) * a
        basis = {"sc": [[0, 0, 0]], "bcc": [[0, 0, 0], [a / 2] * 3],
                 "fcc": [[0, 0, 0], [a / 2, a / 2, 0], [a / 2, 0, a / 2], [0, a / 2, a / 2]]}[kind]
    R = np.array([[np.cos(rot), -np.sin(rot), 0], [np.sin(rot), np.cos(rot), 0], [0, 0, 1]])
    pts = [R @ (i * A[0] + j * A[1] + k * A[2] + np.asarray(b)) for i in range(n[0]) for j in range(n[1]) for k in range(n[2])
           for b in basis]
    pts = np.array(pts)
    return np.exp(1j * (q @ pts.T)).sum(axis=1)


@pytest.mark.parametrize("kind", ["sc", "bcc", "fcc", "hcp"])
def test_superlattice_equals_brute_force_lattice_sum(kind):
    # Born approximation: image(grain) / image(single particle) = |sum over lattice points exp(i q.r)|^2
    n, a, rot = [3, 2, 2], 12.0, 17.0
    part = {"shape": {"type": "sphere", "radius": 3, "rotation": rot}, "material": P}
    grain = dict(part, lattice={"type": kind, "a": a, "repetitions": n})
    det = {"type": "spherical", "phi": [-3, 3, 31], "alpha": [0, 3, 21]}
    base = {"beam": {"wavelength": 0.1, "alpha_i": 0.3}, "detector": det, "approximation": "born",
            "sample": {"layers": [{}], "layouts": [{"particles": [part]}]}}
    cfg = json.loads(json.dumps(base))
    cfg["sample"]["layouts"][0]["particles"] = [grain]
    q = g.q_maps(base)
    qv = np.stack([q["qx"].ravel(), q["qy"].ravel(), q["qz"].ravel()], axis=1)
    c = np.sqrt(8 / 3) * a if kind == "hcp" else None
    s2 = np.abs(_lattice_sum(kind, a, n, qv, c, np.radians(rot))) ** 2
    ratio = (g.simulate(cfg) / g.simulate(base)).ravel()
    np.testing.assert_allclose(ratio, s2, rtol=1e-9, atol=1e-9 * s2.max())


def test_fcc_superlattice_bragg_peaks():
    # closed form: at q = 2 pi/a (h, k, l) every cell adds in phase; FCC's structure factor is 4 for h, k, l all
    # even or all odd and 0 for mixed parity, so |L|^2 = (4 N^3)^2 or 0 there. The grain is rotated about z so
    # that one detector pixel (alpha_f = alpha_i, Born) sees exactly q_hkl (l < 0: q_z = -2 k sin(alpha_i)).
    a, N, lam = 10.0, 3, 0.1
    k = 2 * np.pi / lam
    sphere = {"type": "sphere", "radius": 2}
    peak = (4 * N ** 3) ** 2
    for hkl, expect in [((1, 1, -1), peak), ((2, 0, -2), peak), ((0, 2, -2), peak), ((1, 0, -1), 0.0), ((2, 1, -1), 0.0)]:
        qh = 2 * np.pi / a * np.array(hkl, float)
        ai = np.degrees(np.arcsin(-qh[2] / (2 * k)))
        qpar = np.hypot(qh[0], qh[1])
        pf = np.degrees(2 * np.arcsin(qpar / (2 * k * np.cos(np.radians(ai)))))
        det = {"type": "spherical", "phi": [pf - 1e-3, pf + 1e-3, 1], "alpha": [ai - 1e-3, ai + 1e-3, 1]}

        def cfg(p):
            return {"beam": {"wavelength": lam, "alpha_i": ai}, "detector": det, "approximation": "born",
                    "sample": {"layers": [{}], "layouts": [{"particles": [p]}]}}
        q = g.q_maps(cfg({"shape": sphere, "material": P}))
        qp = np.array([q["qx"][0, 0], q["qy"][0, 0], q["qz"][0, 0]])
        assert abs(qp[2] - qh[2]) < 1e-9 and abs(np.hypot(qp[0], qp[1]) - qpar) < 1e-9
        rot = np.degrees(np.arctan2(qp[1], qp[0]) - np.arctan2(qh[1], qh[0]))  # R(rot) q_hkl = q_pixel
        grain = {"shape": dict(sphere, rotation=rot), "material": P, "lattice": {"type": "fcc", "a": a, "repetitions": [N] * 3}}
        ratio = g.simulate(cfg(grain))[0, 0] / g.simulate(cfg({"shape": sphere, "material": P}))[0, 0]
        assert abs(ratio - expect) < 1e-6 * peak, (hkl, ratio, expect)


def test_superlattice_grains_and_dwba_run():
    # oriented grains (gate over 0..90 deg) on a substrate in DWBA: finite, positive, and a single-cell "grain"
    # (repetitions 1 x 1 x 1, simple cubic) is the bare particle
    base = {"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "detector": {"type": "spherical", "phi": [-2, 2, 20], "alpha": [0, 2, 12]},
            "sample": {"layers": [{}, SUB], "layouts": [{"particles": [{"shape": {"type": "sphere", "radius": 4}, "material": P}],
                                                      "density": 1e-4}]}}
    one = json.loads(json.dumps(base))
    one["sample"]["layouts"][0]["particles"][0]["lattice"] = {"type": "sc", "a": 9, "repetitions": [1, 1, 1]}
    np.testing.assert_allclose(g.simulate(one), g.simulate(base), rtol=1e-12)
    film = json.loads(json.dumps(base))
    film["sample"]["layouts"][0]["particles"][0].update(
        lattice={"type": "fcc", "a": 12, "repetitions": [4, 4, 3]}, orientation={"type": "gate", "min": 0, "max": 90, "samples": 6})
    img = g.simulate(film)
    assert np.all(np.isfinite(img)) and img.max() > 100 * g.simulate(base).max()


def test_ssca_with_kappa_zero_and_one_size_equals_da():
    # one particle size: the SSCA phase factors are 1 and the SSCA reduces to the DA exactly
    iff = {"type": "radial_paracrystal", "peak_distance": 20, "damping_length": 1000, "omega": 4, "kappa": 2.5}
    da = mini({"layers": [{}, SUB], "layouts": [lay(iff)]})
    ssca = json.loads(json.dumps(da))
    ssca["sample"]["layouts"][0]["approximation"] = "SSCA"
    np.testing.assert_allclose(g.simulate(ssca), g.simulate(da), rtol=1e-10)


def test_detector_resolution_equals_brute_force_convolution():
    # the bin-integrated Gaussian kernel applied as a full 2-D double loop over all pixel pairs
    from math import erf, sqrt
    cfg = mini({"layers": [{}, SUB], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]})
    cfg["detector"] = {"type": "spherical", "phi": [-2, 2, 17], "alpha": [0, 2, 13]}
    raw = g.simulate(cfg)
    sx, sy = 0.3, 0.2  # deg
    cfg["detector"]["resolution"] = {"type": "gaussian", "sigma": [sx, sy]}
    out = g.simulate(cfg)
    dx, dy = 4 / 17, 2 / 13
    cdf = lambda x, s: 0.5 * (1 + erf(x / (s * sqrt(2))))
    kx = lambda d: cdf((d + 0.5) * dx, sx) - cdf((d - 0.5) * dx, sx)
    ky = lambda d: cdf((d + 0.5) * dy, sy) - cdf((d - 0.5) * dy, sy)
    R, C = raw.shape
    ref = np.zeros_like(raw)
    for r in range(R):
        for c in range(C):
            ref[r, c] = sum(raw[r2, c2] * kx(c - c2) * ky(r - r2) for r2 in range(R) for c2 in range(C))
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-14 * ref.max())


def test_beam_divergence_is_weighted_sum_of_single_beams():
    base = mini({"layers": [{}, SUB], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]})
    div = json.loads(json.dumps(base))
    div["beam"]["divergence"] = {"alpha_i": {"type": "gaussian", "sigma": 0.02, "samples": 3, "nsigma": 1.5}}
    xs = 0.2 + np.array([-0.03, 0, 0.03])
    ws = np.exp(-0.5 * ((xs - 0.2) / 0.02) ** 2)
    ws /= ws.sum()
    ref = 0
    for x, w in zip(xs, ws):
        one = json.loads(json.dumps(base))
        one["beam"]["alpha_i"] = float(x)
        ref = ref + w * g.simulate(one)
    np.testing.assert_allclose(g.simulate(div), ref, rtol=1e-12)


@pytest.mark.integration
def test_live_ssca_and_instrument_random():
    ba = _ba()
    rng = np.random.default_rng(11)
    deg = np.pi / 180
    r1, r2, dist, om, kap = rng.uniform(3, 5), rng.uniform(5, 8), rng.uniform(18, 25), rng.uniform(2, 5), rng.uniform(0.5, 3)
    sig = rng.uniform(0.01, 0.04)
    vac = ba.HomogeneousMaterial("Vacuum", 0, 0)
    sub = ba.HomogeneousMaterial("Si", SUB["delta"], SUB["beta"])
    par = ba.HomogeneousMaterial("P", P["delta"], P["beta"])
    layout = ba.ParticleLayout()
    layout.addParticle(ba.Particle(par, ba.FormFactorCylinder(r1, r1)), 0.6)
    layout.addParticle(ba.Particle(par, ba.FormFactorTruncatedSphere(r2, 1.5 * r2, 0)), 0.4)
    iff = ba.InterferenceFunctionRadialParaCrystal(dist, 1e3)
    iff.setProbabilityDistribution(ba.FTDistribution1DGauss(om))
    iff.setKappa(kap)
    layout.setInterferenceFunction(iff)
    top = ba.Layer(vac)
    top.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(top)
    ml.addLayer(ba.Layer(sub))
    sim = ba.GISASSimulation()
    sim.setDetectorParameters(20, -2 * deg, 2 * deg, 15, 0, 2 * deg)
    sim.setBeamParameters(0.1, 0.25 * deg, 0)
    sim.addParameterDistribution("*/Beam/InclinationAngle", ba.DistributionGaussian(0.25 * deg, sig * deg), 3)
    sim.setDetectorResolutionFunction(ba.ResolutionFunction2DGaussian(0.1 * deg, 0.05 * deg))
    sim.setSample(ml)
    sim.runSimulation()
    ref = sim.result().array()
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": 0.25, "divergence": {"alpha_i": {"type": "gaussian", "sigma": sig, "samples": 3}}},
           "detector": {"type": "spherical", "phi": [-2, 2, 20], "alpha": [0, 2, 15], "resolution": {"sigma": [0.1, 0.05]}},
           "sample": {"layers": [{}, SUB], "layouts": [{"approximation": "SSCA", "particles": [
               {"shape": {"type": "cylinder", "radius": r1, "height": r1}, "material": P, "abundance": 0.6},
               {"shape": {"type": "truncated_sphere", "radius": r2, "height": 1.5 * r2}, "material": P, "abundance": 0.4}],
               "interference": {"type": "radial_paracrystal", "peak_distance": dist, "damping_length": 1000, "omega": om,
                                "kappa": kap}}]}}
    img = g.simulate(cfg)
    assert np.max(np.abs(img - ref) / ref) < 1e-5  # truncated sphere: BornAgain integrates numerically


def test_cli_png_has_q_axes(beamkit_bin, tmp_path):
    # the log-scale PNG gets white margins with a frame, tick marks and numbers (black pixels) left of and
    # below the image; the image itself keeps its size inside the frame
    import subprocess
    Image = pytest.importorskip("PIL.Image")
    cfg = {"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "detector": {"type": "spherical", "phi": [-2, 2, 96], "alpha": [0, 2, 64]},
           "sample": {"layers": [{}, SUB], "layouts": [{"particles": [{"shape": CYL, "material": P}]}]}}
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    subprocess.run([str(beamkit_bin), "gisaxs", str(tmp_path / "c.json"), "-o", str(tmp_path / "c.h5"), "--png", str(tmp_path / "c.png")],
                   check=True)
    im = np.asarray(Image.open(tmp_path / "c.png").convert("RGB")).astype(int)
    H, W, _ = im.shape
    assert W > 96 + 40 and H > 64 + 30
    dark = im.sum(axis=2) == 0
    white = im.sum(axis=2) == 765
    # frame: find the image block (non-white, non-black colour-mapped pixels) and its bounding box
    inner = ~dark & ~white
    ys, xs = np.nonzero(inner)
    assert ys.max() - ys.min() + 1 == 64 and xs.max() - xs.min() + 1 == 96
    top, left = ys.min(), xs.min()
    assert dark[top - 1, left:left + 96].all() and dark[top:top + 64, left - 1].all()  # frame lines
    below, leftm = dark[top + 64 + 2:, :], dark[:, :left - 2]
    assert below.sum() > 100 and leftm.sum() > 100  # tick labels and axis titles
    # q_y = 0 lies at the middle of the detector: a tick mark below the frame there
    assert dark[top + 64 + 3, left + 47:left + 49].any()
