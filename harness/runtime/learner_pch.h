// Precompiled for every learner and reference file (-include): Eigen and the shared types. Compiling
// <Eigen/Dense> is most of a learner's compile time; precompiling it once saves about 0.8 s per grade.
#pragma once

#include <attnkata/attn.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
