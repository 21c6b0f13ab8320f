// IMAP4rev1 engines (sans-I/O): the one header to include for the server, client and store.
//
// Implemented: RFC 3501 (IMAP4rev1) server and client sessions; RFC 2177 IDLE; RFC 6851
// MOVE; RFC 4315 UIDPLUS (UID EXPUNGE, APPENDUID, COPYUID); RFC 7888 LITERAL+; RFC 4959
// SASL-IR; RFC 3691 UNSELECT; RFC 4616 SASL PLAIN (and LOGIN on the server); RFC 5530
// response codes; on the server RFC 2971 ID, RFC 2342 NAMESPACE, RFC 6154 SPECIAL-USE.
// Not implemented: RFC 9051 (IMAP4rev2), CONDSTORE/QRESYNC, QUOTA, ENABLE, SEARCH SENT*
// keys, other SASL mechanisms. server.hpp and client.hpp list the details per side.
//
// Files: imap_util.hpp (flags, quoting, dates), command_parser.hpp (command grammar),
// mail_store.hpp (the backend interface and its change feed), memory_store.hpp (reference
// in-memory backend), message_view.hpp (sections, ENVELOPE, BODYSTRUCTURE), server.hpp,
// client.hpp.
#pragma once

#include "protocols/imap/client.hpp"
#include "protocols/imap/command_parser.hpp"
#include "protocols/imap/imap_util.hpp"
#include "protocols/imap/mail_store.hpp"
#include "protocols/imap/memory_store.hpp"
#include "protocols/imap/message_view.hpp"
#include "protocols/imap/server.hpp"
