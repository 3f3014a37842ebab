// Names of the IANA IKEv2 registry values in iana.h, one table per enum, for logs,
// answerctl and tests. Names follow strongSwan's and the registry's spelling without
// the registry prefix where strongSwan drops it: to_string(EncrId::kAesGcm16) is
// "AES_GCM_16", to_string(DhGroup::kCurve25519) is "CURVE_25519", PRFs keep "PRF_".
// find_name() yields nullopt for unregistered values; to_string() then prints
// "<REGISTRY>(<number>)", e.g. "ENCR(99)". Notify types are in notify_types.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ike/wire/iana.h"

namespace answerd::ike {

[[nodiscard]] std::optional<std::string_view> find_name(ExchangeType v);
[[nodiscard]] std::string to_string(ExchangeType v);
[[nodiscard]] std::optional<std::string_view> find_name(PayloadType v);
[[nodiscard]] std::string to_string(PayloadType v);
[[nodiscard]] std::optional<std::string_view> find_name(TransformType v);
[[nodiscard]] std::string to_string(TransformType v);
[[nodiscard]] std::optional<std::string_view> find_name(ProtocolId v);
[[nodiscard]] std::string to_string(ProtocolId v);
[[nodiscard]] std::optional<std::string_view> find_name(EncrId v);
[[nodiscard]] std::string to_string(EncrId v);
[[nodiscard]] std::optional<std::string_view> find_name(PrfId v);
[[nodiscard]] std::string to_string(PrfId v);
[[nodiscard]] std::optional<std::string_view> find_name(IntegId v);
[[nodiscard]] std::string to_string(IntegId v);
[[nodiscard]] std::optional<std::string_view> find_name(DhGroup v);
[[nodiscard]] std::string to_string(DhGroup v);
[[nodiscard]] std::optional<std::string_view> find_name(EsnId v);
[[nodiscard]] std::string to_string(EsnId v);
[[nodiscard]] std::optional<std::string_view> find_name(TransformAttr v);
[[nodiscard]] std::string to_string(TransformAttr v);
[[nodiscard]] std::optional<std::string_view> find_name(IdType v);
[[nodiscard]] std::string to_string(IdType v);
[[nodiscard]] std::optional<std::string_view> find_name(CertEncoding v);
[[nodiscard]] std::string to_string(CertEncoding v);
[[nodiscard]] std::optional<std::string_view> find_name(AuthMethod v);
[[nodiscard]] std::string to_string(AuthMethod v);
[[nodiscard]] std::optional<std::string_view> find_name(TsType v);
[[nodiscard]] std::string to_string(TsType v);
[[nodiscard]] std::optional<std::string_view> find_name(CfgType v);
[[nodiscard]] std::string to_string(CfgType v);
[[nodiscard]] std::optional<std::string_view> find_name(CfgAttr v);
[[nodiscard]] std::string to_string(CfgAttr v);
[[nodiscard]] std::optional<std::string_view> find_name(HashAlgorithm v);
[[nodiscard]] std::string to_string(HashAlgorithm v);

// Name of transform `id` interpreted by its transform type (ENCR id 20 ->
// "AES_GCM_16", KE id 31 -> "CURVE_25519"); "<TYPE>(<id>)" when unknown.
[[nodiscard]] std::string transform_name(TransformType type, std::uint16_t id);

}  // namespace answerd::ike
