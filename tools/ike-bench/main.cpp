// ike-bench: command line (CLI11) of the IKEv2 load initiator and flood tool.
//   ike-bench --target ADDR[:PORT] [--local A,B|--local-range A-B] [--ports N] --concurrency N
//             (--count N|--duration S) --proposal P [--esp P|--childless] (--psk S|--cert PEM --key PEM [--cacert PEM])
//             --id-pattern 'spoke-%d.example' --remote-id ID [--rate R] [--rekeys N] [--delete]
//             [--tsi CIDR|A-B] [--tsr CIDR|A-B] [--retransmit-ms MS] [--tries N] [--no-verify]
//             [--json FILE] [--progress]
//   ike-bench flood --kind init|retransmit|role-violation|unsolicited-response
//             --target ADDR[:PORT] --rate R --duration S [--spoof-range A-B] [--json FILE]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <tuple>

#include "tools/ike-bench/flood.h"
#include "tools/ike-bench/runner.h"
#include "tools/ike-bench/udp.h"

namespace {

using namespace answerd;

bool write_out(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream f(path);
  f << text;
  return static_cast<bool>(f);
}

int fail(const std::string& msg) {
  std::cerr << "ike-bench: " << msg << "\n";
  return 2;
}

struct Args {
  std::string target, local, local_range, proposal = "aes256gcm16-prfsha256-x25519", esp, psk,
                                          id_pattern = "spoke-%d.example", remote_id, json, kind = "init", spoof_range,
                                          tsi, tsr, cert, key, cacert;
  bool childless = false, progress = false, del = false, no_verify = false;
  std::uint32_t concurrency = 1, ports = 1;
  std::uint64_t count = 0;
  double duration = 0, rate = 0;
  int retransmit_ms = 500, tries = 5, rekeys = 0;
};

int run_bench(const Args& a) {
  bench::RunConfig cfg;
  auto t = bench::parse_endpoint(a.target, 500);
  if (!t) return fail("--target: " + t.error());
  cfg.target = *t;
  if (!a.local.empty()) {
    std::string_view rest = a.local;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto ip = config::parse_ip(rest.substr(0, comma));
      if (!ip) return fail("--local: " + ip.error());
      cfg.locals.push_back(*ip);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  } else if (!a.local_range.empty()) {
    auto r = bench::expand_range(a.local_range, 65536);
    if (!r) return fail("--local-range: " + r.error());
    cfg.locals = std::move(*r);
  }
  auto ike = config::parse_ike_proposal(a.proposal);
  if (!ike) return fail("--proposal: " + ike.error());
  cfg.initiator.ike = *ike;
  if (a.childless) {
    cfg.initiator.child = bench::ChildMode::kChildless;
  } else {
    auto esp = config::parse_esp_proposal(a.esp.empty() ? "aes256gcm16" : a.esp);
    if (!esp) return fail("--esp: " + esp.error());
    cfg.initiator.esp = *esp;
  }
  for (auto [text, dst, name] :
       {std::tuple{&a.tsi, &cfg.initiator.tsi, "--tsi"}, std::tuple{&a.tsr, &cfg.initiator.tsr, "--tsr"}}) {
    if (text->empty()) continue;
    auto r = config::parse_address_spec(*text);
    if (!r || r->size() != 1) return fail(std::string(name) + ": " + (r ? "one family only" : r.error()));
    *dst = r->front();
  }
  if (a.target.empty()) return fail("--target is required");
  if (!a.cert.empty()) {
    auto k = crypto::pki::load_private_key_file(a.key);
    if (!k) return fail("--key: " + k.error().message);
    auto c = crypto::pki::load_certificate_file(a.cert);
    if (!c) return fail("--cert: " + c.error().message);
    if (!c->matches(*k)) return fail("--cert does not match --key");
    std::vector<crypto::pki::Certificate> cas;
    if (!a.cacert.empty()) {
      auto l = crypto::pki::load_certificates_file(a.cacert);
      if (!l) return fail("--cacert: " + l.error().message);
      cas = std::move(*l);
    }
    cfg.initiator.cert =
        std::make_shared<const bench::CertAuth>(bench::CertAuth{std::move(*k), std::move(*c), std::move(cas)});
  } else if (a.psk.empty()) {
    return fail("--psk or --cert/--key is required");
  }
  if (a.count == 0 && a.duration <= 0) return fail("one of --count or --duration is required");
  cfg.initiator.psk = a.psk;
  cfg.initiator.remote_id = a.remote_id;
  cfg.initiator.send_delete = a.del;
  if (a.rekeys > 0 && a.childless) return fail("--rekeys needs a Child SA");
  cfg.initiator.child_rekeys = a.rekeys;
  cfg.initiator.verify_responder_auth = !a.no_verify;
  cfg.initiator.retransmit_base = std::chrono::milliseconds(a.retransmit_ms);
  cfg.initiator.retransmit_tries = a.tries;
  cfg.concurrency = a.concurrency;
  cfg.ports_per_address = a.ports;
  cfg.count = a.count;
  cfg.duration_s = a.duration;
  cfg.rate = a.rate;
  cfg.id_pattern = a.id_pattern;
  cfg.progress = a.progress || isatty(STDERR_FILENO) != 0;
  auto res = bench::run(cfg);
  if (!res) return fail(res.error());
  const bench::RunInfo info{.target = a.target,
                            .proposal = a.proposal,
                            .child = a.childless ? "childless" : "esp",
                            .concurrency = a.concurrency};
  std::cout << bench::to_text(info, *res);
  if (!a.json.empty() && !write_out(a.json, bench::to_json(info, *res))) return fail("cannot write " + a.json);
  return res->failed == 0 ? 0 : 1;
}

int run_flood(const Args& a) {
  bench::FloodConfig cfg;
  auto k = bench::parse_flood_kind(a.kind);
  if (!k) return fail("--kind: unknown " + a.kind);
  cfg.kind = *k;
  auto t = bench::parse_endpoint(a.target, 500);
  if (!t) return fail("--target: " + t.error());
  cfg.target = *t;
  auto ike = config::parse_ike_proposal(a.proposal);
  if (!ike) return fail("--proposal: " + ike.error());
  cfg.ike = *ike;
  cfg.rate = a.rate;
  cfg.duration_s = a.duration;
  if (!a.spoof_range.empty()) {
    auto r = bench::expand_range(a.spoof_range, 1 << 20);
    if (!r) return fail("--spoof-range: " + r.error());
    cfg.spoof = std::move(*r);
  }
  auto res = bench::flood(cfg);
  if (!res) return fail(res.error());
  const auto j = bench::to_json(cfg, *res);
  std::cout << j;
  if (!a.json.empty() && !write_out(a.json, j)) return fail("cannot write " + a.json);
  return res->send_errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"ike-bench: IKEv2 load initiator for tests and benchmarks"};
  app.require_subcommand(0, 1);
  app.add_option("--target", a.target, "responder ADDR[:PORT] (port 500)");
  auto* local = app.add_option("--local", a.local, "local addresses, comma separated (one socket each)");
  app.add_option("--local-range", a.local_range, "local addresses A-B")->excludes(local);
  app.add_option("--ports", a.ports, "sockets (source ports) per local address")->check(CLI::Range(1u, 1024u));
  app.add_option("--concurrency", a.concurrency, "negotiations in flight")->check(CLI::Range(1u, 1000000u));
  app.add_option("--count", a.count, "negotiations to run");
  app.add_option("--duration", a.duration, "seconds to start negotiations for")->check(CLI::NonNegativeNumber);
  app.add_option("--proposal", a.proposal, "IKE proposal, strongSwan keywords");
  auto* esp = app.add_option("--esp", a.esp, "ESP proposal of the Child SA (default aes256gcm16)");
  app.add_flag("--childless", a.childless, "no Child SA (RFC 6023)")->excludes(esp);
  auto* psk = app.add_option("--psk", a.psk, "pre-shared key");
  auto* cert = app.add_option("--cert", a.cert, "our certificate (PEM/DER) for signature auth")->excludes(psk);
  app.add_option("--key", a.key, "private key of --cert (ECDSA, RSA, Ed25519)")->needs(cert);
  cert->needs(app.get_option("--key"));
  app.add_option("--cacert", a.cacert, "CA certificates to name in a CERTREQ")->needs(cert);
  app.add_option("--id-pattern", a.id_pattern, "IDi (FQDN), %d is the sequence number");
  app.add_option("--remote-id", a.remote_id, "IDr (FQDN) to send");
  app.add_option("--rate", a.rate, "negotiations (or flood datagrams) started per second")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tsi", a.tsi, "TSi of the Child SA, CIDR or A-B (default: the local address)");
  app.add_option("--tsr", a.tsr, "TSr of the Child SA, CIDR or A-B (default: everything)");
  app.add_option("--rekeys", a.rekeys, "CREATE_CHILD_SA rekeys of the Child SA after IKE_AUTH")
      ->check(CLI::Range(0, 1000));
  app.add_flag("--delete", a.del, "delete each IKE SA once established");
  app.add_flag("--no-verify", a.no_verify, "do not check the responder's AUTH");
  app.add_option("--retransmit-ms", a.retransmit_ms, "first retransmission timeout")->check(CLI::Range(10, 60000));
  app.add_option("--tries", a.tries, "sends per request before a timeout")->check(CLI::Range(1, 20));
  app.add_option("--json", a.json, "write the JSON report to FILE ('-': stdout)");
  app.add_flag("--progress", a.progress, "progress line on stderr");
  auto* fl = app.add_subcommand("flood", "send crafted IKE datagrams at a fixed rate");
  fl->add_option("--kind", a.kind, "init|retransmit|role-violation|unsolicited-response")->required();
  fl->add_option("--target", a.target, "responder ADDR[:PORT]")->required();
  fl->add_option("--rate", a.rate, "datagrams per second")->required();
  fl->add_option("--duration", a.duration, "seconds")->required();
  fl->add_option("--spoof-range", a.spoof_range, "IPv4 source addresses A-B (raw socket, root)");
  fl->add_option("--proposal", a.proposal, "IKE proposal of init floods");
  fl->add_option("--json", a.json, "write the JSON report to FILE");
  CLI11_PARSE(app, argc, argv);
  return fl->parsed() ? run_flood(a) : run_bench(a);
}
