// File I/O shared by the Verilator harnesses (tests/rtl/*-harness.cpp): the stimulus is read as
// whole records of 32-bit little-endian words, the results written back as words.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

// The whole records of `record` words in the file at `path`, appended to `words`; false when it
// cannot be opened.
inline bool readRecords(const char* path, std::size_t record, std::vector<uint32_t>& words) {
  std::FILE* in = std::fopen(path, "rb");
  if (!in) return false;
  std::vector<uint32_t> rec(record);
  while (std::fread(rec.data(), 4, record, in) == record) words.insert(words.end(), rec.begin(), rec.end());
  std::fclose(in);
  return true;
}

// `words` written to the file at `path`; false when it cannot be opened.
inline bool writeWords(const char* path, const std::vector<uint32_t>& words) {
  std::FILE* o = std::fopen(path, "wb");
  if (!o) return false;
  std::fwrite(words.data(), 4, words.size(), o);
  std::fclose(o);
  return true;
}
