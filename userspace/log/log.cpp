// Implementation of the answerd log: thresholds in atomics (read on every call),
// the sink and format behind a mutex (taken only for lines that are written).
#include "log/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace answerd::log {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {"error", "warn", "info", "debug",
                                                         "trace"};
constexpr std::array<std::string_view, kSubsysCount> kSubsysNames = {"ike", "cfg", "net", "knl",
                                                                     "xdp", "ctl", "dmn"};

struct State {
  std::array<std::atomic<std::uint8_t>, kSubsysCount> levels{};
  std::mutex mu;
  Sink sink;
  Format format = detect_format();

  State() {
    for (auto& l : levels) l.store(static_cast<std::uint8_t>(Level::info));
  }
};

State& state() {
  static State s;
  return s;
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report a failing stderr
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string utc_timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms.count()));
}

}  // namespace

std::string_view level_name(Level l) { return kLevelNames.at(static_cast<std::size_t>(l)); }
std::string_view subsys_name(Subsys s) { return kSubsysNames.at(static_cast<std::size_t>(s)); }

std::optional<Level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  if (name == "warning") return Level::warn;
  return std::nullopt;
}

std::optional<Subsys> parse_subsys(std::string_view name) {
  for (std::size_t i = 0; i < kSubsysNames.size(); ++i)
    if (kSubsysNames[i] == name) return static_cast<Subsys>(i);
  return std::nullopt;
}

int syslog_priority(Level l) {
  switch (l) {
    case Level::error: return 3;
    case Level::warn: return 4;
    case Level::info: return 6;
    case Level::debug:
    case Level::trace: return 7;
  }
  return 7;
}

void set_level(Level l) {
  for (auto& v : state().levels) v.store(static_cast<std::uint8_t>(l), std::memory_order_relaxed);
}
void set_level(Subsys s, Level l) {
  state().levels.at(static_cast<std::size_t>(s)).store(static_cast<std::uint8_t>(l),
                                                       std::memory_order_relaxed);
}
Level level(Subsys s) {
  return static_cast<Level>(
      state().levels.at(static_cast<std::size_t>(s)).load(std::memory_order_relaxed));
}
bool enabled(Subsys s, Level l) noexcept {
  auto i = static_cast<std::size_t>(s);
  if (i >= kSubsysCount) return false;
  return static_cast<std::uint8_t>(l) <= state().levels[i].load(std::memory_order_relaxed);
}

std::optional<std::string> apply_spec(std::string_view spec) {
  // Parse everything first so that a bad spec changes nothing.
  std::optional<Level> all;
  std::array<std::optional<Level>, kSubsysCount> per{};
  if (spec.empty()) return std::string("empty log level");
  while (!spec.empty()) {
    auto comma = spec.find(',');
    auto item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      all = parse_level(item);
      if (!all) return fmt::format("unknown log level '{}' (error, warn, info, debug, trace)", item);
      continue;
    }
    auto sub = parse_subsys(item.substr(0, eq));
    if (!sub)
      return fmt::format("unknown log subsystem '{}' (ike, cfg, net, knl, xdp, ctl, dmn)",
                         item.substr(0, eq));
    auto lvl = parse_level(item.substr(eq + 1));
    if (!lvl) return fmt::format("unknown log level '{}'", item.substr(eq + 1));
    per[static_cast<std::size_t>(*sub)] = lvl;
  }
  if (all) set_level(*all);
  for (std::size_t i = 0; i < kSubsysCount; ++i)
    if (per[i]) set_level(static_cast<Subsys>(i), *per[i]);
  return std::nullopt;
}

Format detect_format() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return Format::plain;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return Format::plain;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return Format::plain;
  if (static_cast<unsigned long long>(st.st_dev) == dev &&
      static_cast<unsigned long long>(st.st_ino) == ino)
    return Format::journal;
  return Format::plain;
}

void set_sink(Sink sink) {
  std::lock_guard lk(state().mu);
  state().sink = std::move(sink);
}

void set_format(Format f) {
  std::lock_guard lk(state().mu);
  state().format = f;
}

std::string format_line(Format f, Level l, Subsys s, std::string_view msg) {
  if (f == Format::journal)
    return fmt::format("<{}>{}: {}", syslog_priority(l), subsys_name(s), msg);
  return fmt::format("{} {:<5} {}: {}", utc_timestamp(), level_name(l), subsys_name(s), msg);
}

void write(Subsys s, Level l, std::string_view msg) {
  auto& st = state();
  std::lock_guard lk(st.mu);
  std::string line = format_line(st.format, l, s, msg);
  if (st.sink) {
    st.sink(l, s, line);
    return;
  }
  line.push_back('\n');
  write_all(STDERR_FILENO, line);
}

void trace_secret(Subsys s, std::string_view what, std::span<const std::uint8_t> bytes) {
  if (!enabled(s, Level::trace)) return;
  std::string hex;
  hex.reserve(bytes.size() * 2);
  static constexpr char kDigits[] = "0123456789abcdef";
  for (auto b : bytes) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xf]);
  }
  write(s, Level::trace, fmt::format("SECRET {} ({} bytes): {}", what, bytes.size(), hex));
}

}  // namespace answerd::log
