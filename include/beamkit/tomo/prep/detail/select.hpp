// SPDX-License-Identifier: BSD-3-Clause
// Device-callable helpers shared by the pre-processing kernels: scipy.ndimage's 'reflect' boundary
// (d c b a | a b c d | d c b a), k-th smallest by Wirth's selection, and heap sort with an index
// payload. All work on raw pointers into a thread's own buffer or a contiguous View row.
#pragma once
#include <Kokkos_Core.hpp>

namespace beamkit::tomo::detail {

/// Index i mapped into [0, n) by half-sample symmetric reflection (period 2n), as scipy's 'reflect'.
KOKKOS_INLINE_FUNCTION int reflect_index(int i, int n) {
  if (n == 1) return 0;
  const int p = 2 * n;
  i %= p;
  if (i < 0) i += p;
  return i >= n ? p - 1 - i : i;
}

KOKKOS_INLINE_FUNCTION int clamp_index(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

template <class T> KOKKOS_INLINE_FUNCTION void swap_values(T& a, T& b) {
  const T t = a;
  a = b;
  b = t;
}

/// The k-th smallest of v[0..n) (0-based); reorders v. Wirth's algorithm (Hoare partitioning).
template <class T> KOKKOS_INLINE_FUNCTION T select_kth(T* v, int n, int k) {
  int l = 0, r = n - 1;
  while (l < r) {
    const T x = v[k];
    int i = l, j = r;
    do {
      while (v[i] < x) ++i;
      while (x < v[j]) --j;
      if (i <= j) {
        swap_values(v[i], v[j]);
        ++i;
        --j;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return v[k];
}

/// Restore the max-heap property below `root` in key[0..end), permuting idx alongside (idx may be null).
template <class T> KOKKOS_INLINE_FUNCTION void sift_down(T* key, int* idx, int root, int end) {
  while (true) {
    int child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && key[child] < key[child + 1]) ++child;
    if (!(key[root] < key[child])) return;
    swap_values(key[root], key[child]);
    if (idx) swap_values(idx[root], idx[child]);
    root = child;
  }
}

/// Ascending heap sort of key[0..n), permuting idx[0..n) alongside when idx is not null (ties: any order).
template <class T> KOKKOS_INLINE_FUNCTION void heap_sort_with_index(T* key, int* idx, int n) {
  for (int s = n / 2 - 1; s >= 0; --s) sift_down(key, idx, s, n);
  for (int end = n - 1; end > 0; --end) {
    swap_values(key[0], key[end]);
    if (idx) swap_values(idx[0], idx[end]);
    sift_down(key, idx, 0, end);
  }
}

/// Ascending heap sort of v[0..n).
template <class T> KOKKOS_INLINE_FUNCTION void heap_sort(T* v, int n) { heap_sort_with_index(v, static_cast<int*>(nullptr), n); }

}  // namespace beamkit::tomo::detail
