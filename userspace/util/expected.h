// answerd::expected / answerd::unexpected: std::expected where the standard library
// has it (g++ 12 with -std=c++23), otherwise a small equivalent. clang 14-16 cannot
// use libstdc++ 12's <expected> (it needs P0848 conditionally trivial destructors),
// and the sanitizer and libFuzzer builds use clang. Only the subset both provide is
// here: no monadic operations (and_then/transform), which g++ 12 lacks too.
#pragma once

#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
namespace answerd {
using std::expected;
using std::unexpect;
using std::unexpect_t;
using std::unexpected;
}  // namespace answerd
#else
#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace answerd {

struct unexpect_t {
  explicit unexpect_t() = default;
};
inline constexpr unexpect_t unexpect{};

template <class E>
class unexpected {
 public:
  constexpr explicit unexpected(E e) : e_(std::move(e)) {}
  constexpr const E& error() const& noexcept { return e_; }
  constexpr E& error() & noexcept { return e_; }
  constexpr E&& error() && noexcept { return std::move(e_); }
  friend constexpr bool operator==(const unexpected& a, const unexpected& b) { return a.e_ == b.e_; }

 private:
  E e_;
};
template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class [[nodiscard]] expected {
 public:
  using value_type = T;
  using error_type = E;

  constexpr expected()
    requires std::is_default_constructible_v<T>
      : v_(std::in_place_index<0>) {}
  template <class U = T>
    requires(std::is_constructible_v<T, U> &&
             !std::is_same_v<std::remove_cvref_t<U>, expected> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t>)
  constexpr expected(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  constexpr expected(const unexpected<G>& u) : v_(std::in_place_index<1>, u.error()) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : v_(std::in_place_index<1>, std::move(u).error()) {}
  template <class... A>
  constexpr explicit expected(std::in_place_t, A&&... a)
      : v_(std::in_place_index<0>, std::forward<A>(a)...) {}
  template <class... A>
  constexpr explicit expected(unexpect_t, A&&... a)
      : v_(std::in_place_index<1>, std::forward<A>(a)...) {}

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& operator*() & { return std::get<0>(v_); }
  constexpr const T& operator*() const& { return std::get<0>(v_); }
  constexpr T&& operator*() && { return std::get<0>(std::move(v_)); }
  constexpr T* operator->() { return &std::get<0>(v_); }
  constexpr const T* operator->() const { return &std::get<0>(v_); }
  constexpr T& value() & { return std::get<0>(v_); }
  constexpr const T& value() const& { return std::get<0>(v_); }
  constexpr T&& value() && { return std::get<0>(std::move(v_)); }
  constexpr E& error() & { return std::get<1>(v_); }
  constexpr const E& error() const& { return std::get<1>(v_); }
  constexpr E&& error() && { return std::get<1>(std::move(v_)); }

  template <class U>
  constexpr T value_or(U&& d) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(d));
  }
  template <class U>
  constexpr T value_or(U&& d) && {
    return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(d));
  }

  friend constexpr bool operator==(const expected& a, const expected& b) { return a.v_ == b.v_; }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  constexpr expected() = default;
  template <class G>
  constexpr expected(const unexpected<G>& u) : e_(std::in_place, u.error()) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : e_(std::in_place, std::move(u).error()) {}
  template <class... A>
  constexpr explicit expected(unexpect_t, A&&... a) : e_(std::in_place, std::forward<A>(a)...) {}

  constexpr bool has_value() const noexcept { return !e_.has_value(); }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr void operator*() const noexcept {}
  constexpr void value() const { assert(has_value()); }
  constexpr E& error() & { return *e_; }
  constexpr const E& error() const& { return *e_; }
  constexpr E&& error() && { return std::move(*e_); }

 private:
  std::optional<E> e_;
};

}  // namespace answerd
#endif
