// How long SMTP waits for its peer: the minimum timeouts of RFC 5321 section 4.5.3.2, named.
#pragma once
#include <cstdint>

namespace mailsim::smtp {

using Duration = std::int64_t;  // microseconds, like the simulator's clock
inline constexpr Duration kMinute = 60'000'000;

// Client side (RFC 5321 4.5.3.2.1 - 4.5.3.2.6).
inline constexpr Duration kGreetingTimeout = 5 * kMinute;   // the initial 220
inline constexpr Duration kMailTimeout = 5 * kMinute;       // the reply to MAIL
inline constexpr Duration kRcptTimeout = 5 * kMinute;       // the reply to RCPT
inline constexpr Duration kDataInitTimeout = 2 * kMinute;   // the 354 after DATA
inline constexpr Duration kDataBlockTimeout = 3 * kMinute;  // each block of the message leaving
inline constexpr Duration kDataEndTimeout = 10 * kMinute;   // the reply after the final "."
// Server side (RFC 5321 4.5.3.2.7): waiting for the next command or the next data.
inline constexpr Duration kServerTimeout = 5 * kMinute;

// What a client session is waiting for, so the caller can pick the timeout to apply.
enum class Wait { Nothing, Greeting, Command, Mail, Rcpt, DataInit, DataEnd };

}  // namespace mailsim::smtp
