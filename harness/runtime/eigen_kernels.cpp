// The one instantiation of Eigen's float and double product kernels that every graded binary links (eigen_kernels.h).
#define ATTNKATA_INSTANTIATE_EIGEN_KERNELS
#include <attnkata/eigen_kernels.h>
