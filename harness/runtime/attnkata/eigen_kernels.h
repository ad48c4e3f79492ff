// Eigen's float and double matrix-product kernels, instantiated once (eigen_kernels.cpp, linked into every graded binary)
// instead of in every file that multiplies matrices. Declared extern in the precompiled headers, this saves a
// learner's compile about 0.7 s of its ~2.4 s. The types follow the instantiations g++ 12 makes for
// MatrixXf products with and without transposes (gebp_traits carry the SIMD block sizes for the flags in use).
#pragma once

#include <attnkata/attn.h>

#ifdef ATTNKATA_INSTANTIATE_EIGEN_KERNELS
#define ATTNKATA_KERNEL template
#else
#define ATTNKATA_KERNEL extern template
#endif

namespace Eigen::internal {

template <class T>
using attnkata_traits = gebp_traits<T, T>;
template <class T, int Order>
using attnkata_map = const_blas_data_mapper<T, Index, Order>;

// One scalar type's kernels: C = A B for each storage order of A and B (a transpose flips the order), C
// column-major; the register-blocked micro-kernel and the packing routines it reads from; y = A x with A column- or
// row-major. For float (attn::Mat) and double (the problems that work in double, e.g. p16's gradients).
#define ATTNKATA_KERNELS(T)                                                                                         \
  ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, T, ColMajor, false, T, ColMajor, false, ColMajor, 1>; \
  ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, T, ColMajor, false, T, RowMajor, false, ColMajor, 1>; \
  ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, T, RowMajor, false, T, ColMajor, false, ColMajor, 1>; \
  ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, T, RowMajor, false, T, RowMajor, false, ColMajor, 1>; \
  ATTNKATA_KERNEL struct gebp_kernel<T, T, Index, blas_data_mapper<T, Index, ColMajor, Unaligned, 1>,               \
                                     attnkata_traits<T>::mr, attnkata_traits<T>::nr, false, false>;                \
  ATTNKATA_KERNEL struct gemm_pack_lhs<T, Index, attnkata_map<T, ColMajor>, attnkata_traits<T>::mr,                 \
                                       attnkata_traits<T>::LhsProgress, attnkata_traits<T>::LhsPacket4Packing,      \
                                       ColMajor, false, false>;                                                     \
  ATTNKATA_KERNEL struct gemm_pack_lhs<T, Index, attnkata_map<T, RowMajor>, attnkata_traits<T>::mr,                 \
                                       attnkata_traits<T>::LhsProgress, attnkata_traits<T>::LhsPacket4Packing,      \
                                       RowMajor, false, false>;                                                     \
  ATTNKATA_KERNEL struct gemm_pack_rhs<T, Index, attnkata_map<T, ColMajor>, attnkata_traits<T>::nr, ColMajor, false, \
                                       false>;                                                                      \
  ATTNKATA_KERNEL struct gemm_pack_rhs<T, Index, attnkata_map<T, RowMajor>, attnkata_traits<T>::nr, RowMajor, false, \
                                       false>;                                                                      \
  ATTNKATA_KERNEL struct general_matrix_vector_product<Index, T, attnkata_map<T, ColMajor>, ColMajor, false, T,    \
                                                       attnkata_map<T, RowMajor>, false, 0>;                        \
  ATTNKATA_KERNEL struct general_matrix_vector_product<Index, T, attnkata_map<T, RowMajor>, RowMajor, false, T,    \
                                                       attnkata_map<T, ColMajor>, false, 0>;

ATTNKATA_KERNELS(float)
ATTNKATA_KERNELS(double)

#undef ATTNKATA_KERNELS

}  // namespace Eigen::internal

#undef ATTNKATA_KERNEL
