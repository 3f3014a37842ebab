// PubkeyAuthenticator::load: the files of the config's `auth = pubkey` rounds
// (see auth_pubkey.h). Private keys come from secrets.private/rsa/ecdsa/pkcs8<suffix>
// (decrypted with that section's secret) and, as swanctl loads them, from the
// private/, rsa/, ecdsa/ and pkcs8/ directories next to the file that defines the
// connection (encrypted ones tried with every key section's secret); the one whose
// public half is our certificate's key is ours. Issuers for our chain come from the
// round's other certs, every cacerts file and the x509ca/ directory. CRLs: each
// authority's crl_uris files (signed by its cacert) and the x509crl/ directory.
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
  std::map<fs::path, std::string> bad_keys{};  // why each failed (never a passphrase)
  std::set<std::string> reported{};

  void error_at(const config::SourceLoc& at, const std::string& what) {
    const std::string line = config::to_string(config::Diagnostic{.file = at.file, .line = at.line, .message = what});
    if (reported.insert(line).second) errors.push_back(line);
  }

  // Views of every key section's passphrase, for encrypted files of the swanctl
  // directories (the SecretStrings in cfg own and wipe the bytes).
  std::vector<pki::Bytes> all_passphrases() const {
    std::vector<pki::Bytes> out;
    for (const auto& s : cfg.secrets)
      if (s.type != config::Secret::Type::kIke && !s.data.empty()) out.push_back(s.data.view());
    return out;
  }

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

  std::shared_ptr<const pki::PrivateKey> key_at(const fs::path& p, std::span<const pki::Bytes> passphrases,
                                                std::string* err) {
    if (auto it = keys.find(p); it != keys.end()) return it->second;
    if (auto it = bad_keys.find(p); it != bad_keys.end()) {
      if (err != nullptr) *err = it->second;
      return nullptr;
    }
    auto k = pki::load_private_key_file(p, passphrases);
    if (!k) {
      bad_keys[p] = k.error().message;
      if (err != nullptr) *err = k.error().message;
      return nullptr;
    }
    return keys[p] = std::make_shared<const pki::PrivateKey>(std::move(*k));
  }

  // Our private key: the configured or swanctl-directory key matching `cert`.
  // Errors of configured key files are reported at their secrets section; an
  // encrypted directory key no passphrase opens only when no key matched.
  std::shared_ptr<const pki::PrivateKey> find_key(const config::AuthRound& r, const pki::Certificate& cert,
                                                  std::string* locked) {
    for (const auto& s : cfg.secrets) {
      if (s.type == config::Secret::Type::kIke || s.file.empty()) continue;
      std::string err;
      const pki::Bytes own[] = {s.data.view()};
      auto k = key_at(s.file, s.data.empty() ? std::span<const pki::Bytes>() : std::span<const pki::Bytes>(own), &err);
      if (!k) {
        if (!err.empty()) error_at(s.loc, "secrets." + s.name + ": " + err);
        continue;
      }
      if (cert.matches(*k)) return k;
    }
    const auto passphrases = all_passphrases();
    for (const auto& p : dir_files(r, {"private", "rsa", "ecdsa", "pkcs8"})) {
      std::string err;
      auto k = key_at(p, passphrases, &err);
      if (k && cert.matches(*k)) return k;
      if (!k && locked != nullptr && err.find(": encrypted, ") != std::string::npos)
        *locked += "; " + err;
    }
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
    std::string locked;  // encrypted directory keys no secret opens
    auto key = find_key(r, *ee, &locked);
    if (!key) {
      error(c, r, r.certs.front().string() + ": no private key for this certificate (secrets.private<suffix> "
                  "or the private/ directory)" + locked);
      return std::nullopt;
    }
    return PubkeyLocal{.chain = chain_of(std::move(*ee), issuer_pool(c, r)), .key = std::move(key)};
  }

  std::optional<PubkeyRemote> remote(const config::Connection& c, const config::AuthRound& r) {
    PubkeyRemote out;
    using P = pki::RevocationPolicy;
    out.revocation = r.revocation == config::Revocation::kStrict ? P::kStrict
                     : r.revocation == config::Revocation::kIfUri ? P::kIfUri
                                                                   : P::kRelaxed;
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

  // Every CA certificate the config names (authorities, cacerts, x509ca/): the
  // possible issuers of x509crl/ CRLs.
  std::vector<pki::Certificate> known_cas() {
    std::set<fs::path> files;
    for (const auto& a : cfg.authorities) files.insert(a.cacert);
    for (const auto& conn : cfg.connections)
      for (const auto* rounds : {&conn.local, &conn.remote})
        for (const auto& rr : *rounds) files.insert(rr.cacerts.begin(), rr.cacerts.end());
    std::vector<pki::Certificate> out;
    for (const auto& f : files)
      if (auto l = pki::load_certificates_file(f))
        for (auto& ca : *l)
          if (ca.is_ca()) out.push_back(std::move(ca));
    return out;
  }

  // RFC 5280 5: authorities' crl_uris files must be signed by their cacert; an
  // x509crl/ file by a CA of the config when one has its issuer's name (else the
  // chain's issuer is checked when the CRL is used). A missing crl_uris file was
  // warned about by the config loader: the CA then just has no CRL.
  void load_crls(pki::CrlSet& set) {
    for (const auto& a : cfg.authorities) {
      const std::string path = "authorities." + a.name;
      auto ca = pki::load_certificate_file(a.cacert);
      if (!ca) {
        error_at(a.loc, path + ".cacert: " + ca.error().message);
        continue;
      }
      if (!ca->is_ca()) {
        error_at(a.loc, path + ".cacert: " + a.cacert.string() + ": not a CA certificate");
        continue;
      }
      if (!a.crl_files.empty()) set.expect_crl(*ca);
      for (const auto& f : a.crl_files) {
        std::error_code ec;
        if (!fs::exists(f, ec)) continue;
        auto crl = pki::Crl::load_file(f);
        if (!crl) {
          error_at(a.crl_loc, path + ".crl_uris: " + crl.error().message);
          continue;
        }
        if (auto ok = set.add(std::move(*crl), f.string(), &*ca); !ok)
          error_at(a.crl_loc, path + ".crl_uris: " + ok.error().message);
      }
    }
    if (cfg.crl_files.empty()) return;
    const auto cas = known_cas();
    for (const auto& f : cfg.crl_files) {
      auto crl = pki::Crl::load_file(f);
      if (!crl) {
        errors.push_back("x509crl: " + crl.error().message);
        continue;
      }
      const pki::Certificate* issuer = nullptr;
      for (const auto& ca : cas)
        if (ca.subject_der() == crl->issuer_der() && (issuer == nullptr || crl->signed_by(ca))) issuer = &ca;
      if (auto ok = set.add(std::move(*crl), f.string(), issuer); !ok) errors.push_back("x509crl: " + ok.error().message);
    }
  }
};

}  // namespace

expected<std::unique_ptr<PubkeyAuthenticator>, std::vector<std::string>> PubkeyAuthenticator::load(
    std::shared_ptr<const config::Config> cfg, WallClock clock) {
  std::unique_ptr<PubkeyAuthenticator> a(new PubkeyAuthenticator(cfg, std::move(clock)));
  Loader l{.cfg = *cfg};
  l.load_crls(a->crls_);
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
