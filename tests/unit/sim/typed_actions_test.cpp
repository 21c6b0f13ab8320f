// Typed timeline actions (issue 13): the loader builds each "do" once into its struct of
// sim::Action with typed fields, and a bad action keeps its error text.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/scenario/scenario.hpp"
#include "lesson_fixture.hpp"

using namespace mailsim::sim;

namespace {

nlohmann::json whole_journey() {
  std::ifstream in(mailsim::test::kSourceDir + "/scenarios/mail/whole-journey.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str());
  j.erase("narration");
  j.erase("expectations");
  j.erase("questions");
  j.erase("fix");
  j["timeline"] = nlohmann::json::array();
  return j;
}

// The one action of `j`'s timeline (written as `entry`), as the loader typed it.
template <class T>
T typed(nlohmann::json entry) {
  auto j = whole_journey();
  j["timeline"].push_back(std::move(entry));
  const Scenario s = mailsim::test::load_json(j, "typed.json");
  REQUIRE(s.timeline.size() == 1);
  CHECK(s.timeline[0].pointer == "/timeline/0");
  const auto* a = std::get_if<T>(&s.timeline[0].what);
  REQUIRE(a);
  return *a;
}

std::string errors_of(nlohmann::json entry) {
  auto j = whole_journey();
  j["timeline"].push_back(std::move(entry));
  const auto r = load_scenario_text(j.dump(), "typed.json");
  CHECK_FALSE(r.scenario);
  std::string all;
  for (const auto& d : r.diagnostics) all += d.format() + "\n";
  return all;
}

}  // namespace

TEST_CASE("typed actions: send, with its recipients, size, charset and own smtp settings") {
  const auto s = typed<action::Send>({{"at", "2s"}, {"do", "send"}, {"from", "shiroyagi-pc"},
                                      {"to", {"kuroyagi@hogehoge.com", "Kuro <kuroyagi@hogehoge.com>"}},
                                      {"cc", "shiroyagi@example.com"}, {"subject", "Hi"}, {"body", "Hello"},
                                      {"size", "10KB"}, {"label", "L"}, {"charset", "utf-8"},
                                      {"smtp", {{"port", 587}}}});
  CHECK(s.from == "shiroyagi-pc");
  CHECK(s.account.empty());
  CHECK(s.to == std::vector<std::string>{"kuroyagi@hogehoge.com", "Kuro <kuroyagi@hogehoge.com>"});
  CHECK(s.cc == std::vector<std::string>{"shiroyagi@example.com"});
  CHECK(s.subject == "Hi");
  CHECK(s.body == "Hello");
  CHECK(s.size == 10 * 1024);
  CHECK(s.label == "L");
  CHECK(s.charset == "utf-8");
  REQUIRE(s.smtp);
  CHECK(s.smtp->port == 587);
  const auto bare = typed<action::Send>({{"at", "2s"}, {"do", "send"}, {"from", "shiroyagi-pc"}, {"to", "kuroyagi@hogehoge.com"}});
  CHECK(bare.subject == "(no subject)");
  CHECK(bare.size == 0);
  CHECK_FALSE(bare.smtp);
}

TEST_CASE("typed actions: connect and lookup") {
  const auto c = typed<action::Connect>({{"at", "1s"}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "mx-hogehoge"},
                                         {"port", 25}, {"send", {"EHLO pc", "QUIT"}}, {"wait", "3s"}, {"label", "x"}});
  CHECK(c.from == "shiroyagi-pc");
  CHECK(c.to == "mx-hogehoge");
  CHECK(c.port == 25);
  CHECK(c.send == std::vector<std::string>{"EHLO pc", "QUIT"});
  CHECK(c.wait == 3 * kSecond);
  CHECK(c.label == "x");
  const auto ip = typed<action::Connect>({{"at", "1s"}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "192.0.2.99"}, {"port", 80}});
  CHECK(ip.to == "192.0.2.99");
  CHECK_FALSE(ip.wait);
  const auto l = typed<action::Lookup>({{"at", "1s"}, {"do", "lookup"}, {"from", "shiroyagi-pc"}, {"name", "hogehoge.com"}, {"qtype", "MX"}});
  CHECK(l.from == "shiroyagi-pc");
  CHECK(l.name.to_string_no_dot() == "hogehoge.com");
  CHECK(l.qtype == mailsim::dns::Type::MX);
  CHECK(typed<action::Lookup>({{"at", "1s"}, {"do", "lookup"}, {"from", "shiroyagi-pc"}, {"name", "hogehoge.com"}}).qtype ==
        mailsim::dns::Type::A);
}

TEST_CASE("typed actions: hosts, devices and links going down and up") {
  auto down = typed<action::HostPower>({{"at", "1s"}, {"do", "host_down"}, {"host", "mx-hogehoge"}});
  CHECK(down.host == "mx-hogehoge");
  CHECK_FALSE(down.up);
  CHECK(typed<action::HostPower>({{"at", "1s"}, {"do", "host_up"}, {"host", "mx-hogehoge"}}).up);
  auto off = typed<action::DeviceNetwork>({{"at", "1s"}, {"do", "go_offline"}, {"host", "kuroyagi-pc"}});
  CHECK(off.host == "kuroyagi-pc");
  CHECK_FALSE(off.online);
  CHECK(typed<action::DeviceNetwork>({{"at", "1s"}, {"do", "go_online"}, {"host", "kuroyagi-pc"}}).online);
  auto link = typed<action::Link>({{"at", "1s"}, {"do", "link_down"}, {"network", "hogehoge"}});
  CHECK(link.network == "hogehoge");
  CHECK_FALSE(link.up);
  CHECK(typed<action::Link>({{"at", "1s"}, {"do", "link_up"}, {"network", "hogehoge"}}).up);
}

TEST_CASE("typed actions: what a device's user does") {
  const auto c = typed<action::CheckMail>({{"at", "1s"}, {"do", "check_mail"}, {"on", "kuroyagi-pc"}});
  CHECK(c.on == "kuroyagi-pc");
  CHECK(c.account.empty());
  for (const auto& [word, verb] : {std::pair{"open", action::MessageVerb::Open}, std::pair{"delete", action::MessageVerb::Delete},
                                   std::pair{"mark_read", action::MessageVerb::MarkRead}}) {
    const auto m = typed<action::OnMessage>({{"at", "1s"}, {"do", word}, {"on", "kuroyagi-pc"},
                                             {"account", "kuroyagi@hogehoge.com"}, {"subject", "Hello"}});
    CHECK(m.verb == verb);
    CHECK(action::to_string(m.verb) == word);
    CHECK(m.on == "kuroyagi-pc");
    CHECK(m.account == "kuroyagi@hogehoge.com");
    CHECK(m.subject == "Hello");
  }
  const auto r = typed<action::Reply>({{"at", "1s"}, {"do", "reply"}, {"on", "kuroyagi-pc"}, {"subject", "Hello"}, {"body", "Thanks"}});
  CHECK(r.on == "kuroyagi-pc");
  CHECK(r.subject == "Hello");
  CHECK(r.body == "Thanks");
  CHECK(r.label.empty());
}

TEST_CASE("typed actions: changes of accounts, servers, folders and zones") {
  const auto a = typed<action::ChangeAccount>({{"at", "1s"}, {"do", "change_account"}, {"on", "shiroyagi-pc"}, {"password", "new"}});
  CHECK(a.on == "shiroyagi-pc");
  CHECK(a.change.account == "shiroyagi@example.com");
  CHECK(a.change.password == "new");
  const auto s = typed<action::ChangeServer>({{"at", "1s"}, {"do", "change_server"}, {"host", "mx-hogehoge"}, {"max_message_size", "1MB"}});
  CHECK(s.host == "mx-hogehoge");
  CHECK(s.change.max_message_size == 1024 * 1024);
  const auto e = typed<action::EmptyFolder>({{"at", "1s"}, {"do", "empty_folder"}, {"host", "mx-hogehoge"}, {"user", "kuroyagi"}});
  CHECK(e.host == "mx-hogehoge");
  CHECK(e.user == "kuroyagi");
  CHECK(e.folder == "INBOX");
  const auto d = typed<action::DnsChange>({{"at", "1s"}, {"do", "dns_change"}, {"zone", "hogehoge.com"},
                                           {"add", {"www.hogehoge.com. 300 IN A 203.0.113.80"}}});
  CHECK(d.change.origin.to_string_no_dot() == "hogehoge.com");
  CHECK(d.change.add.size() == 1);
  CHECK(d.change.remove.empty());
}

TEST_CASE("typed actions: every action's name is its word in the file") {
  auto j = whole_journey();
  for (const char* word : {"host_down", "host_up"}) j["timeline"].push_back({{"at", "1s"}, {"do", word}, {"host", "mx-hogehoge"}});
  for (const char* word : {"go_offline", "go_online"}) j["timeline"].push_back({{"at", "1s"}, {"do", word}, {"host", "kuroyagi-pc"}});
  for (const char* word : {"link_down", "link_up"}) j["timeline"].push_back({{"at", "1s"}, {"do", word}, {"network", "hogehoge"}});
  j["timeline"].push_back({{"at", "1s"}, {"do", "check_mail"}, {"on", "kuroyagi-pc"}});
  j["timeline"].push_back({{"at", "1s"}, {"do", "mark_read"}, {"on", "kuroyagi-pc"}, {"subject", "x"}});
  const Scenario s = mailsim::test::load_json(j, "typed.json");
  std::vector<std::string> names;
  for (const auto& a : s.timeline) names.emplace_back(action_name(a.what));
  CHECK(names == std::vector<std::string>{"host_down", "host_up", "go_offline", "go_online", "link_down", "link_up",
                                          "check_mail", "mark_read"});
}

TEST_CASE("typed actions: a bad action is refused with the loader's own words and nothing is built") {
  CHECK(errors_of({{"at", "1s"}, {"do", "connect"}, {"from", "shiroyagi-pc"}, {"to", "mx-hogehoge"}, {"port", 70000}})
            .find("/timeline/0/port") != std::string::npos);
  const auto qtype = errors_of({{"at", "1s"}, {"do", "lookup"}, {"from", "shiroyagi-pc"}, {"name", "hogehoge.com"}, {"type", "MX"}});
  CHECK(qtype.find("a lookup's record type is \"qtype\" (as in \"dns\" expectations): write \"qtype\": \"MX\"") != std::string::npos);
  const auto host = errors_of({{"at", "1s"}, {"do", "link_down"}, {"host", "mx-hogehoge"}});
  CHECK(host.find("\"link_down\" takes a network, not a host: write \"network\": \"...\" (for a host, use \"host_down\")") !=
        std::string::npos);
  const auto user = errors_of({{"at", "1s"}, {"do", "empty_folder"}, {"host", "mx-hogehoge"}, {"user", "kuroyag"}});
  CHECK(user.find("mail server \"mx-hogehoge\" has no user \"kuroyag\" (did you mean \"kuroyagi\"?)") != std::string::npos);
  const auto to = errors_of({{"at", "1s"}, {"do", "send"}, {"from", "shiroyagi-pc"}});
  CHECK(to.find("missing \"to\" (a mail address or a list of them)") != std::string::npos);
}
