// The validated, immutable configuration of answerd: what connections, secrets and
// daemon settings a swanctl.conf-style file describes (DESIGN.md "Configuration",
// docs/configuration.md for every key). Built by load_file()/parse_string() with
// designated initializers; nothing here is parsed lazily. Times are seconds, sizes
// bytes/packets; 0 means "not set / no limit" unless a field says otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/address.h"
#include "config/diagnostic.h"
#include "config/identity.h"
#include "config/proposal_keywords.h"
#include "config/secret_string.h"

namespace answerd::config {

using Seconds = std::chrono::seconds;

enum class AuthMethod { kPsk, kPubkey };
enum class Unique { kNo, kNever, kKeep, kReplace };
enum class Fragmentation { kYes, kAccept, kForce, kNo };
enum class Childless { kAllow, kForce, kNever };
enum class SendCert { kIfAsked, kAlways, kNever };
enum class Mode { kTunnel, kTransport };
enum class CopyDscp { kOut, kIn, kYes, kNo };  // strongSwan's copy_dscp
// strongSwan's revocation of a remote round: relaxed fails revoked certificates only;
// ifuri also when the issuer's configured CRL is expired or not loaded; strict
// unless a current CRL of the issuer says the certificate is good.
enum class Revocation { kRelaxed, kIfUri, kStrict };
// if_id_in / if_id_out (XFRM interface ID): a number, or %unique (a fresh ID per SA).
struct IfId {
  bool unique = false;
  std::uint32_t value = 0;
  friend bool operator==(const IfId&, const IfId&) = default;
};

// One authentication round: connections.<conn>.local<suffix> / remote<suffix>.
struct AuthRound {
  std::string name{};  // "local", "local-2", "remote", ...
  AuthMethod auth = AuthMethod::kPubkey;
  Identity id{};       // %any when not set
  std::vector<std::filesystem::path> certs{};    // resolved paths (files exist)
  std::vector<std::filesystem::path> cacerts{};
  std::vector<std::filesystem::path> pubkeys{};
  Revocation revocation = Revocation::kRelaxed;
  SourceLoc loc{};
  friend bool operator==(const AuthRound&, const AuthRound&) = default;
};

struct Child {
  std::string name{};
  std::vector<TrafficSelector> local_ts{};   // default: dynamic
  std::vector<TrafficSelector> remote_ts{};  // default: dynamic
  std::vector<Proposal> esp_proposals{};     // default: default_esp_proposals()
  Mode mode = Mode::kTunnel;
  // Our hard lifetime (XFRM hard expire, then DELETE) and the soft one (XFRM soft
  // expire: logged, never acted on; the peer rekeys). rekey_time defaults to 1h as in
  // strongSwan, life_time to rekey_time + 10%; rekey_* never exceed life_*.
  Seconds rekey_time{3600};
  Seconds life_time{3960};
  std::uint64_t rekey_bytes = 0;
  std::uint64_t life_bytes = 0;
  std::uint64_t rekey_packets = 0;
  std::uint64_t life_packets = 0;
  std::uint32_t replay_window = 32;
  std::optional<IfId> if_id_in{};   // overrides the connection's
  std::optional<IfId> if_id_out{};
  bool ipcomp = false;
  // Header field copying between inner and outer IP header in tunnel mode
  // (XFRM_STATE_NOPMTUDISC/NOECN, XFRM_SA_XFLAG_DONT_ENCAP_DSCP, XFRM_STATE_DECAP_DSCP).
  bool copy_df = true;
  bool copy_ecn = true;
  CopyDscp copy_dscp = CopyDscp::kOut;
  SourceLoc loc{};
  friend bool operator==(const Child&, const Child&) = default;
};

struct Connection {
  std::string name{};
  int version = 2;  // always 2 once validated (0 accepted as in strongSwan)
  std::vector<AddressRange> local_addrs{};   // default %any
  std::vector<AddressRange> remote_addrs{};  // default %any
  std::uint16_t local_port = 500;
  std::vector<Proposal> proposals{};  // default: default_ike_proposals()
  Unique unique = Unique::kNo;
  Fragmentation fragmentation = Fragmentation::kYes;
  Childless childless = Childless::kAllow;
  Seconds dpd_delay{0};    // 0: no liveness checks (answerd sends none unless set)
  Seconds dpd_timeout{0};  // IKEv1 only in strongSwan: accepted, unused
  // IKE SA lifetimes, strongSwan meaning; see auth_lifetime()/hard_lifetime().
  Seconds rekey_time{14400};
  Seconds reauth_time{0};
  Seconds over_time{0};  // computed default: 10% of max(rekey_time, reauth_time)
  bool send_certreq = true;
  SendCert send_cert = SendCert::kIfAsked;
  bool encap = false;
  bool mobike = true;  // accepted; answerd does not implement MOBIKE (RFC 4555)
  std::optional<IfId> if_id_in{};
  std::optional<IfId> if_id_out{};
  std::vector<AuthRound> local{};   // in order of suffix, at least one
  std::vector<AuthRound> remote{};  // in order of suffix, at least one
  std::vector<Child> children{};
  SourceLoc loc{};

  // RFC 4478 AUTH_LIFETIME that answerd announces in IKE_AUTH: the initiator must
  // reauthenticate before it. reauth_time when set, else rekey_time.
  [[nodiscard]] Seconds auth_lifetime() const {
    return reauth_time.count() != 0 ? reauth_time : rekey_time;
  }
  // When answerd deletes the IKE SA itself: auth_lifetime() + over_time.
  [[nodiscard]] Seconds hard_lifetime() const { return auth_lifetime() + over_time; }
  friend bool operator==(const Connection&, const Connection&) = default;
};

// authorities.<name>: a CA trusted by every remote pubkey round without trust
// anchors of its own, and the files holding its CRLs (crl_uris; answerd fetches
// nothing). CRL files are read when the credentials load (start, reload); one that
// is missing then counts as "configured, not loaded" for revocation = ifuri.
struct Authority {
  std::string name{};
  std::filesystem::path cacert{};                 // resolved, exists
  std::vector<std::filesystem::path> crl_files{};  // resolved, may not exist yet
  SourceLoc loc{};
  SourceLoc crl_loc{};  // the crl_uris line
  friend bool operator==(const Authority&, const Authority&) = default;
};

// secrets.ike<suffix> (PSK) and secrets.private/rsa/ecdsa/pkcs8<suffix> (key files).
struct Secret {
  enum class Type { kIke, kPrivate, kRsa, kEcdsa, kPkcs8 };
  Type type = Type::kIke;
  std::string name{};               // the section name, e.g. "ike-hub"
  std::vector<Identity> ids{};      // id<suffix> values; empty: matches any identity
  SecretString data{};              // PSK bytes, or the key file's passphrase (may be empty)
  std::filesystem::path file{};     // private keys only (resolved, exists)
  SourceLoc loc{};
  friend bool operator==(const Secret&, const Secret&) = default;
};

enum class Dataplane { kXfrm, kNone };
enum class XdpMode { kNative, kGeneric };
enum class LogLevel { kSilent, kError, kWarning, kInfo, kDebug, kTrace };

struct XdpSettings {
  std::vector<std::string> interfaces{};  // empty: no XDP program attached
  XdpMode mode = XdpMode::kNative;
  std::uint32_t init_rate = 200;   // IKE_SA_INIT per second per source
  std::uint32_t init_burst = 50;
  std::vector<std::uint16_t> ports{500, 4500};
  friend bool operator==(const XdpSettings&, const XdpSettings&) = default;
};

struct LogSettings {
  LogLevel level = LogLevel::kInfo;
  // Per-subsystem overrides: cfg, ike, enc, net, knl, xdp, ctl, sa.
  std::vector<std::pair<std::string, LogLevel>> subsystems{};
  friend bool operator==(const LogSettings&, const LogSettings&) = default;
};

struct DaemonSettings {
  Dataplane dataplane = Dataplane::kXfrm;
  std::filesystem::path control_socket = "/run/answerd/answerd.sock";
  std::filesystem::path bpffs = "/sys/fs/bpf/answerd";
  XdpSettings xdp{};
  std::uint32_t cookie_threshold = 10;     // half-open SAs before COOKIE is required
  std::uint32_t half_open_per_source = 0;  // 0: unlimited
  std::uint32_t workers = 0;               // 0: one per CPU
  LogSettings log{};
  friend bool operator==(const DaemonSettings&, const DaemonSettings&) = default;
};

struct Config {
  std::vector<Connection> connections{};
  std::vector<Secret> secrets{};
  std::vector<Authority> authorities{};
  // CRL files of the x509crl/ directory next to the config file (as swanctl loads them).
  std::vector<std::filesystem::path> crl_files{};
  DaemonSettings daemon{};
  std::vector<Diagnostic> warnings{};  // non-fatal findings (e.g. PSK without a secret)
  friend bool operator==(const Config&, const Config&) = default;
};

// False when some remote_addrs entry admits every address of a family (%any,
// 0.0.0.0/0, ::/0): then the XDP filter cannot drop unknown peers (DESIGN.md step 3).
[[nodiscard]] bool restricts_remote_addrs(const Connection& c);

[[nodiscard]] std::string_view to_string(AuthMethod v);
[[nodiscard]] std::string_view to_string(Unique v);
[[nodiscard]] std::string_view to_string(Fragmentation v);
[[nodiscard]] std::string_view to_string(Childless v);
[[nodiscard]] std::string_view to_string(SendCert v);
[[nodiscard]] std::string_view to_string(Mode v);
[[nodiscard]] std::string_view to_string(CopyDscp v);
[[nodiscard]] std::string_view to_string(Revocation v);
[[nodiscard]] std::string_view to_string(Dataplane v);
[[nodiscard]] std::string_view to_string(XdpMode v);
[[nodiscard]] std::string_view to_string(LogLevel v);

}  // namespace answerd::config
