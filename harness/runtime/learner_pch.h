// Precompiled for every learner and reference file: Eigen, the shared types, the extern declarations of Eigen's
// product kernels, and (clang) the expressions learners write most, instantiated and compiled once. Parsing
// <Eigen/Dense> and instantiating templates were most of a learner's compile time.
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

#ifdef __clang__
// Never called. Built with -fpch-instantiate-templates -fpch-codegen, the precompiled header carries these
// expressions' Eigen templates instantiated, and their code lives in one object linked into every graded binary
// (learner_pch.o), so a learner's file that writes the same expressions neither instantiates nor compiles them
// again. The list is what the thirty reference solutions use most: products with transposes and blocks, the
// row-wise softmax pieces, element-wise maps, reductions, broadcasts, selects with a mask.
namespace attnkata_pch {
using attn::Mask, attn::Mat, attn::RowVec, attn::Vec;
inline void warm_up(Mat& x, const Mat& a, const Mat& b, Vec& v, RowVec& r, const Mask& m, float s, Eigen::Index k) {
  x = a * b; x = a * b.transpose(); x = a.transpose() * b; x = s * (a * b.transpose()); x.noalias() = a * b;
  x.noalias() = a * b.transpose(); x = a.middleCols(k, k) * b.middleCols(k, k).transpose();
  x = a.middleCols(k, k) * b; x = a.topRows(k) * b; x = a.block(0, 0, k, k) * b.block(0, 0, k, k).transpose();
  x = a.transpose(); x = a + b; x = a - b; x = a * s; x = a / s; x += b; x -= b; x *= s; x /= s; x = a.eval();
  x = a.cwiseProduct(b); x = a.cwiseQuotient(b); x = a.cwiseMax(0.f); x = a.cwiseMin(s); x = a.array().max(0.f).matrix();
  x = a.array().exp().matrix(); x = (a.array() - s).exp().matrix(); x = a.array().tanh().matrix();
  x = a.array().log().matrix(); x = a.array().sqrt().matrix(); x = a.array().square().matrix();
  x = (1.f / (1.f + (-a.array()).exp())).matrix(); x = a.array().abs().matrix();
  x = (a.colwise() - a.rowwise().maxCoeff()).array().exp().matrix();
  x = a.array().colwise() / a.array().rowwise().sum(); x = a.array().colwise() / v.array();
  x = a.array().rowwise() * r.array(); x = a.rowwise() + r; x = a.rowwise() - r; x = a.colwise() + v;
  x = a.colwise() - v; x = v.asDiagonal() * a; x = a * v.asDiagonal();
  x = m.select(a, -INFINITY); x = m.select(a, 0.f); x = m.select(a, b);
  x = v.replicate(1, k); x = r.replicate(k, 1); x = Mat::Zero(k, k); x = Mat::Constant(k, k, s);
  x = Mat::Identity(k, k); x.setZero(); x.setConstant(s); x.resize(k, k); x.conservativeResize(k, k);
  x.row(0) = r; x.col(0) = v; x.row(0) += s * a.row(0); x.row(0) = a.row(0) / s; x.row(0) = r * a;
  x.block(0, 0, k, k) = a.block(0, 0, k, k); x.middleCols(0, k) = a.middleCols(0, k); x.leftCols(k) = a.rightCols(k);
  x.topRows(k) = a.bottomRows(k); x.middleRows(0, k) = a.middleRows(0, k); x.topRows(k) = a.topRows(k) * b;
  v = a.rowwise().maxCoeff(); v = a.rowwise().sum(); v = a.rowwise().mean(); v = a.rowwise().norm();
  r = a.colwise().sum(); r = a.colwise().mean(); r = a.colwise().maxCoeff(); v = a * v; r = r * a;
  v = a.row(0).transpose(); r = a.col(0).transpose(); v = a.transpose() * v; r = v.transpose() * a;
  v = v.array().exp().matrix(); v = (v.array() - v.maxCoeff()).exp().matrix(); v /= v.sum(); v = v.cwiseProduct(v);
  v = v.head(k); v = v.tail(k); v = v.segment(0, k); v.setZero(); v = Vec::Zero(k); v = Vec::Constant(k, s);
  v = v.array().tanh().matrix(); v = m.col(0).select(v, -INFINITY); v += s * v; v = s * v;
  r = (r.array() - r.maxCoeff()).exp().matrix(); r /= r.sum(); r = r.head(k); r = r.segment(0, k); r = RowVec::Zero(k);
  r = a.row(0) + b.row(0); r = a.row(0).cwiseProduct(b.row(0)); r += s * a.row(0); r = r * s;
  s = a.maxCoeff() + a.minCoeff() + a.sum() + a.mean() + a.norm() + a.squaredNorm() + v.dot(v) + r.dot(r);
  s += v.sum() + v.maxCoeff() + r.sum() + r.maxCoeff() + a.row(0).dot(b.row(0)) + a.row(0).maxCoeff() + a.row(0).sum();
  s += a.col(0).dot(b.col(0)) + (a.array() - b.array()).abs().maxCoeff() + a.row(0).norm() + v.norm();
  s += static_cast<float>(a.allFinite() + v.allFinite() + m.any() + m.all() + m.count() + m.row(0).any());
}
}  // namespace attnkata_pch
#endif
