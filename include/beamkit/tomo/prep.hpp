// SPDX-License-Identifier: BSD-3-Clause
// Pre-processing of raw projections, one concept a header in tomo/prep/ (this file includes them all):
//   prep/normalize.hpp    frame_mean, frame_median, normalize (flat/dark, cutoff), normalize_bg, minus_log
//   prep/median.hpp       median_filter (2-D, per plane), remove_outlier (zingers)
//   prep/gaussian.hpp     gaussian_filter (2-D, per plane)
//   prep/downsample.hpp   downsample (binning by 2^level along one axis)
//   prep/wavelet.hpp      orthogonal wavelets (db1..db10, sym2..sym10) and the batched 2-D DWT
//   prep/stripe_fw.hpp    remove_stripe_fw (Muench et al. 2009, Fourier-wavelet)
//   prep/stripe_sort.hpp  remove_stripe_based_sorting (Vo et al. 2018, algorithm 3)
//   prep/phase.hpp        retrieve_phase (Paganin et al. 2002, TomoPy's single-distance filter)
//   prep/chain.hpp        PrepChain: "normalize,minus_log,stripe=fw,zinger=0.1" parsed and applied
//                         (include it separately; it includes this file)
// Views: proj [n_angles][n_slices][n_det] (LayoutRight), flat/dark [n_frames][n_slices][n_det].
#pragma once
#include <beamkit/tomo/prep/normalize.hpp>
#include <beamkit/tomo/prep/median.hpp>
#include <beamkit/tomo/prep/gaussian.hpp>
#include <beamkit/tomo/prep/downsample.hpp>
#include <beamkit/tomo/prep/wavelet.hpp>
#include <beamkit/tomo/prep/stripe_fw.hpp>
#include <beamkit/tomo/prep/stripe_sort.hpp>
#include <beamkit/tomo/prep/phase.hpp>
