// IKE_SA_INIT (RFC 7296 1.2, 2.6-2.10, 2.23): process the request, then build
//   <-- HDR, SAr1, KEr, Nr, N(NAT_DETECTION_*), [N(IKEV2_FRAGMENTATION_SUPPORTED)],
//       [N(SIGNATURE_HASH_ALGORITHMS)], N(CHILDLESS_IKEV2_SUPPORTED)
// or one of HDR, N(COOKIE) / N(INVALID_KE_PAYLOAD) / N(NO_PROPOSAL_CHOSEN).
// The DH and key derivation run in InitJob, off the loop thread (engine.h).
#include <algorithm>

#include "ike/crypto/key_exchange.h"
#include "ike/sa/engine_impl.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_data.h"

namespace answerd::sa {

class InitJob final : public ComputeJob {
 public:
  // inputs (read-only while run() executes)
  Datagram request;
  ike::Message message;
  IkeSelection sel;
  ike::DhGroup group = ike::DhGroup::kNone;
  const config::Connection* conn = nullptr;
  ike::IkeSpi spi_r;
  ike::Bytes ni, nr, kei;
  crypto::Random* rng = nullptr;
  // outputs
  ike::Bytes public_value;
  std::optional<crypto::IkeKeys> keys;
  std::optional<crypto::CryptoError> error;

  void run() override {
    auto ke = crypto::make_key_exchange(group, *rng);
    if (!ke) return void(error = ke.error());
    auto pv = (*ke)->public_value();
    public_value.assign(pv.begin(), pv.end());
    auto gir = (*ke)->shared_secret(kei);
    if (!gir) return void(error = gir.error());
    // RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir), then prf+ for the SK_* keys.
    auto seed = crypto::skeyseed(sel.suite.prf, ni, nr, gir->view());
    if (!seed) return void(error = seed.error());
    auto k = crypto::derive_ike_keys(sel.suite, seed->view(), ni, nr, message.header.spi_i, spi_r);
    if (!k) return void(error = k.error());
    keys = std::move(*k);
  }
};

namespace {

ike::Message response_header(const ike::Header& req, ike::IkeSpi spi_r) {
  ike::Message m;
  m.header = ike::Header{.spi_i = req.spi_i,
                         .spi_r = spi_r,
                         .exchange = ike::ExchangeType::kIkeSaInit,
                         .flags = ike::kFlagResponse,
                         .message_id = req.message_id};
  return m;
}

bool check_nat(const ike::Message& m, ike::NotifyType type, const Endpoint& ep) {
  // true when no hash matches: that side is behind a NAT (RFC 7296 2.23)
  const auto want = nat_detection_hash(m.header.spi_i, ike::IkeSpi(0), ep);
  bool seen = false, match = false;
  for (const auto& p : m.payloads)
    if (const auto* n = ike::body_of<ike::NotifyPayload>(p); n && n->type == type) {
      seen = true;
      match = match || n->data == want;
    }
  return seen && !match;
}

}  // namespace

void Engine::init_error(Output& out, const Datagram& d, const ike::Header& h, ike::Payload notify) {
  auto m = response_header(h, ike::IkeSpi(0));
  m.payloads.push_back(std::move(notify));
  if (auto bytes = ike::serialize_message(m)) emit(out, d.local, d.remote, std::move(*bytes));
}

void Engine::ike_init(Output& out, const Datagram& d, ike::Message m, TimePoint now) {
  const InitKey key{d.remote.addr, d.remote.port, m.header.spi_i.value()};
  if (auto it = init_index_.find(key); it != init_index_.end()) {
    if (IkeSa* sa = find(it->second); sa && sa->init_request == d.bytes) {
      ++stats_.retransmits_answered;  // RFC 7296 2.3: same request, same answer
      emit(out, sa->local, sa->remote, sa->init_response);
    }
    return;
  }
  if (init_pending_.contains(key)) {
    ++stats_.init_in_progress_dropped;
    return;
  }
  if (auto ok = ike::check_payload_rules(ike::ExchangeType::kIkeSaInit, false, m.payloads, false); !ok) {
    ++stats_.malformed;
    log("IKE_SA_INIT from " + config::to_string(d.remote.addr) + ": " + ok.error().to_string());
    return;
  }
  const auto* sa_i = ike::body_of<ike::SaPayload>(*ike::find_payload(m.payloads, ike::PayloadType::kSa));
  const auto* ke_i = ike::body_of<ike::KePayload>(*ike::find_payload(m.payloads, ike::PayloadType::kKe));
  const auto* n_i = ike::body_of<ike::NoncePayload>(*ike::find_payload(m.payloads, ike::PayloadType::kNonce));
  // RFC 7296 2.6: under load, only a request that returns our cookie costs state.
  if (half_open_total_ >= cfg_->daemon.cookie_threshold) {
    const auto* c = ike::find_notify(m.payloads, ike::NotifyType::kCookie);
    if (c == nullptr || !cookies_.verify(c->data, n_i->data, d.remote.addr, m.header.spi_i, now)) {
      if (c != nullptr) ++stats_.cookies_bad;
      ++stats_.cookies_sent;
      init_error(out, d, m.header,
                 ike::make_notify(ike::NotifyType::kCookie, cookies_.make(n_i->data, d.remote.addr, m.header.spi_i, now)));
      return;
    }
  }
  const auto per_src = cfg_->daemon.half_open_per_source;
  if (per_src != 0 && half_open_by_src_.contains(d.remote.addr) && half_open_by_src_[d.remote.addr] >= per_src) {
    ++stats_.half_open_limited;
    return;
  }
  // RFC 7296 2.7: the first of OUR proposals (operator's order) that the peer offers.
  std::optional<IkeSelection> sel;
  const config::Connection* conn = nullptr;
  for (const auto* c : candidates(d.local, d.remote)) {
    if (c->proposals.empty()) {
      if ((sel = select_ike(config::default_ike_proposals(), *sa_i))) conn = c;
    } else if ((sel = select_ike(c->proposals, *sa_i))) {
      conn = c;
    }
    if (sel) break;
  }
  if (!sel) {
    ++stats_.no_proposal_chosen;
    log("IKE_SA_INIT from " + config::to_string(d.remote.addr) + ": no proposal chosen");
    init_error(out, d, m.header, ike::make_notify(ike::NotifyType::kNoProposalChosen));
    return;
  }
  // RFC 7296 1.2/2.7: a KEi of another group than one we accept -> INVALID_KE_PAYLOAD.
  if (std::find(sel->acceptable.begin(), sel->acceptable.end(), ke_i->group) == sel->acceptable.end()) {
    ++stats_.invalid_ke;
    init_error(out, d, m.header, ike::make_invalid_ke_payload(sel->group));
    return;
  }
  auto job = std::make_unique<InitJob>();
  job->request = d;
  job->sel = *sel;
  job->group = ke_i->group;
  job->conn = conn;
  job->spi_r = fresh_spi();
  job->ni = n_i->data;
  job->nr.resize(32);
  rng_.fill(job->nr);
  job->kei = ke_i->data;
  job->rng = &rng_;
  job->message = std::move(m);
  init_pending_.insert(key);
  pending_spi_.insert(job->spi_r);
  half_open_add(d.remote.addr, +1);
  out.job = std::move(job);
}

Output Engine::complete(std::unique_ptr<ComputeJob> job, TimePoint now) {
  if (job == nullptr) return {};
  if (auto* init = dynamic_cast<InitJob*>(job.get())) return init_complete(*init, now);
  Output out;
  if (!auth_complete(*job, out, now) && !rekey_complete(*job, out, now)) (void)child_complete(*job, out, now);
  return out;
}

Output Engine::init_complete(InitJob& job, TimePoint now) {
  Output out;
  const Datagram& d = job.request;
  const auto& m = job.message;
  init_pending_.erase(InitKey{d.remote.addr, d.remote.port, m.header.spi_i.value()});
  pending_spi_.erase(job.spi_r);
  if (!job.keys) {
    half_open_add(d.remote.addr, -1);
    ++stats_.malformed;
    log("IKE_SA_INIT from " + config::to_string(d.remote.addr) + ": " +
        std::string(crypto::to_string(job.error.value_or(crypto::CryptoError::kInternal))));
    if (job.error == crypto::CryptoError::kBadPublicValueLength || job.error == crypto::CryptoError::kInvalidPublicValue)
      init_error(out, d, m.header, ike::make_notify(ike::NotifyType::kInvalidSyntax));
    return out;
  }
  auto sa = std::make_unique<IkeSa>();
  sa->id = next_sa_id_++;
  sa->spi_i = m.header.spi_i;
  sa->spi_r = job.spi_r;
  sa->local = d.local;
  sa->remote = d.remote;
  sa->conn = job.conn;
  sa->suite = job.sel.suite;
  sa->group = job.group;
  sa->keys = std::move(*job.keys);
  const auto& s = sa->suite;
  const auto& k = sa->keys;
  auto in = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, k.sk_ei.view(), k.sk_ai.view(), rng_);
  auto outc = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, k.sk_er.view(), k.sk_ar.view(), rng_);
  if (!in || !outc) {
    half_open_add(d.remote.addr, -1);
    return out;
  }
  sa->in = std::move(*in);
  sa->out = std::move(*outc);
  sa->ni = job.ni;
  sa->nr = job.nr;
  sa->init_request = d.bytes;
  sa->created_at = now;
  sa->nat_remote = check_nat(m, ike::NotifyType::kNatDetectionSourceIp, d.remote);
  sa->nat_local = check_nat(m, ike::NotifyType::kNatDetectionDestinationIp, d.local);
  const bool frag_offered = ike::find_notify(m.payloads, ike::NotifyType::kIkev2FragmentationSupported) != nullptr;
  sa->peer_fragmentation = frag_offered && job.conn->fragmentation != config::Fragmentation::kNo;

  auto r = response_header(m.header, sa->spi_r);
  r.payloads.push_back(ike::make_payload(ike_response_sa(job.sel, job.group, {})));
  r.payloads.push_back(ike::make_payload(ike::KePayload{job.group, job.public_value}));
  r.payloads.push_back(ike::make_payload(ike::NoncePayload{job.nr}));
  r.payloads.push_back(ike::make_notify(ike::NotifyType::kNatDetectionSourceIp,
                                        nat_detection_hash(sa->spi_i, sa->spi_r, d.local)));
  r.payloads.push_back(ike::make_notify(ike::NotifyType::kNatDetectionDestinationIp,
                                        nat_detection_hash(sa->spi_i, sa->spi_r, d.remote)));
  // RFC 7383 2.3 and RFC 7427 4: answered only when the initiator announced them.
  if (sa->peer_fragmentation) r.payloads.push_back(ike::make_notify(ike::NotifyType::kIkev2FragmentationSupported));
  if (ike::find_notify(m.payloads, ike::NotifyType::kSignatureHashAlgorithms) != nullptr) {
    // Identity (RFC 8420): without it an Ed25519 initiator cannot sign.
    const ike::HashAlgorithm algs[] = {ike::HashAlgorithm::kSha2_256, ike::HashAlgorithm::kSha2_384,
                                       ike::HashAlgorithm::kSha2_512, ike::HashAlgorithm::kIdentity};
    r.payloads.push_back(ike::make_signature_hash_algorithms(algs));
  }
  // RFC 7296 3.7: CERTREQ naming our CAs, for peers we authenticate by certificate.
  if (auto pk = auth_.find(config::AuthMethod::kPubkey); pk != auth_.end())
    if (auto cr = pk->second->certreq(*job.conn)) r.payloads.push_back(std::move(*cr));
  r.payloads.push_back(ike::make_notify(ike::NotifyType::kChildlessIkev2Supported));  // RFC 6023
  auto bytes = ike::serialize_message(r);
  if (!bytes) {
    half_open_add(d.remote.addr, -1);
    return out;
  }
  sa->init_response = *bytes;
  sa->last = CachedResponse{.mid = ike::MessageId(0), .datagrams = {*bytes}};
  sa->next_mid = ike::MessageId(1);
  log("IKE_SA #" + std::to_string(sa->id) + " from " + config::to_string(d.remote.addr) + " selected " +
      ike::transform_name(ike::TransformType::kEncr, static_cast<std::uint16_t>(s.encr)) + "/" +
      ike::to_string(s.prf) + "/" + ike::to_string(job.group));
  init_index_[InitKey{d.remote.addr, d.remote.port, m.header.spi_i.value()}] = sa->spi_r;
  emit(out, d.local, d.remote, std::move(*bytes));
  const auto key_spi = sa->spi_r;
  sas_[key_spi] = std::move(sa);
  return out;
}

}  // namespace answerd::sa
