// Received: building and chain parsing over two hops; Return-Path at delivery.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

using namespace mailsim::message;

namespace {

// A hop with the parts every Received: field has: who connected, from where, to whom, when.
ReceivedHop hop(std::string from_helo, std::string from_ip, std::string by, std::string date) {
  ReceivedHop h;
  h.from_helo = std::move(from_helo);
  h.from_ip = std::move(from_ip);
  h.by = std::move(by);
  h.date = std::move(date);
  return h;
}

}  // namespace

TEST_CASE("with_protocol follows RFC 3848") {
  CHECK(with_protocol(false, false, false) == "SMTP");
  CHECK(with_protocol(true, false, false) == "ESMTP");
  CHECK(with_protocol(true, true, false) == "ESMTPS");
  CHECK(with_protocol(true, false, true) == "ESMTPA");
  CHECK(with_protocol(true, true, true) == "ESMTPSA");
}

TEST_CASE("Received: header, exact bytes") {
  ReceivedHop isp = hop("pc1.home.example", "203.0.113.7", "smtp.isp.example", "Sat, 01 Nov 2025 09:00:00 +0900");
  isp.from_rdns = "dyn-203-0-113-7.isp.example";
  isp.with = with_protocol(true, true, true);
  isp.id = "A1B2C3";
  isp.for_addr = "bob@example.net";
  CHECK(received_header(isp) ==
        "Received: from pc1.home.example (dyn-203-0-113-7.isp.example [203.0.113.7])\r\n"
        "\tby smtp.isp.example with ESMTPSA id A1B2C3\r\n"
        "\tfor <bob@example.net>; Sat, 01 Nov 2025 09:00:00 +0900\r\n");
  CHECK(received_value(isp) ==
        "from pc1.home.example (dyn-203-0-113-7.isp.example [203.0.113.7]) by smtp.isp.example "
        "with ESMTPSA id A1B2C3 for <bob@example.net>; Sat, 01 Nov 2025 09:00:00 +0900");

  const ReceivedHop bare = hop("client", "2001:db8::1", "mx.example", "Sat, 01 Nov 2025 09:00:00 +0900");
  CHECK(received_header(bare) ==
        "Received: from client ([IPv6:2001:db8::1])\r\n\tby mx.example; Sat, 01 Nov 2025 09:00:00 +0900\r\n");
}

TEST_CASE("Received chain over two hops reads back in path order") {
  const std::string original = "From: alice@home.example\r\nSubject: hi\r\n\r\nbody\r\n";
  // The ISP's submission server, then the recipient's MX.
  ReceivedHop first = hop("pc1", "192.0.2.10", "smtp.home.example", "Sat, 01 Nov 2025 09:00:00 +0900");
  first.with = "ESMTPSA";
  first.id = "Q1";
  first.for_addr = "bob@example.net";
  ReceivedHop second = hop("smtp.home.example", "198.51.100.25", "mx.example.net", "Sat, 01 Nov 2025 09:00:02 +0900");
  second.from_rdns = "smtp.home.example";
  second.with = "ESMTPS";
  second.id = "Q2";
  second.for_addr = "bob@example.net";

  std::string m = add_received(original, first);
  m = add_received(m, second);
  m = add_return_path(m, "alice@home.example");
  CHECK(m.rfind("Return-Path: <alice@home.example>\r\nReceived: from smtp.home.example", 0) == 0);

  const auto hops = parse_received_chain(m);
  REQUIRE(hops.size() == 2);
  CHECK(hops[0].from_helo == "pc1");
  CHECK(hops[0].from_rdns.empty());
  CHECK(hops[0].from_ip == "192.0.2.10");
  CHECK(hops[0].by == "smtp.home.example");
  CHECK(hops[0].with == "ESMTPSA");
  CHECK(hops[0].id == "Q1");
  CHECK(hops[0].for_addr == "bob@example.net");
  CHECK(hops[0].date == "Sat, 01 Nov 2025 09:00:00 +0900");
  CHECK(hops[1].from_helo == "smtp.home.example");
  CHECK(hops[1].from_rdns == "smtp.home.example");
  CHECK(hops[1].from_ip == "198.51.100.25");
  CHECK(hops[1].by == "mx.example.net");
  CHECK(hops[1].with == "ESMTPS");
  CHECK(hops[1].id == "Q2");
  CHECK(hops[1].date == "Sat, 01 Nov 2025 09:00:02 +0900");
  // The original message is intact below the trace fields.
  CHECK(m.substr(m.size() - original.size()) == original);
}

TEST_CASE("Received: lenient reading of other MTAs' fields") {
  const auto h = parse_received(
      "from mail.example.org (mail.example.org [IPv6:2001:db8::5]) (using TLSv1.3) by mx.example.net "
      "(Postfix) with ESMTPS id 4Xyz for <u@example.net>; Sat, 01 Nov 2025 00:00:00 +0000 (UTC)");
  CHECK(h.from_helo == "mail.example.org");
  CHECK(h.from_ip == "2001:db8::5");
  CHECK(h.by == "mx.example.net");
  CHECK(h.with == "ESMTPS");
  CHECK(h.id == "4Xyz");
  CHECK(h.for_addr == "u@example.net");
  CHECK(h.date == "Sat, 01 Nov 2025 00:00:00 +0000 (UTC)");

  const auto u = parse_received("from [192.0.2.1] (unknown [192.0.2.1]) by x; date");
  CHECK(u.from_ip == "192.0.2.1");
  CHECK(u.from_rdns.empty());
  const auto only_by = parse_received("by local.host id 12 ; Mon, 3 Nov 2025 10:00:00 +0000");
  CHECK(only_by.from_helo.empty());
  CHECK(only_by.by == "local.host");
  CHECK(only_by.id == "12");
  const auto junk = parse_received("((( unbalanced");
  CHECK(junk.by.empty());
  CHECK(parse_received_chain("Subject: none\r\n\r\n").empty());
}

TEST_CASE("Return-Path for the null sender") {
  CHECK(add_return_path("X: y\r\n\r\n", "") == "Return-Path: <>\r\nX: y\r\n\r\n");
  CHECK(add_return_path("X: y\r\n\r\n", "<a@b>") == "Return-Path: <a@b>\r\nX: y\r\n\r\n");
}
