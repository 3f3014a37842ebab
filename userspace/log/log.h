// answerd logging: levels, per-subsystem thresholds and one line per message on
// stderr, in the form journald understands when stderr is the journal (a "<N>"
// syslog priority prefix, detected through JOURNAL_STREAM) and with a UTC timestamp
// otherwise. Thread-safe: each line is written with a single write(2) under a mutex.
// Cheap when a level is off: the threshold is checked before anything is formatted.
//
// Secrets (keys, PSKs, nonces used as key material) are never logged through the
// ordinary calls; trace_secret() is the only way, and it prints only when the
// subsystem is at trace level.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace answerd::log {

enum class Level : std::uint8_t { error = 0, warn, info, debug, trace };

// Subsystems, as short names in every line: IKE exchanges, configuration,
// IKE sockets, kernel (XFRM), XDP, control socket, daemon wiring.
enum class Subsys : std::uint8_t { ike = 0, cfg, net, knl, xdp, ctl, dmn };
inline constexpr std::size_t kSubsysCount = 7;

[[nodiscard]] std::string_view level_name(Level l);
[[nodiscard]] std::string_view subsys_name(Subsys s);
[[nodiscard]] std::optional<Level> parse_level(std::string_view name);
[[nodiscard]] std::optional<Subsys> parse_subsys(std::string_view name);

// syslog(3) priority for a level: error 3, warn 4, info 6, debug and trace 7.
[[nodiscard]] int syslog_priority(Level l);

// Thresholds. A message is written when its level <= the subsystem's threshold.
void set_level(Level l);                // every subsystem
void set_level(Subsys s, Level l);
[[nodiscard]] Level level(Subsys s);
[[nodiscard]] bool enabled(Subsys s, Level l) noexcept;

// Applies a spec such as "info", "debug,ike=trace" or "cfg=debug": a bare level sets
// every subsystem, NAME=LEVEL one subsystem. Returns an error message for a bad spec
// and then changes nothing.
[[nodiscard]] std::optional<std::string> apply_spec(std::string_view spec);

enum class Format : std::uint8_t { journal, plain };

// Picks Format::journal when JOURNAL_STREAM names the device and inode of fd 2.
[[nodiscard]] Format detect_format();

// Where lines go. The default writes to fd 2 in detect_format()'s form; tests
// install a sink that captures lines. The sink receives the complete line
// without its trailing newline, and the level and subsystem.
using Sink = std::function<void(Level, Subsys, std::string_view line)>;
void set_sink(Sink sink);     // empty: back to stderr
void set_format(Format f);    // for the stderr sink

// Formats one line as it would be written (exposed for tests).
[[nodiscard]] std::string format_line(Format f, Level l, Subsys s, std::string_view msg);

// Writes one message; callers normally go through the helpers below.
void write(Subsys s, Level l, std::string_view msg);

template <class... A>
void logf(Subsys s, Level l, fmt::format_string<A...> f, A&&... a) {
  if (!enabled(s, l)) return;
  write(s, l, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void error(Subsys s, fmt::format_string<A...> f, A&&... a) { logf(s, Level::error, f, std::forward<A>(a)...); }
template <class... A>
void warn(Subsys s, fmt::format_string<A...> f, A&&... a) { logf(s, Level::warn, f, std::forward<A>(a)...); }
template <class... A>
void info(Subsys s, fmt::format_string<A...> f, A&&... a) { logf(s, Level::info, f, std::forward<A>(a)...); }
template <class... A>
void debug(Subsys s, fmt::format_string<A...> f, A&&... a) { logf(s, Level::debug, f, std::forward<A>(a)...); }
template <class... A>
void trace(Subsys s, fmt::format_string<A...> f, A&&... a) { logf(s, Level::trace, f, std::forward<A>(a)...); }

// The only way secret material reaches a log: hex of `bytes` labelled `what`,
// written only when `s` is at trace level.
void trace_secret(Subsys s, std::string_view what, std::span<const std::uint8_t> bytes);

}  // namespace answerd::log
