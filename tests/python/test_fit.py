# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.fit: PSO in Python (vectorised / scalar / built-in objectives), reproducibility, callbacks,
bad input; least squares with uncertainties; scaled chi^2; comparison with pyswarms."""
import numpy as np
import pytest

import beamkit
from beamkit import fit


def rosen(X):
    return np.sum(100.0 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1 - X[:, :-1]) ** 2, axis=1)


def test_pso_vectorized_callable_finds_rosenbrock_minimum():
    r = fit.pso(rosen, ([-2] * 3, [2] * 3), n_particles=40, max_iter=3000, seed=1)
    assert r.cost < 1e-8
    np.testing.assert_allclose(r.x, 1.0, atol=1e-3)
    assert r.evaluations == 40 * 3001
    assert r.history.shape == (3001,)
    assert np.all(np.diff(r.history) <= 0)


def test_builtin_equals_python_callable_bit_for_bit():
    """The named objective runs in C++; the same function in numpy through the batch path must give
    the identical swarm (same seed, same random numbers)."""
    b = ([-5.0] * 4, [5.0] * 4)
    a = fit.pso("sphere", b, n_particles=16, max_iter=100, seed=42, topology="von_neumann")
    p = fit.pso(lambda X: np.sum(X * X, axis=1), b, n_particles=16, max_iter=100, seed=42, topology="von_neumann")
    s = fit.pso(lambda x: float(np.dot(x, x)), b, n_particles=16, max_iter=100, seed=42, topology="von_neumann",
                vectorized=False)
    np.testing.assert_array_equal(a.history, p.history)
    np.testing.assert_array_equal(a.x, p.x)
    np.testing.assert_array_equal(s.history, p.history)
    assert a.cost < 1e-6


def test_builtins_known_minima_and_float32():
    for name, bound in [("sphere", 5.0), ("ackley", 32.0), ("rastrigin", 5.12)]:
        r = fit.pso(name, ([-bound] * 2, [bound] * 2), n_particles=30, max_iter=500, seed=3)
        assert r.cost < 1e-8, name
        np.testing.assert_allclose(r.x, 0.0, atol=1e-4)
    r = fit.pso("rosenbrock", ([-2] * 2, [2] * 2), n_particles=30, max_iter=500, seed=3, dtype=np.float32)
    assert r.cost < 1e-4


def test_small_initial_velocities():
    a = fit.pso("sphere", ([-5] * 3, [5] * 3), n_particles=20, max_iter=300, seed=8, v_init=0.05)
    b = fit.pso("sphere", ([-5] * 3, [5] * 3), n_particles=20, max_iter=300, seed=8, v_init=0.05)
    c = fit.pso("sphere", ([-5] * 3, [5] * 3), n_particles=20, max_iter=300, seed=8)
    np.testing.assert_array_equal(a.history, b.history)
    assert a.history[1] != c.history[1] and a.history[0] == c.history[0]  # same start, different velocities
    assert a.cost < 1e-10


def test_callback_stops_and_sees_progress():
    seen = []

    def cb(it, best, x):
        seen.append((it, best, x.copy()))
        return it == 5

    r = fit.pso("rastrigin", ([-5.12] * 3, [5.12] * 3), n_particles=10, max_iter=100, callback=cb)
    assert r.stop_reason == "callback" and r.iterations == 5
    assert [s[0] for s in seen] == list(range(6))
    assert seen[-1][1] == r.cost
    np.testing.assert_array_equal(seen[-1][2], r.x)


def test_bounds_respected_by_python_objective():
    lo, hi = np.array([0.0, -1.0]), np.array([1.0, 2.0])
    for boundary in ("reflect", "clamp", "wrap"):
        def f(X):
            assert np.all(X >= lo) and np.all(X <= hi)
            return np.sum((X - 5.0) ** 2, axis=1)
        r = fit.pso(f, (lo, hi), n_particles=12, max_iter=100, seed=0, boundary=boundary, v_max=0)
        if boundary == "clamp":
            np.testing.assert_allclose(r.x, hi, atol=1e-12)  # particles stop on the wall
        elif boundary == "reflect":
            np.testing.assert_allclose(r.x, hi, atol=1e-4)   # bounced back: approach the wall from inside


def test_bad_input_raises_valueerror():
    with pytest.raises(ValueError, match="bounds of dimension 0"):
        fit.pso("sphere", ([1.0], [0.0]))
    with pytest.raises(ValueError, match="'bogus'"):
        fit.pso("bogus", ([0.0], [1.0]))
    with pytest.raises(ValueError, match="topology"):
        fit.pso("sphere", ([0.0], [1.0]), topology="star")
    with pytest.raises(ValueError, match="returned 3 values"):
        fit.pso(lambda X: np.zeros(3), ([0.0], [1.0]), n_particles=5)
    with pytest.raises(ValueError, match="n_particles"):
        fit.pso("sphere", ([0.0], [1.0]), n_particles=0)
    with pytest.raises(ValueError, match="v_init"):
        fit.pso("sphere", ([0.0], [1.0]), v_init=float("nan"))
    with pytest.raises(ZeroDivisionError):
        fit.pso(lambda X: 1 / 0, ([0.0], [1.0]), n_particles=5)


def test_elitist_learning_same_budget_reproducible_and_validated():
    """elitist=k: the named objective (C++) and the numpy callable (batch path) give the identical
    swarm; the evaluation count is unchanged; it converges on the sphere; the option changes the
    trajectory; and bad values raise ValueError naming them."""
    b = ([-5.12] * 6, [5.12] * 6)
    kw = dict(n_particles=20, max_iter=300, seed=5, boundary="wrap", elitist=5)
    a = fit.pso("sphere", b, **kw)
    p = fit.pso(lambda X: np.sum(X * X, axis=1), b, **kw)
    np.testing.assert_array_equal(a.history, p.history)
    np.testing.assert_array_equal(a.x, p.x)
    assert a.evaluations == p.evaluations == 20 * 301
    assert a.cost < 1e-10
    off = fit.pso("sphere", b, **dict(kw, elitist=0))
    assert not np.array_equal(off.history, a.history)
    const = fit.pso("sphere", b, **dict(kw, elitist_sigma=0.3))
    assert not np.array_equal(const.history, a.history)
    with pytest.raises(ValueError, match="elitist = 20"):
        fit.pso("sphere", ([0.0], [1.0]), n_particles=20, elitist=20)
    with pytest.raises(ValueError, match="elitist"):
        fit.pso("sphere", ([0.0], [1.0]), elitist=-2)
    with pytest.raises(ValueError, match="elitist_sigma.*0"):
        fit.pso("sphere", ([0.0], [1.0]), elitist=4, elitist_sigma=(0.0, 0.1))
    with pytest.raises(ValueError, match="elitist_sigma"):
        fit.pso("sphere", ([0.0], [1.0]), elitist=4, elitist_sigma=(1.0, 0.5, 0.1))


def test_least_squares_recovers_parameters_within_uncertainty():
    rng = np.random.default_rng(5)
    t = np.linspace(0, 5, 120)
    truth = np.array([3.0, 0.8, 1.7, 0.25])  # A, tau, omega, c
    sig = 0.05

    def model(p):
        return p[0] * np.exp(-t / p[1]) * np.cos(p[2] * t) + p[3]

    y = model(truth) + rng.normal(0, sig, t.size)
    # global search with pso on chi^2, then LM refinement
    g = fit.pso(lambda P: np.array([np.sum(((model(p) - y) / sig) ** 2) for p in P]),
                ([0.1, 0.1, 0.5, -1.0], [10, 5, 5, 1]), n_particles=40, max_iter=150, seed=2)
    r = fit.least_squares(lambda p: (model(p) - y) / sig, g.x, absolute_sigma=True)
    assert r.converged
    assert np.all(np.abs(r.x - truth) < 3 * r.stderr), (r.x, r.stderr)
    assert 0.7 < r.reduced_chi2 < 1.4
    # against scipy-free closed reasoning: the covariance is symmetric positive definite
    np.testing.assert_allclose(r.covariance, r.covariance.T, rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(r.covariance) > 0)
    u = fit.lsq_uncertainty(lambda p: (model(p) - y) / sig, r.x, absolute_sigma=True)
    np.testing.assert_allclose(u.stderr, r.stderr, rtol=1e-6)


def test_least_squares_linear_matches_numpy_lstsq():
    rng = np.random.default_rng(0)
    X = np.c_[np.ones(40), rng.normal(size=(40, 2))]
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, 40)
    r = fit.least_squares(lambda p: X @ p - y, np.zeros(3))
    beta, ssr, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(r.x, beta, rtol=1e-8)
    cov = ssr[0] / (40 - 3) * np.linalg.inv(X.T @ X)
    np.testing.assert_allclose(r.covariance, cov, rtol=1e-6)


def test_nelder_mead_bounded():
    r = fit.nelder_mead(lambda x: (x[0] - 3) ** 2 + (x[1] + 1) ** 2, [0.0, 0.0], bounds=([-1, -2], [2, 2]))
    np.testing.assert_allclose(r.x, [2.0, -1.0], atol=1e-6)
    with pytest.raises(ValueError, match="x0"):
        fit.nelder_mead(lambda x: 0.0, [np.nan])


def test_scaled_chi2_closed_form():
    rng = np.random.default_rng(1)
    model = rng.uniform(1, 50, (20, 30))
    data = rng.poisson(4 * model + 10).astype(float)
    mask = np.ones_like(data, bool)
    mask[:3] = False
    r = fit.scaled_chi2(model, data, mask, sigma=None, transform="linear", residuals=True)
    w = 1 / np.maximum(data[mask], 1)
    A = np.c_[model[mask], np.ones(mask.sum())] * np.sqrt(w)[:, None]
    (a, b), *_ = np.linalg.lstsq(A, data[mask] * np.sqrt(w), rcond=None)
    assert r["scale"] == pytest.approx(a, rel=1e-10)
    assert r["background"] == pytest.approx(b, rel=1e-8)
    assert r["chi2"] == pytest.approx(np.sum(w * (a * model[mask] + b - data[mask]) ** 2), rel=1e-10)
    assert r["n_used"] == mask.sum()
    assert r["residuals"].shape == data.shape and np.all(r["residuals"][:3] == 0)
    assert 0.8 < r["chi2"] / (mask.sum() - 2) < 1.2  # Poisson data: reduced chi2 ~ 1
    with pytest.raises(ValueError, match="shape"):
        fit.scaled_chi2(model, data[:5])


def test_against_pyswarms_on_sphere_and_rastrigin():
    """Same algorithm and coefficients as pyswarms' GlobalBestPSO (periodic walls, no velocity clamp):
    the best costs over seeds agree in distribution."""
    ps = pytest.importorskip("pyswarms")
    import logging
    logging.disable(logging.CRITICAL)
    opts = {"c1": 1.49618, "c2": 1.49618, "w": 0.7298}
    b = 5.12
    ours, theirs = [], []
    for seed in range(4):
        ours.append(fit.pso("rastrigin", ([-b] * 10, [b] * 10), n_particles=30, max_iter=300, seed=seed,
                            boundary="wrap", v_max=0).cost)
        np.random.seed(seed)
        o = ps.single.GlobalBestPSO(n_particles=30, dimensions=10, options=opts, bounds=(-b * np.ones(10), b * np.ones(10)))
        c, _ = o.optimize(lambda X: 10 * X.shape[1] + np.sum(X * X - 10 * np.cos(2 * np.pi * X), axis=1), iters=300,
                          verbose=False)
        theirs.append(c)
    # 10-D Rastrigin, 9000 evaluations: both land in local minima of a few units; medians within a factor 2.5
    assert np.median(ours) < 2.5 * np.median(theirs) + 1.0
    assert np.median(theirs) < 2.5 * np.median(ours) + 1.0
    r = fit.pso("sphere", ([-5] * 10, [5] * 10), n_particles=30, max_iter=300, seed=0, boundary="wrap", v_max=0)
    np.random.seed(0)
    o = ps.single.GlobalBestPSO(n_particles=30, dimensions=10, options=opts, bounds=(-5 * np.ones(10), 5 * np.ones(10)))
    c, _ = o.optimize(lambda X: np.sum(X * X, axis=1), iters=300, verbose=False)
    assert r.cost < 1e-6 and c < 1e-6


def test_image_fit_with_profiled_scale_background():
    """Model image vs data image: the shape parameters of a 2-D Gaussian peak on a background, with the
    scale and background solved analytically inside every evaluation (scaled_chi2 residuals) and the
    shape fitted by pso + least_squares; Poisson data, truth within 3 reported sigmas."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:48, 0:64].astype(float)

    def shape(p):  # centre x, centre y, width
        return np.exp(-((xx - p[0]) ** 2 + (yy - p[1]) ** 2) / (2 * p[2] ** 2))

    truth = np.array([30.3, 21.7, 5.2])
    data = rng.poisson(400 * shape(truth) + 20).astype(float)
    mask = np.ones(data.shape, bool)
    mask[:, :4] = False  # e.g. a detector gap

    def resid(p):
        return fit.scaled_chi2(shape(p), data, mask, transform="linear", residuals=True)["residuals"][mask]

    g = fit.pso(lambda P: np.array([np.sum(resid(p) ** 2) for p in P]), ([5, 5, 1], [60, 44, 15]),
                n_particles=24, max_iter=60, seed=1)
    r = fit.least_squares(resid, g.x, absolute_sigma=True)
    assert np.all(np.abs(r.x - truth) < 3 * r.stderr), (r.x, r.stderr)
    assert np.all(r.stderr < [0.1, 0.1, 0.1])
    c = fit.scaled_chi2(shape(r.x), data, mask, transform="linear")
    assert c["scale"] == pytest.approx(400, rel=0.03)
    # sigma^2 = data (Neyman's chi^2) biases a Poisson mean low by ~1 count: 20 -> ~19
    assert c["background"] == pytest.approx(19.0, abs=0.4)
    assert 0.85 < r.reduced_chi2 < 1.15
