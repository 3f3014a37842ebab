// CommandRegistry: the commands the control socket answers, filled by the daemon
// (daemon.cpp) and by later modules (the SA engine registers "sa list" etc.).
// handle_line() turns one request line into one response object; it is pure and
// never throws (a throwing handler becomes an "internal error" response).
#pragma once

#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace answerd::daemon {

using CommandResult = expected<nlohmann::json, std::string>;  // result object or error text
using CommandHandler = std::function<CommandResult(const nlohmann::json& args)>;

class CommandRegistry {
 public:
  // Registers (or replaces) `name`, e.g. "daemon status". Names are the full words
  // of DESIGN.md's grammar; abbreviation is answerctl's business.
  void add(std::string name, std::string summary, CommandHandler handler);
  // Registers `name` answering the error "NAME: not implemented yet".
  void add_not_implemented(std::string name, std::string summary);

  [[nodiscard]] bool contains(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
  // {"commands":[{"name","summary","implemented"}]} for the "help" command.
  [[nodiscard]] nlohmann::json describe() const;

  // Validates one request (a line without its newline) and runs its handler.
  [[nodiscard]] nlohmann::json handle_line(std::string_view line) const;

 private:
  struct Entry {
    std::string summary;
    CommandHandler handler;
    bool implemented = true;
  };
  std::map<std::string, Entry, std::less<>> commands_;
};

}  // namespace answerd::daemon
