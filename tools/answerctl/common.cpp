// answerctl output, error and command-matching helpers (see command.h).
#include "command.h"

#include <cstdio>
#include <iostream>

namespace answerd::ctl {

int fail(const Context& ctx, std::string_view msg, int code) {
  std::cerr << "answerctl: " << msg << '\n';
  if (ctx.json) print_json(ctx, nlohmann::json{{"error", std::string(msg)}});
  return code;
}

void print_json(const Context& ctx, const nlohmann::json& doc) {
  // Invalid UTF-8 from the network (IDs, vendor strings) is replaced, never thrown.
  std::cout << doc.dump(ctx.pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace)
            << '\n';
}

std::optional<std::string_view> match_command(std::string_view word,
                                              std::span<const std::string_view> names) {
  if (word.empty()) return std::nullopt;
  for (std::string_view n : names)
    if (n == word) return n;
  for (std::string_view n : names)
    if (n.starts_with(word)) return n;
  return std::nullopt;
}

}  // namespace answerd::ctl
