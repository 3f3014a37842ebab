// secrets { ike<suffix> { id<suffix>, secret }  private|rsa|ecdsa|pkcs8<suffix> { file, secret } }
// A key section's secret is the passphrase of an encrypted key file (decrypted when
// the credentials load; swanctl also tries it on the encrypted files of private/,
// rsa/, ecdsa/ and pkcs8/).
// Secret values follow swanctl: "0x..." is hex, "0s..." is base64, anything else is
// the literal text (quoted or not). Decoded bytes live only in SecretString.
#include <algorithm>

#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes into a SecretString through a buffer that is wiped before returning.
expected<SecretString, std::string> decode_secret(std::string_view v) {
  std::vector<std::uint8_t> buf;
  auto done = [&buf]() {
    SecretString s(std::span<const std::uint8_t>(buf.data(), buf.size()));
    if (!buf.empty()) explicit_bzero(buf.data(), buf.size());
    return s;
  };
  if (v.starts_with("0x")) {
    v.remove_prefix(2);
    if (v.empty() || v.size() % 2 != 0) return unexpected(std::string("hex secret needs an even number of digits"));
    for (std::size_t i = 0; i < v.size(); i += 2) {
      auto n = parse_uint("0x" + std::string(v.substr(i, 2)), 255);
      if (!n) { done(); return unexpected(std::string("invalid hex digit in secret")); }
      buf.push_back(static_cast<std::uint8_t>(*n));
    }
    return done();
  }
  if (v.starts_with("0s")) {
    v.remove_prefix(2);
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t pad = 0;
    for (char c : v) {
      if (c == '=') { ++pad; continue; }
      int x = b64_value(c);
      if (x < 0 || pad != 0) { done(); return unexpected(std::string("invalid base64 in secret")); }
      acc = (acc << 6) | static_cast<std::uint32_t>(x);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        buf.push_back(static_cast<std::uint8_t>(acc >> bits));
      }
    }
    acc = 0;
    if (buf.empty() || pad > 2) { done(); return unexpected(std::string("invalid base64 in secret")); }
    return done();
  }
  return SecretString(v);
}

constexpr std::size_t kShortPsk = 16;

Secret validate_ike(Ctx& ctx, const Section& sec, const std::string& path) {
  Secret out{.type = Secret::Type::kIke, .name = sec.name, .loc = sec.loc};
  bool have_secret = false;
  const KeyRule rules[] = {
      {"secret", [&](const Setting& s) -> Result {
         auto d = decode_secret(s.value);
         if (!d) return unexpected(d.error());
         if (d->empty()) return unexpected(std::string("empty secret"));
         if (d->size() < kShortPsk)
           ctx.diags.warning(s.loc, path + ".secret: pre-shared key shorter than " +
                                        std::to_string(kShortPsk) + " bytes is weak");
         out.data = std::move(*d);
         have_secret = true;
         return {};
       }},
  };
  apply_rules(ctx, sec, path, rules, [&](const Setting& s) {
    if (!s.key.starts_with("id")) return false;
    auto id = parse_identity(s.value);
    if (!id) ctx.diags.error(s.loc, path + "." + s.key + ": " + id.error());
    else if (id->kind != Identity::Kind::kAny) out.ids.push_back(std::move(*id));
    return true;
  });
  check_sections(ctx, sec, path, [](const std::string&) { return false; });
  if (!have_secret) ctx.diags.error(sec.loc, path + ": missing secret");
  return out;
}

Secret validate_key(Ctx& ctx, const Section& sec, const std::string& path, Secret::Type type,
                    std::string_view subdir) {
  Secret out{.type = type, .name = sec.name, .loc = sec.loc};
  bool have_file = false;
  const KeyRule rules[] = {
      {"file", [&](const Setting& s) -> Result {
         auto p = ctx.resolve(s, s.value, subdir, path + ".file");
         if (p) out.file = *p;
         have_file = true;
         return {};
       }},
      {"secret", [&](const Setting& s) -> Result {
         if (s.value.empty()) return unexpected(std::string("empty passphrase"));
         out.data = SecretString(s.value);  // passphrase of the key file, used as written
         return {};
       }},
  };
  apply_rules(ctx, sec, path, rules);
  check_sections(ctx, sec, path, [](const std::string&) { return false; });
  if (!have_file) ctx.diags.error(sec.loc, path + ": missing file");
  return out;
}

constexpr std::pair<std::string_view, std::string_view> kUnsupported[] = {
    {"eap", "EAP secrets"}, {"xauth", "XAuth secrets"}, {"ntlm", "NTLM secrets"},
    {"ppk", "post-quantum preshared keys"}, {"token", "smartcard tokens"},
    {"pkcs12", "PKCS#12 containers"},
};

}  // namespace

void validate_secrets(Ctx& ctx, const Section& sec, std::vector<Secret>& out) {
  for (const auto& s : sec.settings)
    ctx.diags.error(s.loc, "unexpected key '" + s.key + "' in secrets (secrets are sections)");
  for (const auto& sub : sec.sections) {
    std::string path = "secrets." + sub.name;
    const std::string& n = sub.name;
    bool unsupported = false;
    for (const auto& [prefix, what] : kUnsupported)
      if (n.starts_with(prefix)) {
        ctx.diags.error(sub.loc, path + ": " + std::string(what) + " are not supported");
        unsupported = true;
        break;
      }
    if (unsupported) continue;
    if (n.starts_with("ike")) out.push_back(validate_ike(ctx, sub, path));
    else if (n.starts_with("private")) out.push_back(validate_key(ctx, sub, path, Secret::Type::kPrivate, "private"));
    else if (n.starts_with("rsa")) out.push_back(validate_key(ctx, sub, path, Secret::Type::kRsa, "rsa"));
    else if (n.starts_with("ecdsa")) out.push_back(validate_key(ctx, sub, path, Secret::Type::kEcdsa, "ecdsa"));
    else if (n.starts_with("pkcs8")) out.push_back(validate_key(ctx, sub, path, Secret::Type::kPkcs8, "pkcs8"));
    else ctx.diags.error(sub.loc, "unknown section '" + n + "' in secrets (ike<suffix>, private<suffix>, rsa<suffix>, "
                                  "ecdsa<suffix>, pkcs8<suffix>)");
  }
}

}  // namespace answerd::config::detail
