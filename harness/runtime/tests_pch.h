// Precompiled once for all problem test objects: Eigen, doctest and the check helpers.
#pragma once

#include <attnkata/eigen_kernels.h>
#include <attnkata/graded.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>
