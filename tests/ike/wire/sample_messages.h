// Sample IKEv2 messages built from the data model, shaped like what strongSwan
// sends (RFC 7296 1.2-1.5), for round-trip, hostile-input and rules tests and as
// fuzzer seeds.
#pragma once

#include <vector>

#include "ike/wire/payloads.h"

namespace answerd::ike::testing {

// One instance of every payload type the codec decodes (and one unknown).
std::vector<Payload> every_payload();

// IKE_SA_INIT { HDR, SAi1, KEi, Ni, N(NAT_D_S), N(NAT_D_D), N(FRAG_SUP), V } -->
Message ike_sa_init_request();
// <-- { HDR, SAr1, KEr, Nr, N(NAT_D_S), N(NAT_D_D), CERTREQ, N(MULTIPLE_AUTH) }
Message ike_sa_init_response();
// IKE_AUTH inner payloads { IDi, CERT, N(INITIAL_CONTACT), IDr, AUTH, CP, SAi2, TSi, TSr }
std::vector<Payload> ike_auth_request_inner();
// INFORMATIONAL { HDR, SK { D } } with a fake 48-octet encrypted body
Message informational_delete_outer();

}  // namespace answerd::ike::testing
