// Test support for the pki tests: a scratch directory removed at exit, the openssl
// command line tool to make real keys and certificates at run time, and file
// reading. Aborts the test (ASSERT in the caller) when openssl fails.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace answerd::crypto::test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "answerd-pki-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command in `dir` (output discarded); true on exit status 0.
inline bool sh(const std::filesystem::path& dir, const std::string& cmd) {
  const std::string full = "cd '" + dir.string() + "' && (" + cmd + ") >/dev/null 2>&1";
  const int rc = std::system(full.c_str());
  EXPECT_EQ(rc, 0) << full;
  return rc == 0;
}

inline std::vector<std::uint8_t> slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// openssl genpkey arguments per key type.
inline const char* genpkey_args(const std::string& kind) {
  if (kind == "rsa") return "-algorithm RSA -pkeyopt rsa_keygen_bits:2048";
  if (kind == "rsa3072") return "-algorithm RSA -pkeyopt rsa_keygen_bits:3072";
  if (kind == "p256") return "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  if (kind == "p384") return "-algorithm EC -pkeyopt ec_paramgen_curve:P-384";
  if (kind == "p521") return "-algorithm EC -pkeyopt ec_paramgen_curve:P-521";
  if (kind == "ed448") return "-algorithm ED448";
  return "-algorithm ED25519";
}

// NAME.key (PEM PKCS#8) of `kind`.
inline bool make_key(const std::filesystem::path& dir, const std::string& name, const std::string& kind) {
  return sh(dir, std::string("openssl genpkey ") + genpkey_args(kind) + " -out " + name + ".key");
}

// A self-signed CA NAME.pem (NAME.key of `kind`) with subject `subj` ("/C=CH/O=x/CN=y").
inline bool make_ca(const std::filesystem::path& dir, const std::string& name, const std::string& kind,
                    const std::string& subj) {
  return make_key(dir, name, kind) &&
         sh(dir, "openssl req -x509 -new -key " + name + ".key -subj '" + subj + "' -days 3650 -out " +
                     name + ".pem -addext basicConstraints=critical,CA:TRUE" +
                     " -addext keyUsage=critical,keyCertSign,cRLSign");
}

// NAME.pem signed by ISSUER (ISSUER.pem/.key) with extensions `ext` (openssl
// extension file lines) valid for `days` from now.
inline bool make_cert(const std::filesystem::path& dir, const std::string& name, const std::string& kind,
                      const std::string& subj, const std::string& issuer, const std::string& ext,
                      int days = 30) {
  {
    std::ofstream(dir / (name + ".ext")) << ext << "\n";
  }
  static int serial = 100;
  return make_key(dir, name, kind) &&
         sh(dir, "openssl req -new -key " + name + ".key -subj '" + subj + "' -out " + name + ".csr") &&
         sh(dir, "openssl x509 -req -in " + name + ".csr -CA " + issuer + ".pem -CAkey " + issuer +
                     ".key -set_serial " + std::to_string(++serial) + " -days " + std::to_string(days) +
                     " -extfile " + name + ".ext -out " + name + ".pem");
}

}  // namespace answerd::crypto::test
