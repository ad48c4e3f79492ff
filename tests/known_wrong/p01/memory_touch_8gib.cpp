// known-wrong p01: every call fills 64 MiB blocks until 8 GiB (far past the 1 GiB limit): slow page faults,
// then std::bad_alloc. The verdict must say memory, not "too slow".
// expect: memory_limit, score 0..0
#include "sdpa_stable_softmax.h"

#include <cstring>
#include <memory>
#include <vector>

namespace attn {

namespace {

void fill_8gib() {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 128; ++i) {
    blocks.emplace_back(new char[size_t(64) << 20]);
    std::memset(blocks.back().get(), 1, size_t(64) << 20);
  }
}

}  // namespace

Mat softmax_rows(const Mat& scores, const std::optional<Mask>&) {
  fill_8gib();
  return scores;
}

Attention scaled_dot_product_attention(const Mat&, const Mat&, const Mat&, const std::optional<Mask>&,
                                       std::optional<float>) {
  fill_8gib();
  return {};
}

}  // namespace attn
