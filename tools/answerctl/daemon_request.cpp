// See daemon_request.h.
#include "daemon_request.h"

#include <algorithm>
#include <iostream>
#include <string>

#include "daemon/control_client.h"

namespace answerd::ctl {

std::optional<nlohmann::json> daemon_request(const Context& ctx, std::string_view command,
                                             const nlohmann::json& args, int* rc) {
  auto r = answerd::daemon::control_request(ctx.socket_path, command, args);
  if (r) return std::move(*r);
  *rc = fail(ctx, r.error().message);
  return std::nullopt;
}

namespace {
std::string scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}
}  // namespace

void print_plain(const nlohmann::json& doc, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (doc.is_object()) {
    for (const auto& [k, v] : doc.items()) {
      const bool scalars = v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) {
                             return !e.is_structured();
                           });
      if (!v.is_structured()) {
        std::cout << pad << k << ": " << scalar(v) << '\n';
      } else if (scalars) {
        std::cout << pad << k << ":";
        for (const auto& e : v) std::cout << ' ' << scalar(e);
        std::cout << '\n';
      } else {
        std::cout << pad << k << ":\n";
        print_plain(v, indent + 2);
      }
    }
  } else if (doc.is_array()) {
    for (const auto& e : doc) {
      if (e.is_structured()) {
        print_plain(e, indent);
        std::cout << '\n';
      } else {
        std::cout << pad << scalar(e) << '\n';
      }
    }
  } else {
    std::cout << pad << scalar(doc) << '\n';
  }
}

}  // namespace answerd::ctl
