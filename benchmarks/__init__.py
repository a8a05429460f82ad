"""Benchmarks (a regular package: pysbd installs a top-level ``benchmarks`` that would shadow a
namespace package)."""
