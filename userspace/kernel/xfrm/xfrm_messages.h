// Pure builders and parsers of the XFRM netlink messages answerd uses (linux/xfrm.h,
// framed with libmnl). No sockets here: every function maps values to bytes or bytes
// to values, so the tests check them byte for byte against the uapi structs.
//
//   requests: XFRM_MSG_ALLOCSPI, NEWSA/UPDSA (also from a GETSA reply: NAT mapping
//             changes), DELSA, GETSA, NEWPOLICY/UPDPOLICY, DELPOLICY,
//             GETSA/GETPOLICY dumps (for the flush of owned entries)
//   replies and events: NEWSA (GETSA, ALLOCSPI, dumps), NEWPOLICY (dumps),
//             EXPIRE (soft/hard), ACQUIRE
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "kernel/ipsec.h"
#include "kernel/xfrm/nl_message.h"

namespace answerd::kernel::xfrm {

// SPI range for ALLOCSPI (RFC 4303 2.1: 1-255 are reserved).
inline constexpr std::uint32_t kSpiMin = 0xc0000000u;
inline constexpr std::uint32_t kSpiMax = 0xcfffffffu;

// XFRM_MSG_ALLOCSPI for an ESP SA from src to dst (a larval SA holding the SPI).
[[nodiscard]] NlMessage build_allocspi(const IpAddress& src, const IpAddress& dst,
                                       ike::Reqid reqid, std::uint32_t seq);
// XFRM_MSG_NEWSA, or XFRM_MSG_UPDSA when data.update. Fails for an algorithm the
// backend does not map, a key of the wrong length or mismatched address families.
[[nodiscard]] IpsecResult<NlMessage> build_newsa(const SaId& id, const SaData& data,
                                                 std::uint32_t seq);
// The SA the kernel reported in `current` (a GETSA reply: XFRM_MSG_NEWSA with its
// keys) moved to the outer addresses of `to` with UDP encapsulation `encap` (RFC
// 3948; a NAT mapping change, RFC 7296 2.23): XFRM_MSG_UPDSA when both addresses
// stay (the kernel's xfrm_state_update() replaces the encap in place but never an
// address), XFRM_MSG_NEWSA otherwise (the caller deletes the old SA). Every other
// attribute (algorithms and keys, replay state, mark, if_id...) is copied as reported.
[[nodiscard]] IpsecResult<NlMessage> build_moved_sa(const nlmsghdr* current, const SaId& to,
                                                    const UdpEncap& encap, std::uint32_t seq);
// XFRM_MSG_DELSA / XFRM_MSG_GETSA: xfrm_usersa_id + XFRMA_SRCADDR (+ XFRMA_MARK).
[[nodiscard]] NlMessage build_delsa(const SaId& id, std::uint32_t seq);
[[nodiscard]] NlMessage build_getsa(const SaId& id, std::uint32_t seq);
// XFRM_MSG_NEWPOLICY (XFRM_MSG_UPDPOLICY when data.update) with one ESP template
// for PolicyAction::kProtect.
[[nodiscard]] NlMessage build_newpolicy(const PolicyId& id, const PolicyData& data,
                                        std::uint32_t seq);
// XFRM_MSG_DELPOLICY by selector and direction.
[[nodiscard]] NlMessage build_delpolicy(const PolicyId& id, std::uint32_t seq);
// XFRM_MSG_DELPOLICY by the kernel's policy index (flush of dumped policies).
[[nodiscard]] NlMessage build_delpolicy_index(std::uint32_t index, PolicyDir dir,
                                              const Mark& mark, std::uint32_t if_id,
                                              std::uint32_t seq);
// XFRM_MSG_GETSA or XFRM_MSG_GETPOLICY with NLM_F_DUMP.
[[nodiscard]] NlMessage build_dump(std::uint16_t type, std::uint32_t seq);

// The priority a policy gets when PolicyData::priority is 0: more specific
// selectors get lower values (win), as strongSwan orders them.
[[nodiscard]] std::uint32_t default_priority(const Selector& sel);

// An SA as the kernel reports it (NEWSA reply or dump entry, EXPIRE).
struct SaInfo {
  SaId id{};
  ike::Reqid reqid{};
  IpsecMode mode = IpsecMode::kTunnel;
  SaStats stats{};
};
[[nodiscard]] std::optional<SaInfo> parse_sa(const nlmsghdr* nlh);
[[nodiscard]] std::optional<ExpireEvent> parse_expire(const nlmsghdr* nlh);
[[nodiscard]] std::optional<AcquireEvent> parse_acquire(const nlmsghdr* nlh);

// A policy as the kernel dumps it.
struct PolicyInfo {
  Selector sel{};
  PolicyDir dir = PolicyDir::kOut;
  std::uint32_t index = 0;
  std::uint32_t priority = 0;
  Mark mark{};
  std::uint32_t if_id = 0;
  std::vector<ike::Reqid> tmpl_reqids;  // one per XFRMA_TMPL entry
};
[[nodiscard]] std::optional<PolicyInfo> parse_policy(const nlmsghdr* nlh);

}  // namespace answerd::kernel::xfrm
