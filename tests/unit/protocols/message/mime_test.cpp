// MIME trees: nested multiparts and message/rfc822 with exact offsets; malformed and hostile input.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/message/message.hpp"

using namespace mailsim::message;

namespace {

const std::string kInner =
    "From: Carol <carol@example.org>\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "Inner body\r\n"
    "two\r\n";

const std::string kMixed =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: parts\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "\r\n"
    "Hello Bob\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>Hello =3D Bob</p>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: attachment; filename=\"fwd.eml\"\r\n"
    "Content-Description: forwarded\r\n"
    "\r\n" +
    kInner +
    "--outer\r\n"
    "Content-Type: application/pdf; name=doc.pdf\r\n"
    "Content-Transfer-Encoding: BASE64\r\n"
    "Content-ID: <doc1@example.com>\r\n"
    "\r\n"
    "JVBERi0=\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

std::string_view body_of(const std::string& raw, const MimeEntity& e) { return entity_body(raw, e); }

}  // namespace

TEST_CASE("MIME: multipart/mixed with nested alternative and an attached message, exact offsets") {
  const std::string& raw = kMixed;
  const MimeEntity root = parse_mime(raw);
  CHECK(root.type == "multipart");
  CHECK(root.subtype == "mixed");
  CHECK(root.param("boundary") == std::string("outer"));
  CHECK(root.header_offset == 0);
  CHECK(root.body_offset == raw.find("This is the preamble."));
  CHECK(root.body_size == raw.size() - root.body_offset);
  CHECK(root.defects.empty());
  REQUIRE(root.parts.size() == 3);

  const MimeEntity& alt = root.parts[0];
  CHECK(alt.type == "multipart");
  CHECK(alt.subtype == "alternative");
  CHECK(alt.header_offset == raw.find("--outer\r\n") + 9);
  CHECK(alt.body_offset == raw.find("--inner\r\n"));
  CHECK(alt.body_offset + alt.body_size == raw.find("\r\n--outer\r\nContent-Type: message"));
  REQUIRE(alt.parts.size() == 2);

  const MimeEntity& plain = alt.parts[0];
  CHECK(plain.type == "text");
  CHECK(plain.subtype == "plain");
  CHECK(plain.param("charset") == std::string("UTF-8"));
  CHECK(plain.header_offset == raw.find("Content-Type: text/plain"));
  CHECK(body_of(raw, plain) == "Hello Bob");
  CHECK(plain.body_offset == raw.find("Hello Bob"));
  CHECK(plain.body_size == 9);
  CHECK(plain.body_lines == 1);
  CHECK(plain.encoding == "7bit");

  const MimeEntity& html = alt.parts[1];
  CHECK(html.subtype == "html");
  CHECK(html.param("charset") == std::string("UTF-8"));
  CHECK(html.encoding == "quoted-printable");
  CHECK(body_of(raw, html) == "<p>Hello =3D Bob</p>");
  CHECK(decode_body(body_of(raw, html), html.encoding) == std::string("<p>Hello = Bob</p>"));

  const MimeEntity& msg = root.parts[1];
  CHECK(msg.type == "message");
  CHECK(msg.subtype == "rfc822");
  CHECK(msg.disposition == "attachment");
  REQUIRE(msg.disposition_params.size() == 1);
  CHECK(msg.disposition_params[0] == std::make_pair(std::string("filename"), std::string("fwd.eml")));
  CHECK(msg.description == "forwarded");
  CHECK(msg.body_offset == raw.find(kInner));
  CHECK(msg.body_size == kInner.size() - 2);  // the last CRLF belongs to the next delimiter
  CHECK(msg.body_lines == 5);
  REQUIRE(msg.encapsulated.size() == 1);
  const MimeEntity& inner = msg.encapsulated[0];
  CHECK(inner.header_offset == msg.body_offset);
  CHECK(inner.body_offset == raw.find("Inner body"));
  CHECK(body_of(raw, inner) == "Inner body\r\ntwo");
  CHECK(find_header(inner.headers, "Subject") == std::string("inner"));
  CHECK(inner.type == "text");
  CHECK(inner.param("charset") == std::string("us-ascii"));  // RFC 2045 5.2 default
  CHECK(inner.body_lines == 2);

  const MimeEntity& pdf = root.parts[2];
  CHECK(pdf.type == "application");
  CHECK(pdf.subtype == "pdf");
  CHECK(pdf.param("name") == std::string("doc.pdf"));
  CHECK(pdf.encoding == "base64");
  CHECK(pdf.id == "<doc1@example.com>");
  CHECK(body_of(raw, pdf) == "JVBERi0=");
  CHECK(decode_body(body_of(raw, pdf), pdf.encoding) == std::string("%PDF-"));
}

TEST_CASE("MIME: a simple message without MIME headers") {
  const std::string raw = "Subject: hi\r\n\r\nline 1\r\nline 2\r\n";
  const MimeEntity e = parse_mime(raw);
  CHECK(e.type == "text");
  CHECK(e.subtype == "plain");
  CHECK(e.params == std::vector<std::pair<std::string, std::string>>{{"charset", "us-ascii"}});
  CHECK(e.body_offset == 15);
  CHECK(e.body_size == 16);
  CHECK(e.body_lines == 2);
  CHECK(e.parts.empty());
}

TEST_CASE("MIME: Content-Type with comments, case and odd parameters") {
  const std::string raw =
      "Content-Type: Text/HTML (the type) ; CharSet = \"iso-8859-1\" ; format=flowed;;junk; x=\"a\\\"b\"\r\n"
      "Content-Transfer-Encoding: Quoted-Printable (comment)\r\n\r\nx";
  const MimeEntity e = parse_mime(raw);
  CHECK(e.type == "text");
  CHECK(e.subtype == "html");
  CHECK(e.param("charset") == std::string("iso-8859-1"));
  CHECK(e.param("format") == std::string("flowed"));
  CHECK(e.param("x") == std::string("a\"b"));
  CHECK(e.encoding == "quoted-printable");
  // Unparsable Content-Type -> the default, with a defect noted.
  const MimeEntity bad = parse_mime("Content-Type: garbage\r\n\r\nx");
  CHECK(bad.type == "text");
  CHECK(bad.subtype == "plain");
  CHECK(bad.defects.size() == 1);
}

TEST_CASE("MIME: multipart/digest parts default to message/rfc822") {
  const std::string raw =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n"
      "--d--\r\n";
  const MimeEntity e = parse_mime(raw);
  REQUIRE(e.parts.size() == 1);
  CHECK(e.parts[0].type == "message");
  CHECK(e.parts[0].subtype == "rfc822");
  REQUIRE(e.parts[0].encapsulated.size() == 1);
  CHECK(find_header(e.parts[0].encapsulated[0].headers, "Subject") == std::string("one"));
}

TEST_CASE("MIME: multipart without a boundary parameter becomes text/plain") {
  const std::string raw = "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n";
  const MimeEntity e = parse_mime(raw);
  CHECK(e.type == "text");
  CHECK(e.subtype == "plain");
  CHECK(e.parts.empty());
  REQUIRE(e.defects.size() == 1);
  CHECK(e.defects[0] == "multipart without a boundary parameter; read as text/plain");
  CHECK(e.body_lines == 4);
}

TEST_CASE("MIME: boundary never found becomes text/plain") {
  const MimeEntity e = parse_mime("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno parts here\r\n");
  CHECK(e.type == "text");
  CHECK(e.parts.empty());
  CHECK(e.defects == std::vector<std::string>{"multipart without any boundary delimiter; read as text/plain"});
}

TEST_CASE("MIME: unterminated multipart ends its last part at the end of the message") {
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\nfirst\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nsecond, cut off";
  const MimeEntity e = parse_mime(raw);
  REQUIRE(e.parts.size() == 2);
  CHECK(entity_body(raw, e.parts[0]) == "first");
  CHECK(entity_body(raw, e.parts[1]) == "second, cut off");
  CHECK(e.parts[1].body_offset + e.parts[1].body_size == raw.size());
  CHECK(e.defects == std::vector<std::string>{"multipart without its close delimiter"});
}

TEST_CASE("MIME: delimiter matching is exact (prefix boundaries, trailing space, bare LF)") {
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b  \n\n"
      "--bb is not a delimiter\n"
      "--b--\n";
  const MimeEntity e = parse_mime(raw);
  REQUIRE(e.parts.size() == 1);
  CHECK(entity_body(raw, e.parts[0]) == "--bb is not a delimiter");
}

TEST_CASE("MIME: base64-encoded message/rfc822 is not expanded") {
  const MimeEntity e = parse_mime("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA==\r\n");
  CHECK(e.type == "application");
  CHECK(e.subtype == "octet-stream");
  CHECK(e.encapsulated.empty());
}

namespace {

std::size_t depth_of(const MimeEntity& e) {
  std::size_t d = 0;
  for (const auto& p : e.parts) d = std::max(d, depth_of(p));
  for (const auto& p : e.encapsulated) d = std::max(d, depth_of(p));
  return d + 1;
}

}  // namespace

TEST_CASE("MIME: nesting 1000 deep stops at kMaxMimeDepth without crashing") {
  std::string raw;
  for (int i = 0; i < 1000; ++i)
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
  raw += "\r\nleaf\r\n";
  for (int i = 999; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\r\n";
  const MimeEntity e = parse_mime(raw);
  CHECK(depth_of(e) == kMaxMimeDepth);

  std::string msgs;
  for (int i = 0; i < 1000; ++i) msgs += "Content-Type: message/rfc822\r\n\r\n";
  msgs += "Subject: bottom\r\n\r\nx";
  const MimeEntity m = parse_mime(msgs);
  CHECK(depth_of(m) == kMaxMimeDepth);
}

TEST_CASE("MIME: at most kMaxMimeParts entities") {
  std::string raw = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (std::size_t i = 0; i < kMaxMimeParts + 50; ++i) raw += "--p\r\n\r\nx\r\n";
  raw += "--p--\r\n";
  const MimeEntity e = parse_mime(raw);
  CHECK(e.parts.size() == kMaxMimeParts - 1);
  CHECK_FALSE(e.defects.empty());
}

TEST_CASE("MIME: garbage input never throws") {
  for (const std::string s : {"", "\r\n", "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
                              "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a", "--a\r\n--a--",
                              "Content-Type: /\r\n\r\n", "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a--\r\n"}) {
    const MimeEntity e = parse_mime(s);
    CHECK(e.body_offset + e.body_size == s.size());
  }
}

TEST_CASE("decode_body: base64 and quoted-printable") {
  CHECK(decode_body("SGVs\r\nbG8=\r\n", "base64") == std::string("Hello"));
  CHECK_FALSE(decode_body("!!!", "base64").has_value());
  CHECK(decode_body("caf=C3=A9 =\r\nsoft=3Dbreak=\nend =ZZ", "quoted-printable") ==
        std::string("caf\xC3\xA9 soft=breakend =ZZ"));
  CHECK(decode_body("as is", "8bit") == std::string("as is"));
}
