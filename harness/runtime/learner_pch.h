// Precompiled for every learner and reference file (-include): Eigen, the shared types and the extern
// declarations of Eigen's product kernels. Parsing <Eigen/Dense> and instantiating those kernels were most of a
// learner's compile time.
#pragma once

#include <attnkata/attn.h>
#include <attnkata/eigen_kernels.h>  // product kernels come prebuilt

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
