// p08 memn2n_multihop — graded tests. Golden values: tools/golden/p08.py (numpy, cross-checked with torch).
#include "memn2n_multihop.h"

#include <attnkata/graded.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using RowVecD = Eigen::RowVectorXd;
using VecD = Eigen::VectorXd;

// ---- diagnosis only, never a golden value: the paper's encoding and its classic misreadings, in double ----

MatD pe_table(int J, int d, const std::function<double(double j, double k, double J, double d)>& l,
              int base = 1) {
  MatD L(J, d);
  for (int j = 0; j < J; ++j)
    for (int k = 0; k < d; ++k) L(j, k) = l(j + base, k + base, J, d);
  return L;
}

double paper(double j, double k, double J, double d) {
  return (1 - j / J) - (k / d) * (1 - 2 * j / J);
}

// Name the classic misreadings of section 4.1 when an encoding table is wrong.
void diagnose_pe(const Mat& got, int J, int d) {
  const MatD g = got.cast<double>();
  auto is = [&](const MatD& e) { return is_close(g, e, kT1); };
  if (is(pe_table(J, d, [](double j, double k, double J_, double d_) {
        return 1 + 4 * (k - (d_ + 1) / 2) * (j - (J_ + 1) / 2) / ((d_ + 1) * (J_ + 1));
      })))
    FAIL_CHECK(
        "this is domluna/memn2n's encoding 1 + 4(k-(d+1)/2)(j-(J+1)/2)/((d+1)(J+1)), which is twice the "
        "paper's formula with J+1 and d+1 in place of J and d. Use l_kj = (1 - j/J) - (k/d)(1 - 2j/J)");
  if (is(pe_table(J, d,
                  [](double j, double k, double J_, double d_) { return paper(j, k, J_ + 1, d_ + 1); })))
    FAIL_CHECK(
        "J+1 and d+1 are used in place of J and d (the off-by-one of domluna/memn2n): divide by J and d");
  if (is(pe_table(J, d, paper, 0)))
    FAIL_CHECK(
        "j and k start at 0: the paper counts words and dimensions from 1, so entry (j-1, k-1) holds l_kj");
  if (is(pe_table(J, d, [](double j, double k, double J_, double d_) { return paper(j - 1, k, J_, d_); })))
    FAIL_CHECK("the word index j starts at 0: row j-1 holds word j = 1..J, and the last word gets k/d");
  if (is(pe_table(J, d, [](double j, double k, double J_, double d_) { return paper(j, k - 1, J_, d_); })))
    FAIL_CHECK("the dimension index k starts at 0: column k-1 holds dimension k = 1..d");
  if (is(pe_table(J, d, [](double j, double k, double J_, double d_) { return paper(k, j, d_, J_); })))
    FAIL_CHECK("the roles of j (word, divided by J) and k (dimension, divided by d) are swapped");
}

// The hop recurrence in double, with the classic mistakes as switches.
struct Variant {
  bool replace = false;     // u^{k+1} = o^k
  bool swap = false;        // scores from C, read-out from M
  bool first_only = false;  // hop 0's memories at every hop
  bool scaled = false;      // scores / sqrt(d)
};
struct HopsD {
  RowVecD u_final, u_last, o_last;  // u^{K+1}, u^K, o^K
  std::vector<VecD> p;
};

HopsD hops_double(const RowVec& query, const std::vector<Mat>& M, const std::vector<Mat>& C, Variant v) {
  HopsD r;
  RowVecD u = query.cast<double>();
  for (size_t k = 0; k < M.size(); ++k) {
    const size_t h = v.first_only ? 0 : k;
    const MatD In = (v.swap ? C[h] : M[h]).cast<double>(), Out = (v.swap ? M[h] : C[h]).cast<double>();
    VecD s = In * u.transpose();
    if (v.scaled) s /= std::sqrt(static_cast<double>(u.size()));
    VecD p = (s.array() - s.maxCoeff()).exp().matrix();
    p /= p.sum();
    const RowVecD o = p.transpose() * Out;
    r.u_last = u, r.o_last = o, r.p.push_back(p);
    u = v.replace ? o : RowVecD(u + o);
  }
  r.u_final = u;
  return r;
}

// Name the classic mistakes when multi-hop results are wrong.
void diagnose_hops(const MemN2NOut& got, const RowVec& query, const std::vector<Mat>& M,
                   const std::vector<Mat>& C) {
  const MatD u = got.u_final.cast<double>();
  auto is = [&](const RowVecD& e) { return is_close(u, e, kT2); };
  const HopsD right = hops_double(query, M, C, {});
  if (is(hops_double(query, M, C, {.replace = true}).u_final))
    FAIL_CHECK(
        "u^{k+1} = o^k: each hop must add its read-out to the state, u^{k+1} = u^k + o^k, "
        "or the question is forgotten after the first hop");
  else if (is(hops_double(query, M, C, {.swap = true}).u_final))
    FAIL_CHECK("mem_in and mem_out are swapped: match u against mem_in (M^k) and read out mem_out (C^k)");
  else if (M.size() > 1 && is(hops_double(query, M, C, {.first_only = true}).u_final))
    FAIL_CHECK("every hop used mem_in[0] and mem_out[0]: hop k reads mem_in[k-1] and mem_out[k-1]");
  else if (is(hops_double(query, M, C, {.scaled = true}).u_final))
    FAIL_CHECK("the scores are divided by sqrt(d): MemN2N scores are the plain dot products m_i · u");
  else if (is(right.u_last))
    FAIL_CHECK("u_final is u^K, the state before the last hop's read-out: return u^{K+1} = u^K + o^K");
  else if (is(right.o_last))
    FAIL_CHECK("u_final is o^K alone: return u^{K+1} = u^K + o^K");
  for (const Vec& p : got.hop_weights)
    if (p.size() > 1 && (p.array() - 1).abs().maxCoeff() < 1e-6) {
      FAIL_CHECK(
          "every weight of a hop is 1: each score was normalised by itself. In Eigen, scores M u are an "
          "(n, 1) column; the softmax runs down that column, over the n memories");
      break;
    }
}

std::vector<Mat> split(const Mat& stacked, int K) {
  std::vector<Mat> hops;
  const Index n = stacked.rows() / K;
  for (int k = 0; k < K; ++k) hops.push_back(stacked.middleRows(k * n, n));
  return hops;
}

// Checks u_final and every hop's weights against golden rows; returns whether all held.
bool check_hops(const MemN2NOut& got, const MatD& u_final, const MatD& weights, Tol tol) {
  if (static_cast<Index>(got.hop_weights.size()) != weights.rows()) {
    FAIL_CHECK("expected " << weights.rows() << " hop weight vectors, got " << got.hop_weights.size());
    return false;
  }
  bool ok = check_close("u_final", got.u_final, u_final, tol);
  for (Index k = 0; k < weights.rows(); ++k)
    ok &= check_close("hop_weights[" + std::to_string(k) + "]", got.hop_weights[k],
                      MatD(weights.row(k).transpose()), tol);
  return ok;
}

}  // namespace

ATTN_TEST("position encoding is J×d", shape, 1) {
  expect_shape("memn2n_position_encoding(5, 8)", memn2n_position_encoding(5, 8), 5, 8);
  expect_shape("memn2n_position_encoding(3, 4)", memn2n_position_encoding(3, 4), 3, 4);
  expect_shape("memn2n_encode_sentence of 5 words in d = 8", memn2n_encode_sentence(Mat::Random(5, 8)), 1, 8);
}

ATTN_TEST("hops return u_final of size d and one weight vector of size n per hop", shape, 1) {
  const std::vector<Mat> M{Mat::Random(4, 6), Mat::Random(4, 6)}, C{Mat::Random(4, 6), Mat::Random(4, 6)};
  const MemN2NOut got = memn2n_hops(RowVec::Random(6), M, C);
  expect_shape("u_final", got.u_final, 1, 6);
  REQUIRE(got.hop_weights.size() == 2u);
  for (const Vec& p : got.hop_weights) expect_shape("hop weights", p, 4, 1);
}

ATTN_TEST("position encoding matches the paper's table for J = 3 and d = 4", numeric, 3) {
  MatD expected(3, 4);
  expected << 7 / 12., 6 / 12., 5 / 12., 4 / 12.,  // word 1
      5 / 12., 6 / 12., 7 / 12., 8 / 12.,          // word 2
      3 / 12., 6 / 12., 9 / 12., 12 / 12.;         // word 3: k/d
  const Mat got = memn2n_position_encoding(3, 4);
  if (!check_close("memn2n_position_encoding(3, 4)", got, expected, kT1)) diagnose_pe(got, 3, 4);
}

ATTN_TEST("position encoding matches golden values for J = 7 and d = 10", numeric, 2) {
  using namespace golden::pe;
  const Mat got = memn2n_position_encoding(J, d);
  if (!check_close("memn2n_position_encoding(7, 10)", got, expected, kT1)) diagnose_pe(got, J, d);
}

ATTN_TEST("encode_sentence matches golden values", numeric, 2) {
  using namespace golden::sentence;
  const RowVec got = memn2n_encode_sentence(words);
  if (check_close("memn2n_encode_sentence", got, expected, kT1)) return;
  if (is_close(got.cast<double>(), words.cast<double>().colwise().sum(), kT1))
    FAIL_CHECK("this is the plain sum of the word vectors (bag of words): weight word j by l_j first");
  else if (!is_close(memn2n_position_encoding(9, 6).cast<double>(), pe_table(9, 6, paper), kT1))
    FAIL_CHECK("memn2n_position_encoding is wrong, so the sentence vectors are too: fix it first");
}

ATTN_TEST("worked example from the statement (two hops over three turns)", numeric, 2) {
  Mat M(3, 2), C(3, 2);
  M << 1, 0, 0, 1, -1, 0;
  C << 0, 2, 1, 0, 0, 0;
  const MemN2NOut got = memn2n_hops(RowVec{{1.f, 0.f}}, {M, M}, {C, C});
  const Tol given{1e-6, 1e-6, "1e-6 (values given to 7 decimals)"};
  MatD weights(2, 3);
  weights << 0.6652410, 0.2447285, 0.0900306, 0.4603007, 0.5015150, 0.0381843;
  check_hops(got, MatD{{1.7462435, 2.2510834}}, weights, given);
}

ATTN_TEST("one hop matches golden values", numeric, 2) {
  using namespace golden::one_hop;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const MemN2NOut got = memn2n_hops(query, M, C);
  if (!check_hops(got, u_final, weights, kT1)) diagnose_hops(got, query, M, C);
}

ATTN_TEST("three tied hops match golden values", numeric, 3) {
  using namespace golden::three_hops;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const MemN2NOut got = memn2n_hops(query, M, C);
  if (!check_hops(got, u_final, weights, kT2)) diagnose_hops(got, query, M, C);
}

ATTN_TEST("six untied hops match golden values", numeric, 2) {
  using namespace golden::six_hops;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const MemN2NOut got = memn2n_hops(query, M, C);
  if (!check_hops(got, u_final, weights, kT2)) diagnose_hops(got, query, M, C);
}

ATTN_TEST("hop weights are positive and sum to 1", property, 1) {
  using namespace golden::six_hops;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const MemN2NOut got = memn2n_hops(query, M, C);
  if (!check_hops(got, u_final, weights, kT2)) {
    diagnose_hops(got, query, M, C);
    return;
  }
  for (int k = 0; k < K; ++k) {
    CAPTURE(k);
    const Vec& p = got.hop_weights[k];
    if (!check_rows_sum_to("hop weights (as a row)", p.transpose())) break;
    CHECK(p.minCoeff() > 0.f);
  }
}

ATTN_TEST("a zero query gives a uniform first hop", property, 1) {
  // u = 0 scores every memory 0: hop 1 is uniform (1/n each) and reads the mean of C^1; from then on u is
  // not 0 and the hops are not uniform (golden)
  using namespace golden::three_hops;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const RowVec zero = RowVec::Zero(query.cols());
  const MemN2NOut got = memn2n_hops(zero, M, C);
  if (static_cast<int>(got.hop_weights.size()) != K) {
    FAIL_CHECK("expected " << K << " hop weight vectors, got " << got.hop_weights.size());
    return;
  }
  const Index n = C[0].rows();
  check_close("first hop weights for u = 0", got.hop_weights[0], MatD::Constant(n, 1, 1.0 / n), kT1);
  if (!check_hops(got, golden::zero_query::u_final, golden::zero_query::weights, kT2))
    diagnose_hops(got, zero, M, C);
}

ATTN_TEST("K hops equal K chained single hops", property, 2) {
  // the whole run matches the golden, and so does each hop run alone from the previous hop's u
  using namespace golden::six_hops;
  const std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K);
  const MemN2NOut all = memn2n_hops(query, M, C);
  if (!check_hops(all, u_final, weights, kT2)) {
    diagnose_hops(all, query, M, C);
    return;
  }
  RowVec u = query;
  for (int k = 0; k < K; ++k) {
    CAPTURE(k);
    const MemN2NOut single = memn2n_hops(u, {M[k]}, {C[k]});
    REQUIRE(single.hop_weights.size() == 1u);
    if (!check_close("weights of hop k run alone", single.hop_weights[0], MatD(weights.row(k).transpose()),
                     kT2))
      return;
    u = single.u_final;
  }
  check_close("u after K chained single hops", u, u_final, kT2);
}

ATTN_TEST("swapping two words changes the sentence encoding", property, 1) {
  // both orders against golden; their difference is (l_2 - l_5) ⊙ (w_2 - w_5), not 0 as in a bag of words
  using namespace golden::sentence;
  Mat swapped = words;
  swapped.row(1) = words.row(4), swapped.row(4) = words.row(1);
  const RowVec a = memn2n_encode_sentence(words), b = memn2n_encode_sentence(swapped);
  const bool ok =
      check_close("encoding of the sentence", a, expected, kT1) &
      check_close("encoding with words 2 and 5 swapped", b, golden::sentence_swapped::expected, kT1);
  if (!ok && a.size() == b.size() && (a - b).cwiseAbs().maxCoeff() < 1e-3)
    FAIL_CHECK(
        "the encoding did not change when words 2 and 5 swapped places: that is a bag of words, the "
        "position weights are what makes 'Bob gave Ann' differ from 'Ann gave Bob'");
}

ATTN_TEST("middle word and middle dimension get 1/2 and the last word gets k/d", property, 1) {
  const int J = 8, d = 6;
  const Mat pe = memn2n_position_encoding(J, d);
  if (!expect_shape("memn2n_position_encoding(8, 6)", pe, J, d)) return;
  // l = ½(1 + (1 - 2j/J)(1 - 2k/d)): the product vanishes at j = J/2 or k = d/2, and j = J gives k/d
  check_close("row of word j = J/2 = 4", pe.row(J / 2 - 1), MatD::Constant(1, d, 0.5), kT1);
  check_close("column of dimension k = d/2 = 3", pe.col(d / 2 - 1), MatD::Constant(J, 1, 0.5), kT1);
  MatD last(1, d);
  for (int k = 1; k <= d; ++k) last(0, k - 1) = static_cast<double>(k) / d;
  if (!check_close("row of the last word j = J", pe.row(J - 1), last, kT1)) diagnose_pe(pe, J, d);
}

ATTN_TEST("encode_sentence weights word j by row j of the position table", property, 1) {
  // word j is 2·e_j, so dimension j of the sentence vector is 2·l_jj: the diagonal of the table
  using namespace golden::sentence_eye;
  const RowVec got = memn2n_encode_sentence(words);
  if (check_close("memn2n_encode_sentence(2 I)", got, expected, kT1)) return;
  if (is_close(got, MatD::Constant(1, 5, 2.0), kT1))
    FAIL_CHECK("every word got weight 1 (bag of words): weight word j by l_j, row j-1 of the table");
}

ATTN_TEST("permuting the memories permutes the weights and leaves u unchanged", property, 1) {
  // memories are a set: the golden u_final holds for any order, and the golden weights follow the memories
  using namespace golden::three_hops;
  const std::vector<int> order{3, 0, 6, 1, 7, 5, 2, 4};
  std::vector<Mat> M = split(mem_in, K), C = split(mem_out, K), M_perm, C_perm;
  for (int k = 0; k < K; ++k)
    M_perm.push_back(rows_in_order(M[k], order)), C_perm.push_back(rows_in_order(C[k], order));
  const MemN2NOut perm = memn2n_hops(query, M_perm, C_perm);
  const MatD weights_perm = rows_in_order(MatD(weights.transpose()), order).transpose();
  if (!check_hops(perm, u_final, weights_perm, kT2)) diagnose_hops(perm, query, M_perm, C_perm);
}

ATTN_TEST("zero hops or zero memories leave u unchanged", edge, 2) {
  const RowVec u = RowVec::Random(5);
  const MemN2NOut none = memn2n_hops(u, {}, {});
  check_close("u_final with K = 0", none.u_final, u.cast<double>(), Tol{0, 0, "exact"});
  CHECK(none.hop_weights.empty());
  const std::vector<Mat> empty{Mat(0, 5), Mat(0, 5)};
  const MemN2NOut got = memn2n_hops(u, empty, empty);
  if (!check_finite("u_final", got.u_final)) {
    FAIL_CHECK("a softmax over no memories is 0/0: with n = 0 the read-out o is 0, skip the softmax");
    return;
  }
  check_close("u_final with no memories", got.u_final, u.cast<double>(), Tol{0, 0, "exact"});
  REQUIRE(got.hop_weights.size() == 2u);
  for (const Vec& p : got.hop_weights) CHECK(p.size() == 0);
  // an empty hop between two real ones (n = 5, 0, 4): hops 1 and 3 as in the golden, hop 2 reads nothing
  using namespace golden::gap;
  const Mat none_d(0, query.cols());
  const MemN2NOut gap = memn2n_hops(query, {mem_in_1, none_d, mem_in_3}, {mem_out_1, none_d, mem_out_3});
  REQUIRE(gap.hop_weights.size() == 3u);
  check_close("hop_weights[0] (5 memories)", gap.hop_weights[0], weights_1, kT1);
  CHECK(gap.hop_weights[1].size() == 0);
  check_close("hop_weights[2] (4 memories)", gap.hop_weights[2], weights_3, kT1);
  check_close("u_final after hops over 5, 0 and 4 memories", gap.u_final, u_final, kT1);
}

ATTN_TEST("hop scores near 1e4 stay finite", edge, 2) {
  Mat M(3, 2), C(3, 2);
  M << 100, 0, 0, 100, -100, 0;  // scores 1e4, 100, -1e4 for u = [100, 1]
  C << 1, 2, 3, 4, 5, 6;
  const MemN2NOut got = memn2n_hops(RowVec{{100.f, 1.f}}, {M}, {C});
  REQUIRE(got.hop_weights.size() == 1u);
  if (!check_finite("hop weights", got.hop_weights[0]) || !check_finite("u_final", got.u_final)) {
    FAIL_CHECK("exp(1e4) overflows float32: subtract the largest score before exponentiating");
    return;
  }
  check_close("hop weights", got.hop_weights[0], MatD{{1.0}, {0.0}, {0.0}}, kT1);
  check_close("u_final", got.u_final, MatD{{101.0, 3.0}}, kT1);
}

ATTN_TEST("a one-word sentence is weighted k/d and an empty one encodes to zeros", edge, 1) {
  const Mat one = memn2n_position_encoding(1, 4);
  check_close("memn2n_position_encoding(1, 4)", one, MatD{{0.25, 0.5, 0.75, 1.0}}, kT1);
  const Mat word = Mat::Constant(1, 4, 2.f);
  check_close("memn2n_encode_sentence of one word [2 2 2 2]", memn2n_encode_sentence(word),
              MatD{{0.5, 1.0, 1.5, 2.0}}, kT1);
  expect_shape("memn2n_position_encoding(0, 4)", memn2n_position_encoding(0, 4), 0, 4);
  const RowVec empty = memn2n_encode_sentence(Mat(0, 4));
  if (check_finite("encoding of an empty sentence", empty))
    check_close("encoding of an empty sentence", empty, MatD::Zero(1, 4), Tol{0, 0, "exact"});
}

ATTN_TEST("mismatched sizes throw std::invalid_argument", edge, 2) {
  const RowVec u = RowVec::Random(4);
  const Mat M = Mat::Random(3, 4), C = Mat::Random(3, 4);
  CHECK_THROWS_AS(memn2n_hops(u, {M, M}, {C}), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_hops(u, {M}, {}), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_hops(u, {Mat::Random(3, 5)}, {C}), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_hops(u, {M}, {Mat::Random(3, 5)}), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_hops(u, {M}, {Mat::Random(2, 4)}), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_position_encoding(-1, 4), std::invalid_argument);
  CHECK_THROWS_AS(memn2n_position_encoding(3, -2), std::invalid_argument);
}
