// The kernel IPsec dataplane as the IKE engine sees it: allocate inbound ESP SPIs,
// install, query and delete ESP SAs and their policies, and receive the kernel's
// expire and acquire events. Calls split "which object" (SaId, PolicyId) from "what
// data" (SaData, PolicyData), as strongSwan's kernel_ipsec.h does.
//
// Implementations: kernel/xfrm (XFRM over netlink, dataplane = xfrm) and
// kernel/none (dataplane = none: negotiate only, install nothing). Only daemon/
// knows which one runs.
//
// Ownership: every SA and policy answerd installs carries a reqid in the owned range
// below (kReqidOwnedBase | n). A backend removes its own entries at clean shutdown
// and flushes stale ones left by a crash at startup (flush_owned()), matching on that
// range only, so other IKE daemons' SAs and policies are never touched.
//
// Secrets: keys are passed as spans into the caller's wiping buffers; no backend
// copies them beyond the netlink message it builds (wiped after sending) and none
// ever logs them.
#pragma once

#include <cerrno>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/address.h"
#include "ike/wire/iana.h"
#include "ike/wire/types.h"
#include "util/expected.h"

namespace answerd::kernel {

// The address type shared with the configuration (family 4 or 6; IPv4 in the first
// four bytes). daemon::IpAddress is the socket-side form; daemon/ converts.
using IpAddress = config::IpAddress;

// Reqids answerd owns: the top 12 bits are kReqidOwnedBase, the low 20 bits are
// the engine's counter (one reqid per Child SA pair). strongSwan counts reqids up
// from 1 and Libreswan uses multiples of 4 from 16384, far below this range.
inline constexpr std::uint32_t kReqidOwnedBase = 0xA5D00000u;
inline constexpr std::uint32_t kReqidOwnedMask = 0xFFF00000u;
[[nodiscard]] constexpr bool is_owned_reqid(ike::Reqid r) {
  return (r.value() & kReqidOwnedMask) == kReqidOwnedBase;
}
// The n-th owned reqid (n is taken modulo 2^20; the value is never 0 because the
// base is non-zero). The engine uses n in 1..0xFFFFE; 0xFFFFF belongs to the
// XFRM backend's startup probe (kernel/xfrm/xfrm_probe.h).
[[nodiscard]] constexpr ike::Reqid owned_reqid(std::uint32_t n) {
  return ike::Reqid(kReqidOwnedBase | (n & ~kReqidOwnedMask));
}

struct IpsecError {
  int code = 0;         // errno from the kernel (positive), 0 if not from the kernel
  std::string message{};  // a sentence naming what failed and, where known, the fix
};
template <class T>
using IpsecResult = expected<T, IpsecError>;

enum class IpsecMode : std::uint8_t { kTransport, kTunnel };
enum class PolicyDir : std::uint8_t { kIn, kOut, kFwd };
enum class PolicyAction : std::uint8_t {
  kProtect,  // apply the SA template (ESP)
  kBypass,   // let the traffic pass without IPsec
  kDrop,     // block the traffic
};

// XFRM mark: matches packets with (skb->mark & mask) == value. mask 0: no mark.
struct Mark {
  std::uint32_t value = 0;
  std::uint32_t mask = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

// One side of a traffic selector as the kernel matches it: a prefix.
struct Prefix {
  IpAddress addr{};
  std::uint8_t len = 0;  // 0..32 or 0..128
  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// A kernel selector (RFC 4301 4.4.1 as XFRM can express it). IKE TS ranges that are
// not a prefix, or port ranges that are not a single port, must be split by the
// caller. Ports are host order; 0 means any port. For ICMP (1) and ICMPv6 (58) the
// kernel puts the type in src_port and the code in dst_port.
struct Selector {
  Prefix src{};
  Prefix dst{};
  std::uint8_t proto = 0;  // IP protocol, 0 = any
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  friend bool operator==(const Selector&, const Selector&) = default;
};

// Which SA: the kernel's SA key is (dst, spi, proto=ESP), plus mark and if_id.
struct SaId {
  IpAddress src{};  // outer source (the sender of the ESP packets)
  IpAddress dst{};  // outer destination
  ike::EspSpi spi{};
  Mark mark{};
  std::uint32_t if_id = 0;  // xfrm interface id, 0 = none
};

// Lifetime limits of one SA: 0 means no limit.
struct LifetimeLimits {
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  std::uint64_t seconds = 0;  // since the SA was added
};

// NAT-T (RFC 3948): ESP in UDP between these ports (host order), usually 4500.
struct UdpEncap {
  std::uint16_t src_port = 4500;
  std::uint16_t dst_port = 4500;
};

// Keys as spans into the caller's wiping buffers. AEAD keys (AES-GCM, ChaCha20-
// Poly1305) include the 4-byte salt at the end, as RFC 4106 3 / RFC 7634 2 KEYMAT.
struct EncrAlg {
  ike::EncrId id = ike::EncrId::kAesGcm16;
  std::uint16_t key_bits = 0;  // without the salt (AES: 128/192/256); 0 for ChaCha
  std::span<const std::uint8_t> key{};
};
struct IntegAlg {
  ike::IntegId id = ike::IntegId::kNone;  // kNone with an AEAD cipher
  std::span<const std::uint8_t> key{};
};

// What data an SA carries.
struct SaData {
  ike::Reqid reqid{};  // owned range (see kReqidOwnedBase)
  IpsecMode mode = IpsecMode::kTunnel;
  EncrAlg encr{};
  IntegAlg integ{};
  bool esn = false;                   // RFC 4303 extended sequence numbers
  std::uint32_t replay_window = 32;   // packets, 0 = no anti-replay (outbound SAs)
  std::optional<UdpEncap> encap{};    // NAT-T
  LifetimeLimits soft{};              // soft expire: reported, never acted on
  LifetimeLimits hard{};              // hard expire: the kernel deletes the SA
  std::optional<Selector> selector{}; // transport mode: the traffic the SA carries
  bool inbound = false;               // we receive with this SA
  bool update = false;                // the SPI was alloc_spi()'d: update, not add
};

// The packet counters of an SA.
struct SaStats {
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  std::uint64_t add_time = 0;  // seconds since the epoch
  std::uint64_t use_time = 0;  // seconds since the epoch of the first use, 0 = unused
};

// Which policy: selector, direction, mark and interface id.
struct PolicyId {
  Selector sel{};
  PolicyDir dir = PolicyDir::kOut;
  Mark mark{};
  std::uint32_t if_id = 0;
};

// The SA a protecting policy applies: for tunnel mode the outer addresses.
struct SaTemplate {
  IpAddress src{};
  IpAddress dst{};
  ike::Reqid reqid{};
  IpsecMode mode = IpsecMode::kTunnel;
};

// What data a policy carries.
struct PolicyData {
  PolicyAction action = PolicyAction::kProtect;
  std::uint32_t priority = 0;  // lower wins; 0 lets the backend choose by selector size
  SaTemplate sa{};             // for kProtect
  bool update = false;         // replace the installed policy of this PolicyId
};

// Kernel events. A soft expire is counted and logged (answerd never rekeys: the
// initiator does); a hard expire means the kernel removed the SA, so the engine
// deletes the Child SA and sends a DELETE. Acquires are counted and ignored.
struct ExpireEvent {
  SaId sa{};
  ike::Reqid reqid{};
  bool hard = false;
};
struct AcquireEvent {
  Selector sel{};
  IpAddress src{};  // the template's outer addresses
  IpAddress dst{};
  ike::Reqid reqid{};
};
struct IpsecEventHandler {
  std::function<void(const ExpireEvent&)> on_expire;
  std::function<void(const AcquireEvent&)> on_acquire;
};

struct Capabilities {
  bool installs_sas = false;      // false for dataplane = none
  bool xfrm_interfaces = false;   // if_id usable (xfrm interfaces exist)
  std::vector<ike::EncrId> encr{};  // ESP ciphers the kernel can instantiate
  std::vector<ike::IntegId> integ{};
};

class KernelIpsec {
 public:
  virtual ~KernelIpsec() = default;

  // An unused inbound SPI for ESP from src to dst (we are dst), reserved in a
  // larval SA until add_sa(update = true) fills it or its timer drops it.
  [[nodiscard]] virtual IpsecResult<ike::EspSpi> alloc_spi(const IpAddress& src,
                                                           const IpAddress& dst,
                                                           ike::Reqid reqid) = 0;
  [[nodiscard]] virtual IpsecResult<void> add_sa(const SaId& id, const SaData& data) = 0;
  [[nodiscard]] virtual IpsecResult<void> del_sa(const SaId& id) = 0;
  [[nodiscard]] virtual IpsecResult<SaStats> query_sa(const SaId& id) = 0;
  // The peer's NAT mapping moved (RFC 7296 2.23, RFC 3948): the installed SA `id`
  // continues at the outer addresses of `to` (same SPI, mark and if_id) with UDP
  // encapsulation `encap`, keeping its keys, replay state and lifetimes. When only
  // the ports moved the SA is updated in place; when an address moved it is
  // re-created at the new addresses and the old one removed.
  // A backend that cannot do it reports ENOTSUP (the default).
  [[nodiscard]] virtual IpsecResult<void> update_sa(const SaId& id, const SaId& to, const UdpEncap& encap) {
    (void)id, (void)to, (void)encap;
    return unexpected(IpsecError{.code = ENOTSUP, .message = "this dataplane cannot move an SA to a new NAT mapping"});
  }

  // data.update: replace the policy installed under `id` (a new SA template).
  [[nodiscard]] virtual IpsecResult<void> add_policy(const PolicyId& id,
                                                     const PolicyData& data) = 0;
  [[nodiscard]] virtual IpsecResult<void> del_policy(const PolicyId& id) = 0;

  // Removes every SA and policy in the owned reqid range (startup after a crash,
  // clean shutdown). Returns how many entries were removed.
  [[nodiscard]] virtual IpsecResult<std::size_t> flush_owned() = 0;

  // Events: the daemon polls event_fd() (-1: the backend has none) for reading and
  // calls dispatch_events(), which calls the handler for each event received.
  virtual void set_event_handler(IpsecEventHandler handler) = 0;
  [[nodiscard]] virtual int event_fd() const = 0;
  virtual void dispatch_events() = 0;

  [[nodiscard]] virtual const Capabilities& capabilities() const = 0;
};

}  // namespace answerd::kernel
