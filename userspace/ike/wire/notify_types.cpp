// Name table of the IANA IKEv2 Notify Message Types registry. Sources: RFC 7296
// (core types), RFC 4555 (MOBIKE), RFC 4478 (AUTH_LIFETIME), RFC 5685 (REDIRECT),
// RFC 5723 (tickets), RFC 6311 (message ID sync), RFC 7383 (fragmentation),
// RFC 7427 (SIGNATURE_HASH_ALGORITHMS), RFC 6023 (CHILDLESS), RFC 8019 (PUZZLE),
// RFC 8784 (PPK), RFC 9242 (INTERMEDIATE), RFC 8983 (IP4/IP6_ALLOWED),
// RFC 9370 (ADDITIONAL_KEY_EXCHANGE), RFC 9347 (USE_AGGFRAG), RFC 9593
// (SUPPORTED_AUTH_METHODS), RFC 9611 (SA_RESOURCE_INFO, TS_MAX_QUEUE), G-IKEv2.
#include "ike/wire/notify_types.h"

#include <array>

namespace answerd::ike {
namespace {

constexpr std::array<NotifyTypeEntry, 88> kTable{{
    {NotifyType::kUnsupportedCriticalPayload, "UNSUPPORTED_CRITICAL_PAYLOAD"},
    {NotifyType::kInvalidIkeSpi, "INVALID_IKE_SPI"},
    {NotifyType::kInvalidMajorVersion, "INVALID_MAJOR_VERSION"},
    {NotifyType::kInvalidSyntax, "INVALID_SYNTAX"},
    {NotifyType::kInvalidMessageId, "INVALID_MESSAGE_ID"},
    {NotifyType::kInvalidSpi, "INVALID_SPI"},
    {NotifyType::kNoProposalChosen, "NO_PROPOSAL_CHOSEN"},
    {NotifyType::kInvalidKePayload, "INVALID_KE_PAYLOAD"},
    {NotifyType::kAuthenticationFailed, "AUTHENTICATION_FAILED"},
    {NotifyType::kSinglePairRequired, "SINGLE_PAIR_REQUIRED"},
    {NotifyType::kNoAdditionalSas, "NO_ADDITIONAL_SAS"},
    {NotifyType::kInternalAddressFailure, "INTERNAL_ADDRESS_FAILURE"},
    {NotifyType::kFailedCpRequired, "FAILED_CP_REQUIRED"},
    {NotifyType::kTsUnacceptable, "TS_UNACCEPTABLE"},
    {NotifyType::kInvalidSelectors, "INVALID_SELECTORS"},
    {NotifyType::kUnacceptableAddresses, "UNACCEPTABLE_ADDRESSES"},
    {NotifyType::kUnexpectedNatDetected, "UNEXPECTED_NAT_DETECTED"},
    {NotifyType::kUseAssignedHoa, "USE_ASSIGNED_HoA"},
    {NotifyType::kTemporaryFailure, "TEMPORARY_FAILURE"},
    {NotifyType::kChildSaNotFound, "CHILD_SA_NOT_FOUND"},
    {NotifyType::kInvalidGroupId, "INVALID_GROUP_ID"},
    {NotifyType::kAuthorizationFailed, "AUTHORIZATION_FAILED"},
    {NotifyType::kStateNotFound, "STATE_NOT_FOUND"},
    {NotifyType::kTsMaxQueue, "TS_MAX_QUEUE"},
    {NotifyType::kRegistrationFailed, "REGISTRATION_FAILED"},
    {NotifyType::kInitialContact, "INITIAL_CONTACT"},
    {NotifyType::kSetWindowSize, "SET_WINDOW_SIZE"},
    {NotifyType::kAdditionalTsPossible, "ADDITIONAL_TS_POSSIBLE"},
    {NotifyType::kIpcompSupported, "IPCOMP_SUPPORTED"},
    {NotifyType::kNatDetectionSourceIp, "NAT_DETECTION_SOURCE_IP"},
    {NotifyType::kNatDetectionDestinationIp, "NAT_DETECTION_DESTINATION_IP"},
    {NotifyType::kCookie, "COOKIE"},
    {NotifyType::kUseTransportMode, "USE_TRANSPORT_MODE"},
    {NotifyType::kHttpCertLookupSupported, "HTTP_CERT_LOOKUP_SUPPORTED"},
    {NotifyType::kRekeySa, "REKEY_SA"},
    {NotifyType::kEspTfcPaddingNotSupported, "ESP_TFC_PADDING_NOT_SUPPORTED"},
    {NotifyType::kNonFirstFragmentsAlso, "NON_FIRST_FRAGMENTS_ALSO"},
    {NotifyType::kMobikeSupported, "MOBIKE_SUPPORTED"},
    {NotifyType::kAdditionalIp4Address, "ADDITIONAL_IP4_ADDRESS"},
    {NotifyType::kAdditionalIp6Address, "ADDITIONAL_IP6_ADDRESS"},
    {NotifyType::kNoAdditionalAddresses, "NO_ADDITIONAL_ADDRESSES"},
    {NotifyType::kUpdateSaAddresses, "UPDATE_SA_ADDRESSES"},
    {NotifyType::kCookie2, "COOKIE2"},
    {NotifyType::kNoNatsAllowed, "NO_NATS_ALLOWED"},
    {NotifyType::kAuthLifetime, "AUTH_LIFETIME"},
    {NotifyType::kMultipleAuthSupported, "MULTIPLE_AUTH_SUPPORTED"},
    {NotifyType::kAnotherAuthFollows, "ANOTHER_AUTH_FOLLOWS"},
    {NotifyType::kRedirectSupported, "REDIRECT_SUPPORTED"},
    {NotifyType::kRedirect, "REDIRECT"},
    {NotifyType::kRedirectedFrom, "REDIRECTED_FROM"},
    {NotifyType::kTicketLtOpaque, "TICKET_LT_OPAQUE"},
    {NotifyType::kTicketRequest, "TICKET_REQUEST"},
    {NotifyType::kTicketAck, "TICKET_ACK"},
    {NotifyType::kTicketNack, "TICKET_NACK"},
    {NotifyType::kTicketOpaque, "TICKET_OPAQUE"},
    {NotifyType::kLinkId, "LINK_ID"},
    {NotifyType::kUseWespMode, "USE_WESP_MODE"},
    {NotifyType::kRohcSupported, "ROHC_SUPPORTED"},
    {NotifyType::kEapOnlyAuthentication, "EAP_ONLY_AUTHENTICATION"},
    {NotifyType::kChildlessIkev2Supported, "CHILDLESS_IKEV2_SUPPORTED"},
    {NotifyType::kQuickCrashDetection, "QUICK_CRASH_DETECTION"},
    {NotifyType::kIkev2MessageIdSyncSupported, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED"},
    {NotifyType::kIpsecReplayCounterSyncSupported, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED"},
    {NotifyType::kIkev2MessageIdSync, "IKEV2_MESSAGE_ID_SYNC"},
    {NotifyType::kIpsecReplayCounterSync, "IPSEC_REPLAY_COUNTER_SYNC"},
    {NotifyType::kSecurePasswordMethods, "SECURE_PASSWORD_METHODS"},
    {NotifyType::kPskPersist, "PSK_PERSIST"},
    {NotifyType::kPskConfirm, "PSK_CONFIRM"},
    {NotifyType::kErxSupported, "ERX_SUPPORTED"},
    {NotifyType::kIfomCapability, "IFOM_CAPABILITY"},
    {NotifyType::kGroupSender, "GROUP_SENDER"},
    {NotifyType::kIkev2FragmentationSupported, "IKEV2_FRAGMENTATION_SUPPORTED"},
    {NotifyType::kSignatureHashAlgorithms, "SIGNATURE_HASH_ALGORITHMS"},
    {NotifyType::kCloneIkeSaSupported, "CLONE_IKE_SA_SUPPORTED"},
    {NotifyType::kCloneIkeSa, "CLONE_IKE_SA"},
    {NotifyType::kPuzzle, "PUZZLE"},
    {NotifyType::kUsePpk, "USE_PPK"},
    {NotifyType::kPpkIdentity, "PPK_IDENTITY"},
    {NotifyType::kNoPpkAuth, "NO_PPK_AUTH"},
    {NotifyType::kIntermediateExchangeSupported, "INTERMEDIATE_EXCHANGE_SUPPORTED"},
    {NotifyType::kIp4Allowed, "IP4_ALLOWED"},
    {NotifyType::kIp6Allowed, "IP6_ALLOWED"},
    {NotifyType::kAdditionalKeyExchange, "ADDITIONAL_KEY_EXCHANGE"},
    {NotifyType::kUseAggfrag, "USE_AGGFRAG"},
    {NotifyType::kSupportedAuthMethods, "SUPPORTED_AUTH_METHODS"},
    {NotifyType::kSaResourceInfo, "SA_RESOURCE_INFO"},
    {NotifyType::kUsePpkInt, "USE_PPK_INT"},
    {NotifyType::kPpkIdentityKey, "PPK_IDENTITY_KEY"},
}};

}  // namespace

std::span<const NotifyTypeEntry> notify_type_table() { return std::span<const NotifyTypeEntry>(kTable.data(), kTable.size()); }

std::optional<std::string_view> find_name(NotifyType t) {
  for (const auto& e : kTable)
    if (e.type == t) return e.name;
  return std::nullopt;
}

std::string to_string(NotifyType t) {
  if (auto n = find_name(t)) return std::string(*n);
  const auto v = static_cast<std::uint16_t>(t);
  return (is_error(t) ? "NOTIFY_ERROR(" : "NOTIFY_STATUS(") + std::to_string(v) + ")";
}

std::optional<NotifyType> notify_type_from_name(std::string_view name) {
  for (const auto& e : kTable)
    if (e.name == name) return e.type;
  return std::nullopt;
}

}  // namespace answerd::ike
