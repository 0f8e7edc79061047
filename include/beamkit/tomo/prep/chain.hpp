// SPDX-License-Identifier: BSD-3-Clause
// A pre-processing chain written as one string, for the CLI (`beamkit recon --prep ...`) and for C++
// pipelines that work on chunks of slices:
//
//   auto chain = beamkit::tomo::parse_prep_chain("normalize,zinger=0.1,minus_log,stripe=fw");
//   auto rep = beamkit::tomo::apply(space, chain, block, flat_frames, dark_frames);  // in place
//
// Steps run left to right on a block [n_angles][n_slices][n_det]; each item is
// `name[=value][:key=value]...`:
//   normalize[=mean|median][:cutoff=C]     flat/dark correction (needs the flat and dark frames)
//   normalize_bg[=AIR]                     TomoPy's normalize_bg (AIR edge pixels, default 1)
//   minus_log                              -log, non-positive values clipped (counted in the report)
//   zinger=DIF[:size=N]                    remove_outlier on each projection (N x N median, default 3)
//   median=N                               N x N median filter of each projection
//   gaussian=SIGMA                         Gaussian filter of each projection
//   stripe=fw[:level=L:wname=db5:sigma=2:pad=1]   Muench's Fourier-wavelet stripe removal
//   stripe=sort[:size=N:dim=1]             Vo's sorting-based stripe removal
//   phase[:pixel_size=1e-4:dist=50:energy=20:alpha=1e-3:pad=1]   Paganin (TomoPy's retrieve_phase)
// Stripe removal works on whole sinograms, which a chunk of slices holds. zinger, median, gaussian and
// phase work on projections, so a chunk's first and last slices need neighbours: halo() is the number
// of extra slices to read on each side (the sum over those steps) and to drop after apply().
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace beamkit::tomo {

enum class PrepKind { normalize, normalize_bg, minus_log, zinger, median, gaussian, stripe_fw, stripe_sort, phase };

struct PrepStep {
  PrepKind kind = PrepKind::minus_log;
  bool median_average = false;  ///< normalize: flat/dark averaged by median instead of mean
  double cutoff = 0;            ///< normalize: upper clip (0: none)
  int air = 1;                  ///< normalize_bg
  double dif = 0;               ///< zinger threshold
  int size = 3;                 ///< zinger / median window; stripe=sort window (0: TomoPy's default)
  int dim = 1;                  ///< stripe=sort
  double sigma = 0;             ///< gaussian
  StripeFwOptions fw;           ///< stripe=fw
  PhaseOptions phase;           ///< phase
  std::string text;             ///< the item as written

  /// Extra slices this step needs on each side of a chunk.
  int halo() const {
    switch (kind) {
      case PrepKind::zinger:
      case PrepKind::median: return size / 2;
      case PrepKind::gaussian: return int(4 * sigma + 0.5);
      case PrepKind::phase: return phase_halo(phase);
      default: return 0;
    }
  }
};

struct PrepChain {
  std::vector<PrepStep> steps;
  bool empty() const { return steps.empty(); }
  bool has(PrepKind k) const {
    for (const auto& s : steps)
      if (s.kind == k) return true;
    return false;
  }
  /// Slices of context on each side a chunk needs (0 when only per-sinogram/per-pixel steps).
  int halo() const {
    int h = 0;
    for (const auto& s : steps) h += s.halo();
    return h;
  }
  std::string str() const {
    std::string r;
    for (const auto& s : steps) r += (r.empty() ? "" : ",") + s.text;
    return r;
  }
};

/// What apply() did that a caller may want to report.
struct PrepReport {
  long clipped = 0;  ///< values <= 0 clipped by minus_log
  long zingers = 0;  ///< values replaced by zinger removal
};

namespace detail {
inline double prep_number(const std::string& v, const std::string& item, const char* key) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x))
    fail(errc::invalid_argument, "beamkit::tomo::parse_prep_chain",
         cat("'", key, "' in '", item, "' must be a number, got '", v, "'"));
  return x;
}
inline int prep_int(const std::string& v, const std::string& item, const char* key) {
  const double x = prep_number(v, item, key);
  if (x != std::floor(x) || std::fabs(x) > 1e9)
    fail(errc::invalid_argument, "beamkit::tomo::parse_prep_chain", cat("'", key, "' in '", item, "' must be an integer, got '", v, "'"));
  return int(x);
}
}  // namespace detail

/// Parse "normalize,minus_log,stripe=fw,zinger=0.1"; unknown names or bad values throw
/// beamkit::error(invalid_argument) naming the item.
inline PrepChain parse_prep_chain(const std::string& spec) {
  constexpr const char* where = "beamkit::tomo::parse_prep_chain";
  PrepChain chain;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    std::size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    // trim blanks
    while (!item.empty() && (item.front() == ' ')) item.erase(item.begin());
    while (!item.empty() && (item.back() == ' ')) item.pop_back();
    if (item.empty()) {
      if (spec.find_first_not_of(' ') == std::string::npos) break;
      fail(errc::invalid_argument, where, cat("empty step in '", spec, "'"));
    }
    // split "head:key=value:key=value", head = "name[=value]"
    std::vector<std::string> parts;
    std::size_t p = 0;
    while (true) {
      const std::size_t c = item.find(':', p);
      parts.push_back(item.substr(p, c == std::string::npos ? std::string::npos : c - p));
      if (c == std::string::npos) break;
      p = c + 1;
    }
    const std::string head = parts[0];
    const std::size_t eq = head.find('=');
    const std::string name = head.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : head.substr(eq + 1);
    PrepStep st;
    st.text = item;
    auto no_value = [&]() {
      if (!value.empty()) fail(errc::invalid_argument, where, cat("'", name, "' takes no value, got '", item, "'"));
    };
    if (name == "normalize") {
      st.kind = PrepKind::normalize;
      if (value == "median") st.median_average = true;
      else if (!value.empty() && value != "mean")
        fail(errc::invalid_argument, where, cat("normalize averages flats/darks by 'mean' or 'median', got '", value, "'"));
    } else if (name == "normalize_bg") {
      st.kind = PrepKind::normalize_bg;
      if (!value.empty()) st.air = detail::prep_int(value, item, "air");
    } else if (name == "minus_log") {
      st.kind = PrepKind::minus_log;
      no_value();
    } else if (name == "zinger" || name == "outlier") {
      st.kind = PrepKind::zinger;
      if (value.empty()) fail(errc::invalid_argument, where, cat("'", item, "' needs a threshold: zinger=DIF"));
      st.dif = detail::prep_number(value, item, "dif");
    } else if (name == "median") {
      st.kind = PrepKind::median;
      st.size = value.empty() ? 3 : detail::prep_int(value, item, "size");
    } else if (name == "gaussian") {
      st.kind = PrepKind::gaussian;
      st.sigma = value.empty() ? 3.0 : detail::prep_number(value, item, "sigma");
    } else if (name == "stripe") {
      if (value == "fw" || value.empty()) {
        st.kind = PrepKind::stripe_fw;
      } else if (value == "sort" || value == "sorting") {
        st.kind = PrepKind::stripe_sort;
        st.size = 0;
      } else {
        fail(errc::invalid_argument, where, cat("stripe removal method must be 'fw' or 'sort', got '", value, "'"));
      }
    } else if (name == "phase" || name == "paganin") {
      st.kind = PrepKind::phase;
      no_value();
    } else {
      fail(errc::invalid_argument, where,
           cat("unknown step '", name, "' in '", spec,
               "' (known: normalize, normalize_bg, minus_log, zinger, median, gaussian, stripe=fw|sort, phase)"));
    }
    for (std::size_t k = 1; k < parts.size(); ++k) {
      const std::size_t e = parts[k].find('=');
      if (e == std::string::npos) fail(errc::invalid_argument, where, cat("option '", parts[k], "' in '", item, "' is not key=value"));
      const std::string key = parts[k].substr(0, e), v = parts[k].substr(e + 1);
      bool ok = true;
      switch (st.kind) {
        case PrepKind::normalize:
          if (key == "cutoff") st.cutoff = detail::prep_number(v, item, "cutoff");
          else ok = false;
          break;
        case PrepKind::normalize_bg:
          if (key == "air") st.air = detail::prep_int(v, item, "air");
          else ok = false;
          break;
        case PrepKind::zinger:
          if (key == "size") st.size = detail::prep_int(v, item, "size");
          else ok = false;
          break;
        case PrepKind::stripe_fw:
          if (key == "level") st.fw.level = detail::prep_int(v, item, "level");
          else if (key == "wname") st.fw.wname = v;
          else if (key == "sigma") st.fw.sigma = detail::prep_number(v, item, "sigma");
          else if (key == "pad") st.fw.pad = detail::prep_int(v, item, "pad") != 0;
          else ok = false;
          break;
        case PrepKind::stripe_sort:
          if (key == "size") st.size = detail::prep_int(v, item, "size");
          else if (key == "dim") st.dim = detail::prep_int(v, item, "dim");
          else ok = false;
          break;
        case PrepKind::phase:
          if (key == "pixel_size") st.phase.pixel_size = detail::prep_number(v, item, "pixel_size");
          else if (key == "dist") st.phase.dist = detail::prep_number(v, item, "dist");
          else if (key == "energy") st.phase.energy = detail::prep_number(v, item, "energy");
          else if (key == "alpha") st.phase.alpha = detail::prep_number(v, item, "alpha");
          else if (key == "pad") st.phase.pad = detail::prep_int(v, item, "pad") != 0;
          else ok = false;
          break;
        default: ok = false;
      }
      if (!ok) fail(errc::invalid_argument, where, cat("unknown option '", key, "' for step '", item, "'"));
    }
    // value checks that do not need the data
    switch (st.kind) {
      case PrepKind::normalize: check::non_negative(st.cutoff, where, "cutoff"); break;
      case PrepKind::normalize_bg: check::require(st.air >= 1, where, cat("'air' in '", item, "' must be >= 1")); break;
      case PrepKind::zinger:
      case PrepKind::median: detail::check_median_window(st.size, st.size, where); break;
      case PrepKind::gaussian: check::require(st.sigma > 0 && st.sigma < 1000, where, cat("'sigma' in '", item, "' must be in (0, 1000)")); break;
      case PrepKind::stripe_fw:
        check::require(st.fw.level >= 0 && st.fw.level <= 30, where, cat("'level' in '", item, "' must be in [0, 30]"));
        check::positive(st.fw.sigma, where, "sigma");
        (void)wavelet(st.fw.wname, where);
        break;
      case PrepKind::stripe_sort:
        check::require(st.dim == 1 || st.dim == 2, where, cat("'dim' in '", item, "' must be 1 or 2"));
        check::require(st.size >= 0, where, cat("'size' in '", item, "' must be >= 1"));
        break;
      case PrepKind::phase: detail::check_phase(st.phase, where); break;
      default: break;
    }
    chain.steps.push_back(st);
  }
  return chain;
}

/// Run the chain in place on block [n_angles][n_slices][n_det]. flat/dark: raw frames
/// [n_frames][n_slices][n_det] for the same slices (may be empty Views when the chain has no normalize).
template <class ExecSpace, class BlockView, class FrameView>
PrepReport apply(const ExecSpace& space, const PrepChain& chain, const BlockView& block, const FrameView& flat,
                 const FrameView& dark) {
  using Real = typename BlockView::non_const_value_type;
  using Mem = typename ExecSpace::memory_space;
  static_assert(BlockView::rank == 3 && FrameView::rank == 3, "beamkit::tomo::apply(PrepChain): rank-3 views");
  constexpr const char* where = "beamkit::tomo::apply";
  const int S = int(block.extent(1)), n = int(block.extent(2));
  PrepReport rep;
  for (const auto& st : chain.steps) {
    switch (st.kind) {
      case PrepKind::normalize: {
        check::require(flat.extent(0) > 0 && dark.extent(0) > 0, where,
                       cat("step '", st.text, "' needs flat and dark fields, and there are none"));
        check::require(int(flat.extent(1)) == S && int(flat.extent(2)) == n && int(dark.extent(1)) == S && int(dark.extent(2)) == n,
                       where, cat("flat/dark frames are (", flat.extent(1), ", ", flat.extent(2), ") / (", dark.extent(1), ", ",
                                  dark.extent(2), "), the block has (", S, ", ", n, ") per projection"));
        View2<Real, Mem> fm("beamkit::tomo::prep_flat", S, n), dm("beamkit::tomo::prep_dark", S, n);
        if (st.median_average) {
          frame_median(space, flat, fm);
          frame_median(space, dark, dm);
        } else {
          frame_mean(space, flat, fm);
          frame_mean(space, dark, dm);
        }
        normalize(space, block, fm, dm, st.cutoff);
        break;
      }
      case PrepKind::normalize_bg: normalize_bg(space, block, st.air); break;
      case PrepKind::minus_log: rep.clipped += minus_log(space, block); break;
      case PrepKind::zinger: rep.zingers += remove_outlier(space, block, st.dif, st.size); break;
      case PrepKind::median: {
        View3<Real, Mem> tmp(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::prep_median"), block.extent(0),
                             block.extent(1), block.extent(2));
        median_filter(space, block, tmp, st.size, st.size);
        Kokkos::deep_copy(space, block, tmp);
        break;
      }
      case PrepKind::gaussian: gaussian_filter(space, block, block, st.sigma, st.sigma); break;
      case PrepKind::stripe_fw: remove_stripe_fw(space, block, st.fw); break;
      case PrepKind::stripe_sort: remove_stripe_based_sorting(space, block, st.size, st.dim); break;
      case PrepKind::phase: retrieve_phase(space, block, st.phase); break;
    }
  }
  space.fence();
  return rep;
}

}  // namespace beamkit::tomo
