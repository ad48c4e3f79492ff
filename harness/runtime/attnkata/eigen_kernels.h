// Eigen's float matrix-product kernels, instantiated once (eigen_kernels.cpp, linked into every graded binary)
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

using attnkata_traits = gebp_traits<float, float>;
template <int Order>
using attnkata_map = const_blas_data_mapper<float, Index, Order>;

// C = A B for each storage order of A and B (a transpose flips the order), C column-major
ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, float, ColMajor, false, float, ColMajor, false, ColMajor, 1>;
ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, float, ColMajor, false, float, RowMajor, false, ColMajor, 1>;
ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, float, RowMajor, false, float, ColMajor, false, ColMajor, 1>;
ATTNKATA_KERNEL struct general_matrix_matrix_product<Index, float, RowMajor, false, float, RowMajor, false, ColMajor, 1>;
// the register-blocked micro-kernel and the packing routines it reads from
ATTNKATA_KERNEL struct gebp_kernel<float, float, Index, blas_data_mapper<float, Index, ColMajor, Unaligned, 1>,
                                   attnkata_traits::mr, attnkata_traits::nr, false, false>;
ATTNKATA_KERNEL struct gemm_pack_lhs<float, Index, attnkata_map<ColMajor>, attnkata_traits::mr,
                                     attnkata_traits::LhsProgress, attnkata_traits::LhsPacket4Packing, ColMajor,
                                     false, false>;
ATTNKATA_KERNEL struct gemm_pack_lhs<float, Index, attnkata_map<RowMajor>, attnkata_traits::mr,
                                     attnkata_traits::LhsProgress, attnkata_traits::LhsPacket4Packing, RowMajor,
                                     false, false>;
ATTNKATA_KERNEL struct gemm_pack_rhs<float, Index, attnkata_map<ColMajor>, attnkata_traits::nr, ColMajor, false, false>;
ATTNKATA_KERNEL struct gemm_pack_rhs<float, Index, attnkata_map<RowMajor>, attnkata_traits::nr, RowMajor, false, false>;
// y = A x with A column- or row-major
ATTNKATA_KERNEL struct general_matrix_vector_product<Index, float, attnkata_map<ColMajor>, ColMajor, false, float,
                                                     attnkata_map<RowMajor>, false, 0>;
ATTNKATA_KERNEL struct general_matrix_vector_product<Index, float, attnkata_map<RowMajor>, RowMajor, false, float,
                                                     attnkata_map<ColMajor>, false, 0>;

}  // namespace Eigen::internal

#undef ATTNKATA_KERNEL
