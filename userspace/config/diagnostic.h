// Diagnostics of the configuration loader: every problem found in a config file is a
// Diagnostic that names the file and line it comes from. Errors make loading fail;
// warnings are returned next to a valid Config (e.g. a PSK connection without secret).
#pragma once

#include <string>
#include <vector>

namespace answerd::config {

enum class Severity { kError, kWarning };

// Where a section or key was written. line 0 means "the file as a whole".
struct SourceLoc {
  std::string file{};
  int line = 0;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

struct Diagnostic {
  std::string file{};
  int line = 0;
  std::string message{};
  Severity severity = Severity::kError;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// "file:line: message" for errors, "file:line: warning: message" for warnings;
// "file: message" when line is 0.
[[nodiscard]] std::string to_string(const Diagnostic& d);

// Collects diagnostics, bounded so that hostile input cannot grow it without limit.
class Diagnostics {
 public:
  static constexpr std::size_t kMax = 100;

  void error(const SourceLoc& at, std::string message) { add(at, std::move(message), Severity::kError); }
  void warning(const SourceLoc& at, std::string message) {
    add(at, std::move(message), Severity::kWarning);
  }
  [[nodiscard]] bool has_errors() const { return errors_ > 0; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return list_; }
  [[nodiscard]] std::vector<Diagnostic> take() { return std::move(list_); }

 private:
  void add(const SourceLoc& at, std::string message, Severity s);

  std::vector<Diagnostic> list_{};
  std::size_t errors_ = 0;
  bool truncated_ = false;
};

}  // namespace answerd::config
