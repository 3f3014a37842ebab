// IANA "IKEv2 Notify Message Types" (error types 1-16383, status types 16384-65535):
// the whole registry as an enum plus a name table. RFC 7296 3.10.1 defines the core;
// the comments in notify_types.cpp name the RFC of every later entry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace answerd::ike {

enum class NotifyType : std::uint16_t {
  kUnsupportedCriticalPayload = 1,
  kInvalidIkeSpi = 4,
  kInvalidMajorVersion = 5,
  kInvalidSyntax = 7,
  kInvalidMessageId = 9,
  kInvalidSpi = 11,
  kNoProposalChosen = 14,
  kInvalidKePayload = 17,
  kAuthenticationFailed = 24,
  kSinglePairRequired = 34,
  kNoAdditionalSas = 35,
  kInternalAddressFailure = 36,
  kFailedCpRequired = 37,
  kTsUnacceptable = 38,
  kInvalidSelectors = 39,
  kUnacceptableAddresses = 40,
  kUnexpectedNatDetected = 41,
  kUseAssignedHoa = 42,
  kTemporaryFailure = 43,
  kChildSaNotFound = 44,
  kInvalidGroupId = 45,
  kAuthorizationFailed = 46,
  kStateNotFound = 47,
  kTsMaxQueue = 48,
  kRegistrationFailed = 49,
  kInitialContact = 16384,
  kSetWindowSize = 16385,
  kAdditionalTsPossible = 16386,
  kIpcompSupported = 16387,
  kNatDetectionSourceIp = 16388,
  kNatDetectionDestinationIp = 16389,
  kCookie = 16390,
  kUseTransportMode = 16391,
  kHttpCertLookupSupported = 16392,
  kRekeySa = 16393,
  kEspTfcPaddingNotSupported = 16394,
  kNonFirstFragmentsAlso = 16395,
  kMobikeSupported = 16396,
  kAdditionalIp4Address = 16397,
  kAdditionalIp6Address = 16398,
  kNoAdditionalAddresses = 16399,
  kUpdateSaAddresses = 16400,
  kCookie2 = 16401,
  kNoNatsAllowed = 16402,
  kAuthLifetime = 16403,
  kMultipleAuthSupported = 16404,
  kAnotherAuthFollows = 16405,
  kRedirectSupported = 16406,
  kRedirect = 16407,
  kRedirectedFrom = 16408,
  kTicketLtOpaque = 16409,
  kTicketRequest = 16410,
  kTicketAck = 16411,
  kTicketNack = 16412,
  kTicketOpaque = 16413,
  kLinkId = 16414,
  kUseWespMode = 16415,
  kRohcSupported = 16416,
  kEapOnlyAuthentication = 16417,
  kChildlessIkev2Supported = 16418,
  kQuickCrashDetection = 16419,
  kIkev2MessageIdSyncSupported = 16420,
  kIpsecReplayCounterSyncSupported = 16421,
  kIkev2MessageIdSync = 16422,
  kIpsecReplayCounterSync = 16423,
  kSecurePasswordMethods = 16424,
  kPskPersist = 16425,
  kPskConfirm = 16426,
  kErxSupported = 16427,
  kIfomCapability = 16428,
  kGroupSender = 16429,
  kIkev2FragmentationSupported = 16430,
  kSignatureHashAlgorithms = 16431,
  kCloneIkeSaSupported = 16432,
  kCloneIkeSa = 16433,
  kPuzzle = 16434,
  kUsePpk = 16435,
  kPpkIdentity = 16436,
  kNoPpkAuth = 16437,
  kIntermediateExchangeSupported = 16438,
  kIp4Allowed = 16439,
  kIp6Allowed = 16440,
  kAdditionalKeyExchange = 16441,
  kUseAggfrag = 16442,
  kSupportedAuthMethods = 16443,
  kSaResourceInfo = 16444,
  kUsePpkInt = 16445,
  kPpkIdentityKey = 16446,
};

// Error types are below 16384 (RFC 7296 3.10.1): an unrecognized error type in a
// response means the request failed; an unrecognized status type is ignored.
inline constexpr std::uint16_t kFirstNotifyStatusType = 16384;
[[nodiscard]] constexpr bool is_error(NotifyType t) {
  return static_cast<std::uint16_t>(t) < kFirstNotifyStatusType;
}

struct NotifyTypeEntry {
  NotifyType type;
  std::string_view name;
};
// Every registered type, in registry order.
[[nodiscard]] std::span<const NotifyTypeEntry> notify_type_table();

// The registry name ("COOKIE", "AUTH_LIFETIME", ...) or nullopt when unregistered.
[[nodiscard]] std::optional<std::string_view> find_name(NotifyType t);
// The name, or "NOTIFY_ERROR(n)" / "NOTIFY_STATUS(n)" when unregistered.
[[nodiscard]] std::string to_string(NotifyType t);
// Reverse lookup by exact name.
[[nodiscard]] std::optional<NotifyType> notify_type_from_name(std::string_view name);

}  // namespace answerd::ike
