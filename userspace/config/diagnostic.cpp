// Formatting and bounded collection of configuration diagnostics.
#include "config/diagnostic.h"

namespace answerd::config {

std::string to_string(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) out += ":" + std::to_string(d.line);
  out += ": ";
  if (d.severity == Severity::kWarning) out += "warning: ";
  out += d.message;
  return out;
}

void Diagnostics::add(const SourceLoc& at, std::string message, Severity s) {
  if (s == Severity::kError) ++errors_;
  if (list_.size() >= kMax) {
    if (!truncated_) {
      truncated_ = true;
      list_.push_back({.file = at.file, .line = at.line,
                       .message = "too many diagnostics, stopping here",
                       .severity = Severity::kError});
    }
    return;
  }
  list_.push_back({.file = at.file, .line = at.line, .message = std::move(message), .severity = s});
}

}  // namespace answerd::config
