// CountingResponder (see responder.h): decodes the IKE header with the wire codec
// for the log and the counters, and sends nothing.
#include "daemon/responder.h"

#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "log/log.h"

namespace answerd::daemon {

void CountingResponder::on_datagram(const Datagram& d) {
  ++received_;
  auto h = ike::parse_header(d.bytes);
  if (!h) {
    ++undecodable_;
    log::debug(log::Subsys::ike, "{} bytes from {}: {}", d.bytes.size(), d.remote.to_string(),
               h.error().to_string());
    return;
  }
  std::string exchange = ike::to_string(h->exchange);
  ++by_exchange_[exchange];
  log::debug(log::Subsys::ike, "{} {} from {} to {} (SPIi {:016x}, msgid {}, {} bytes): not answered, "
            "no IKE SA engine in this build",
            exchange, h->response() ? "response" : "request", d.remote.to_string(), d.local.to_string(),
            h->spi_i.value(), h->message_id.value(), d.bytes.size());
}

nlohmann::json CountingResponder::stats() const {
  nlohmann::json by = nlohmann::json::object();
  for (const auto& [name, n] : by_exchange_) by[name] = n;
  return {{"received", received_}, {"undecodable", undecodable_}, {"by_exchange", std::move(by)},
          {"answered", 0}};
}

}  // namespace answerd::daemon
