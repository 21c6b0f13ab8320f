// The post-office analogy: which postal situation a trace record corresponds to (a key of
// assets/analogy/LANG.json) and which station of the drawn scene it lights up.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

namespace mailsim::gui {

// The stations of the postal scene, left to right as a letter travels, plus the extras.
enum class Station {
  None,
  PostBox,          // the mail client: a post box / letter box
  Counter,          // the local post office's counter (submission, AUTH)
  Sorting,          // sorting room of a post office (the MTA's queue)
  Transport,        // the truck/plane between post offices (SMTP relay, TCP)
  DestinationOffice,// the post office that serves the recipient
  PoBox,            // P.O. boxes (mailboxes on the server)
  Home,             // the recipient's home (POP3 download)
  Directory,        // the postcode directory book (DNS)
  ReturnToSender,   // the "return to sender" stamp (bounces, refusals)
  Gate,             // a locked gate (OP25B, policies)
  Envelope,         // a sealed envelope (TLS) versus a postcard (plain text)
};
constexpr int kStationCount = 12;

// Station names as used in assets/analogy/stations.json.
std::string_view station_name(Station s);
std::optional<Station> station_from_name(std::string_view name);

// What the classifier may know besides the record itself.
struct AnalogyContext {
  std::uint16_t server_port = 0;  // the connection's server port, when the record has one
  std::string client_kind;        // kind of the connection's client host ("pc", "mail_server", ...)
};

// The situation key of a record ("dns.query", "tcp.refused", "smtp.submission", ...), or ""
// when the record has no postal twin (packets, meta, notes).
std::string analogy_key(const sim::Record& r, const AnalogyContext& context = {});

// Every key the classifier can return (the tables must have each of them).
const std::vector<std::string>& analogy_keys();

}  // namespace mailsim::gui
