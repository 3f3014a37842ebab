// CommandRegistry implementation (see command_registry.h).
#include "daemon/command_registry.h"

#include "daemon/control_protocol.h"

#include <fmt/format.h>

#include <exception>

namespace answerd::daemon {

void CommandRegistry::add(std::string name, std::string summary, CommandHandler handler) {
  commands_.insert_or_assign(std::move(name), Entry{std::move(summary), std::move(handler), true});
}

void CommandRegistry::add_not_implemented(std::string name, std::string summary) {
  std::string msg = name + ": not implemented yet";
  commands_.insert_or_assign(
      std::move(name),
      Entry{std::move(summary), [msg](const nlohmann::json&) -> CommandResult { return unexpected(msg); },
            false});
}

bool CommandRegistry::contains(std::string_view name) const { return commands_.find(name) != commands_.end(); }

std::vector<std::string> CommandRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, unused] : commands_) out.push_back(name);
  return out;
}

nlohmann::json CommandRegistry::describe() const {
  auto list = nlohmann::json::array();
  for (const auto& [name, e] : commands_)
    list.push_back({{"name", name}, {"summary", e.summary}, {"implemented", e.implemented}});
  return {{"commands", std::move(list)}};
}

nlohmann::json CommandRegistry::handle_line(std::string_view line) const {
  auto req = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (req.is_discarded()) return make_error("request is not valid JSON");
  if (!req.is_object()) return make_error("request must be a JSON object");
  auto v = req.find("version");
  if (v == req.end() || !v->is_number_integer()) return make_error("request has no integer \"version\"");
  if (v->get<long long>() != kProtocolVersion)
    return make_error(fmt::format("unsupported protocol version {} (this daemon speaks {})",
                                  v->get<long long>(), kProtocolVersion));
  auto c = req.find("command");
  if (c == req.end() || !c->is_string()) return make_error("request has no string \"command\"");
  const auto& name = c->get_ref<const std::string&>();
  nlohmann::json args = nlohmann::json::object();
  if (auto a = req.find("args"); a != req.end() && !a->is_null()) {
    if (!a->is_object()) return make_error("\"args\" must be a JSON object");
    args = *a;
  }
  auto it = commands_.find(name);
  if (it == commands_.end()) return make_error(fmt::format("unknown command '{}'", name));
  try {
    CommandResult r = it->second.handler(args);
    if (!r) return make_error(r.error());
    return make_ok(std::move(*r));
  } catch (const std::exception& e) {
    return make_error(fmt::format("{}: internal error: {}", name, e.what()));
  }
}

}  // namespace answerd::daemon
