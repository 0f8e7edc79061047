// SPDX-License-Identifier: BSD-3-Clause
// FFTW plumbing behind beamkit::fft::Plan for host execution spaces.
#include <beamkit/config.hpp>
#include <beamkit/fft/plan.hpp>
#include <cstdio>
#include <cstdlib>
#include <fftw3.h>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace beamkit::fft::detail {

namespace {
std::mutex& planner_mutex() {  // FFTW's planner is not thread-safe; fftw_execute_* is.
  static std::mutex m;
  return m;
}

// FFTW wisdom (what FFTW_MEASURE learned) is kept in a per-user cache so that measured plans cost
// their planning time once per machine, not once per process:
//   $BEAMKIT_FFTW_WISDOM (a directory; "0" disables), else $XDG_CACHE_HOME/beamkit, else ~/.cache/beamkit.
std::string wisdom_dir() {
  if (const char* e = std::getenv("BEAMKIT_FFTW_WISDOM")) return std::string(e) == "0" ? std::string() : std::string(e);
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/beamkit";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/beamkit";
  return {};
}

template <class Import, class Export> struct Wisdom {
  std::string file;
  bool loaded = false;
  void load(const char* name, Import imp) {
    if (loaded) return;
    loaded = true;
    const std::string dir = wisdom_dir();
    if (dir.empty()) return;
    file = dir + "/" + name;
    imp(file.c_str());  // a missing or stale file is simply ignored by FFTW
  }
  void save(Export exp) const {
    if (file.empty()) return;
    const std::string dir = file.substr(0, file.rfind('/'));
    ::mkdir(dir.substr(0, dir.rfind('/')).c_str(), 0755);
    ::mkdir(dir.c_str(), 0755);
    const std::string tmp = file + ".partial-" + std::to_string(::getpid());
    if (exp(tmp.c_str())) std::rename(tmp.c_str(), file.c_str());
    else std::remove(tmp.c_str());
  }
};

template <class Real> struct Fftw;
template <> struct Fftw<double> {
  using plan = fftw_plan;
  using cpx = fftw_complex;
  static void* malloc(std::size_t n) { return fftw_malloc(n); }
  static void free(void* p) { fftw_free(p); }
  static auto& wisdom() {
    static Wisdom<int (*)(const char*), int (*)(const char*)> w;
    return w;
  }
  static void load_wisdom() { wisdom().load("fftw3.wisdom", &fftw_import_wisdom_from_filename); }
  static void save_wisdom() { wisdom().save(&fftw_export_wisdom_to_filename); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
  static int alignment_of(const void* p) { return fftw_alignment_of((double*)p); }
  static void threads(int n) {
#if BEAMKIT_HAS_FFTW_OMP
    static bool once = (fftw_init_threads(), true);
    (void)once;
    fftw_plan_with_nthreads(n);
#else
    (void)n;
#endif
  }
  static plan c2c(int r, const int* n, int hm, int stride, int dist, cpx* i, cpx* o, int sign, unsigned f) {
    return fftw_plan_many_dft(r, n, hm, i, nullptr, stride, dist, o, nullptr, stride, dist, sign, f);
  }
  static plan r2c(int r, const int* n, int hm, double* i, cpx* o, int din, int dout, unsigned f) {
    return fftw_plan_many_dft_r2c(r, n, hm, i, nullptr, 1, din, o, nullptr, 1, dout, f);
  }
  static plan c2r(int r, const int* n, int hm, cpx* i, double* o, int din, int dout, unsigned f) {
    return fftw_plan_many_dft_c2r(r, n, hm, i, nullptr, 1, din, o, nullptr, 1, dout, f);
  }
  static void exec_c2c(plan p, void* i, void* o) { fftw_execute_dft(p, (cpx*)i, (cpx*)o); }
  static void exec_r2c(plan p, void* i, void* o) { fftw_execute_dft_r2c(p, (double*)i, (cpx*)o); }
  static void exec_c2r(plan p, void* i, void* o) { fftw_execute_dft_c2r(p, (cpx*)i, (double*)o); }
};
template <> struct Fftw<float> {
  using plan = fftwf_plan;
  using cpx = fftwf_complex;
  static void* malloc(std::size_t n) { return fftwf_malloc(n); }
  static void free(void* p) { fftwf_free(p); }
  static auto& wisdom() {
    static Wisdom<int (*)(const char*), int (*)(const char*)> w;
    return w;
  }
  static void load_wisdom() { wisdom().load("fftw3f.wisdom", &fftwf_import_wisdom_from_filename); }
  static void save_wisdom() { wisdom().save(&fftwf_export_wisdom_to_filename); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
  static int alignment_of(const void* p) { return fftwf_alignment_of((float*)p); }
  static void threads(int n) {
#if BEAMKIT_HAS_FFTW_OMP
    static bool once = (fftwf_init_threads(), true);
    (void)once;
    fftwf_plan_with_nthreads(n);
#else
    (void)n;
#endif
  }
  static plan c2c(int r, const int* n, int hm, int stride, int dist, cpx* i, cpx* o, int sign, unsigned f) {
    return fftwf_plan_many_dft(r, n, hm, i, nullptr, stride, dist, o, nullptr, stride, dist, sign, f);
  }
  static plan r2c(int r, const int* n, int hm, float* i, cpx* o, int din, int dout, unsigned f) {
    return fftwf_plan_many_dft_r2c(r, n, hm, i, nullptr, 1, din, o, nullptr, 1, dout, f);
  }
  static plan c2r(int r, const int* n, int hm, cpx* i, float* o, int din, int dout, unsigned f) {
    return fftwf_plan_many_dft_c2r(r, n, hm, i, nullptr, 1, din, o, nullptr, 1, dout, f);
  }
  static void exec_c2c(plan p, void* i, void* o) { fftwf_execute_dft(p, (cpx*)i, (cpx*)o); }
  static void exec_r2c(plan p, void* i, void* o) { fftwf_execute_dft_r2c(p, (float*)i, (cpx*)o); }
  static void exec_c2r(plan p, void* i, void* o) { fftwf_execute_dft_c2r(p, (cpx*)i, (float*)o); }
};
}  // namespace

template <class Real> struct FftwPlan<Real>::Impl {
  using F = Fftw<Real>;
  Layout layout;
  int nthreads;
  unsigned base_flags;
  // [direction][in_place][unaligned]
  mutable typename F::plan plans[2][2][2] = {};

  typename F::plan get(Direction dir, bool in_place, bool unaligned) const {
    auto& slot = plans[dir == Direction::backward][in_place][unaligned];
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (slot) return slot;
    const Layout& L = layout;
    const std::size_t nlog = L.logical_size() * L.howmany, ncpx = L.strided() ? L.span() : L.complex_size() * L.howmany;
    // Plan on scratch arrays (FFTW_MEASURE overwrites them); execution uses the new-array interface,
    // valid for any arrays of the same in-place-ness and alignment.
    const std::size_t in_bytes = (L.kind == Kind::r2c ? nlog * sizeof(Real) : ncpx * 2 * sizeof(Real));
    const std::size_t out_bytes = (L.kind == Kind::c2r ? nlog * sizeof(Real) : ncpx * 2 * sizeof(Real));
    void* in = F::malloc(in_bytes + 16);
    void* out = in_place ? in : F::malloc(out_bytes + 16);
    // An unaligned plan is made on deliberately offset arrays so FFTW never assumes SIMD alignment.
    char* ip = static_cast<char*>(in) + (unaligned ? sizeof(Real) : 0);
    char* op = in_place ? ip : static_cast<char*>(out) + (unaligned ? sizeof(Real) : 0);
    const unsigned flags = base_flags | (unaligned ? FFTW_UNALIGNED : 0u);
    F::threads(nthreads);
    const bool measured = (flags & FFTW_ESTIMATE) == 0;  // FFTW_MEASURE is the absence of FFTW_ESTIMATE (0)
    if (measured) F::load_wisdom();
    const int rank = int(L.dims.size());
    const int din = int(L.kind == Kind::c2r ? L.complex_size() : L.logical_size());
    const int dout = int(L.kind == Kind::r2c ? L.complex_size() : L.logical_size());
    switch (L.kind) {
      case Kind::c2c:
        slot = F::c2c(rank, L.dims.data(), L.howmany, L.strided() ? L.stride : 1, L.strided() ? L.dist : int(L.logical_size()),
                      (typename F::cpx*)ip, (typename F::cpx*)op,
                      dir == Direction::forward ? FFTW_FORWARD : FFTW_BACKWARD, flags);
        break;
      case Kind::r2c:
        slot = F::r2c(rank, L.dims.data(), L.howmany, (Real*)ip, (typename F::cpx*)op, din, dout, flags);
        break;
      case Kind::c2r:
        slot = F::c2r(rank, L.dims.data(), L.howmany, (typename F::cpx*)ip, (Real*)op, din, dout, flags);
        break;
    }
    if (!in_place) F::free(out);
    F::free(in);
    if (!slot) fail(errc::runtime, "beamkit::fft::Plan", "FFTW could not create a plan");
    if (measured) F::save_wisdom();
    return slot;
  }

  ~Impl() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    for (auto& a : plans)
      for (auto& b : a)
        for (auto& p : b)
          if (p) F::destroy(p);
  }
};

template <class Real>
FftwPlan<Real>::FftwPlan(const Layout& layout, int nthreads, bool measure)
    : m_impl(new Impl{layout, nthreads < 1 ? 1 : nthreads, measure ? unsigned(FFTW_MEASURE) : unsigned(FFTW_ESTIMATE)}),
      m_layout(layout) {}

template <class Real> FftwPlan<Real>::~FftwPlan() = default;

template <class Real> void FftwPlan<Real>::execute(Direction dir, const void* in, void* out) const {
  using F = Fftw<Real>;
  void* i = const_cast<void*>(in);
  const bool in_place = (i == out);
  const bool unaligned = F::alignment_of(i) != 0 || F::alignment_of(out) != 0;
  auto p = m_impl->get(dir, in_place, unaligned);
  switch (m_layout.kind) {
    case Kind::c2c: F::exec_c2c(p, i, out); break;
    case Kind::r2c: F::exec_r2c(p, i, out); break;
    case Kind::c2r: F::exec_c2r(p, i, out); break;
  }
}

template class FftwPlan<float>;
template class FftwPlan<double>;

}  // namespace beamkit::fft::detail
