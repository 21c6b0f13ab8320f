// Text transcripts of sessions (mailsim C:/S:, swaks, curl --trace-ascii, smtplib, Postfix, tshark YAML, JSONL).
#pragma once
#include <string>
#include <string_view>

#include "formats/readers/capture.hpp"

namespace mailsim::formats {

// The transcript format the text looks like ("" when no line marks a direction).
std::string detect_transcript(std::string_view input);

// Reads `input` as `format` (one of known_formats() other than auto/pcap/pcapng). Returns
// false with a message when nothing in it can be read as that format.
bool read_transcript(std::string_view input, const std::string& format, const ReadLimits& limits, Capture& out,
                     std::string& error);

// Python's repr of a str or bytes ('a\r\n', b"it's") back to bytes; false when it is not one.
bool python_literal(std::string_view text, std::string& out);

}  // namespace mailsim::formats
