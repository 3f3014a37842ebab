// PubkeyAuthenticator::load: the files of the config's `auth = pubkey` rounds
// (see auth_pubkey.h). Private keys come from secrets.private/rsa/ecdsa<suffix>
// and, as swanctl loads them, from the private/, rsa/, ecdsa/ and pkcs8/
// directories next to the file that defines the connection; the one whose public
// half is our certificate's key is ours. Issuers for our chain come from the
// round's other certs, every cacerts file and the x509ca/ directory.
#include <algorithm>
#include <filesystem>
#include <set>

#include "ike/crypto/pki/identity.h"
#include "ike/sa/auth_pubkey.h"

namespace answerd::sa {
namespace pki = crypto::pki;
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxChain = 8;  // as pki::TrustStore::verify bounds intermediates

struct Loader {
  const config::Config& cfg;
  std::vector<std::string> errors{};
  std::map<fs::path, std::shared_ptr<const pki::PrivateKey>> keys{};  // loaded once
  std::set<fs::path> bad_keys{};

  void error(const config::Connection& c, const config::AuthRound& r, const std::string& what) {
    errors.push_back(config::to_string(config::Diagnostic{
        .file = r.loc.file, .line = r.loc.line, .message = "connections." + c.name + "." + r.name + ": " + what}));
  }

  std::vector<fs::path> dir_files(const config::AuthRound& r, std::initializer_list<const char*> subdirs) const {
    std::vector<fs::path> out;
    const fs::path base = fs::path(r.loc.file).parent_path();
    if (base.empty()) return out;  // a config from a string: no swanctl directories
    std::error_code ec;
    for (const char* sub : subdirs) {
      std::vector<fs::path> here;
      for (const auto& e : fs::directory_iterator(base / sub, ec))
        if (e.is_regular_file(ec)) here.push_back(e.path());
      std::sort(here.begin(), here.end());
      out.insert(out.end(), here.begin(), here.end());
    }
    return out;
  }

  std::shared_ptr<const pki::PrivateKey> key_at(const fs::path& p, std::string* err) {
    if (auto it = keys.find(p); it != keys.end()) return it->second;
    auto k = pki::load_private_key_file(p);
    if (!k) {
      bad_keys.insert(p);
      if (err != nullptr) *err = k.error().message;
      return nullptr;
    }
    return keys[p] = std::make_shared<const pki::PrivateKey>(std::move(*k));
  }

  // Our private key: the configured or swanctl-directory key matching `cert`.
  std::shared_ptr<const pki::PrivateKey> find_key(const config::Connection& c, const config::AuthRound& r,
                                                  const pki::Certificate& cert) {
    for (const auto& s : cfg.secrets) {
      if (s.type == config::Secret::Type::kIke || s.file.empty()) continue;
      std::string err;
      auto k = key_at(s.file, &err);
      if (!k) {
        if (!err.empty()) error(c, r, "secrets." + s.name + ": " + err);
        continue;
      }
      if (cert.matches(*k)) return k;
    }
    for (const auto& p : dir_files(r, {"private", "rsa", "ecdsa", "pkcs8"}))
      if (auto k = key_at(p, nullptr); k && cert.matches(*k)) return k;
    return nullptr;
  }

  std::vector<pki::Certificate> certs_of(const config::Connection& c, const config::AuthRound& r,
                                         const std::vector<fs::path>& files) {
    std::vector<pki::Certificate> out;
    for (const auto& f : files) {
      auto l = pki::load_certificates_file(f);
      if (!l) error(c, r, l.error().message);
      else out.insert(out.end(), l->begin(), l->end());
    }
    return out;
  }

  // Every certificate that may issue ours: round certs, all cacerts, x509ca/.
  std::vector<pki::Certificate> issuer_pool(const config::Connection& c, const config::AuthRound& r) {
    std::vector<pki::Certificate> pool = certs_of(c, r, std::vector<fs::path>(r.certs.begin() + 1, r.certs.end()));
    std::set<fs::path> files;
    for (const auto& conn : cfg.connections)
      for (const auto* rounds : {&conn.local, &conn.remote})
        for (const auto& rr : *rounds) files.insert(rr.cacerts.begin(), rr.cacerts.end());
    for (const auto& p : dir_files(r, {"x509ca"})) files.insert(p);
    for (const auto& f : files)
      if (auto l = pki::load_certificates_file(f)) pool.insert(pool.end(), l->begin(), l->end());
    return pool;
  }

  // Our certificate, then each issuer found in the pool, up to a self-signed root.
  std::vector<pki::Certificate> chain_of(pki::Certificate ee, const std::vector<pki::Certificate>& pool) {
    std::vector<pki::Certificate> chain{std::move(ee)};
    while (chain.size() <= kMaxChain && !chain.back().self_signed()) {
      const auto issuer = chain.back().issuer_der();
      auto it = std::find_if(pool.begin(), pool.end(), [&](const pki::Certificate& p) {
        return p.subject_der() == issuer && !std::ranges::equal(p.der(), chain.back().der());
      });
      if (it == pool.end()) break;
      chain.push_back(*it);
    }
    return chain;
  }

  // Our identity must be the one the certificate states (strongSwan refuses it too).
  void check_own_id(const config::Connection& c, const config::AuthRound& r, const pki::Certificate& ee) {
    using K = config::Identity::Kind;
    if (r.id.kind == K::kAny) return;
    if (r.id.kind == K::kDn) {
      auto subject = identity_from_wire(ike::IdPayload{ike::IdType::kDerAsn1Dn, ee.subject_der()});
      if (!subject || !config::matches(r.id, *subject))
        error(c, r, "id '" + r.id.text + "' is not the subject of our certificate ('" + ee.subject_text() + "')");
      return;
    }
    const ike::IdPayload w = identity_to_wire(r.id, config::IpAddress{});
    if (!pki::check_identity(ee, pki::IkeId{.type = w.id_type, .data = w.data}))
      error(c, r, "id '" + r.id.text + "' is not in our certificate ('" + ee.subject_text() + "')");
  }

  std::optional<PubkeyLocal> local(const config::Connection& c, const config::AuthRound& r) {
    if (r.certs.empty()) {
      error(c, r, "auth = pubkey needs our certificate in certs (raw public keys are not sent)");
      return std::nullopt;
    }
    auto ee = pki::load_certificate_file(r.certs.front());
    if (!ee) {
      error(c, r, ee.error().message);
      return std::nullopt;
    }
    check_own_id(c, r, *ee);
    auto key = find_key(c, r, *ee);
    if (!key) {
      error(c, r, r.certs.front().string() + ": no private key for this certificate (secrets.private<suffix> "
                  "or the private/ directory)");
      return std::nullopt;
    }
    return PubkeyLocal{.chain = chain_of(std::move(*ee), issuer_pool(c, r)), .key = std::move(key)};
  }

  std::optional<PubkeyRemote> remote(const config::Connection& c, const config::AuthRound& r) {
    PubkeyRemote out;
    const std::size_t before = errors.size();
    if (!r.cacerts.empty()) {
      auto cas = certs_of(c, r, r.cacerts);
      if (errors.size() != before) return std::nullopt;
      auto t = pki::TrustStore::create(std::move(cas));
      if (!t) {
        error(c, r, "cacerts: " + t.error().message);
        return std::nullopt;
      }
      out.trust = std::move(*t);
    }
    out.pinned = certs_of(c, r, r.certs);
    for (const auto& f : r.pubkeys) {
      auto k = pki::load_public_key_file(f);
      if (!k) error(c, r, k.error().message);
      else out.pubkeys.push_back(std::move(*k));
    }
    if (errors.size() != before) return std::nullopt;
    return out;
  }
};

}  // namespace

expected<std::unique_ptr<PubkeyAuthenticator>, std::vector<std::string>> PubkeyAuthenticator::load(
    std::shared_ptr<const config::Config> cfg, WallClock clock) {
  std::unique_ptr<PubkeyAuthenticator> a(new PubkeyAuthenticator(cfg, std::move(clock)));
  Loader l{.cfg = *cfg};
  for (const auto& c : cfg->connections) {
    if (c.local.empty() || c.remote.empty()) continue;
    if (c.local.front().auth == config::AuthMethod::kPubkey)
      if (auto loc = l.local(c, c.local.front())) a->local_[&c] = std::move(*loc);
    if (c.remote.front().auth == config::AuthMethod::kPubkey)
      if (auto rem = l.remote(c, c.remote.front())) a->remote_[&c] = std::move(*rem);
  }
  if (!l.errors.empty()) return unexpected(std::move(l.errors));
  return a;
}

}  // namespace answerd::sa
