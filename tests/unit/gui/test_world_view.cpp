// WorldView: layout, packets in flight, policy blocks, connections, transcript, seeking, mail state.
#include <catch2/catch.hpp>

#include <algorithm>

#include "gui/model/world_view.hpp"
#include "sim/scenario/runner.hpp"
#include "inline_scenarios.hpp"

#include "tests/unit/packet_record.hpp"

using namespace mailsim;
using gui::PacketClass;
using sim::kMilli;
using sim::kSecond;

namespace {

struct Loaded {
  sim::Scenario scenario;
  sim::Trace trace;
};

Loaded load(const char* name) {
  auto r = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/basics/" + name);
  REQUIRE(r.scenario);
  auto run = sim::run_scenario(*r.scenario);
  return {std::move(*r.scenario), std::move(run.trace)};
}

sim::Record packet(sim::Time t, sim::Time arrive, const std::string& src, const std::string& dst, int len,
                   const std::string& flags = "PSH,ACK") {
  sim::Record r;
  r.time = t;
  r.kind = sim::RecordKind::Packet;
  r.protocol = "tcp";
  r.host = "a";
  r.peer = "b";
  r.detail = {{"arrive", arrive}, {"src", src}, {"dst", dst}, {"len", len}, {"flags", flags},
              {"path", {"a", "n1", "internet", "n2", "b"}}};
  return mailsim::testing::packet_record(std::move(r));
}

using gui::testing::two_networks;

}  // namespace

TEST_CASE("classify: control segments, and data by well-known ports", "[gui][model]") {
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:25", 0, "SYN")) == PacketClass::TcpControl);
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:587", 19)) == PacketClass::Smtp);
  CHECK(gui::classify_packet(packet(0, 1, "5.6.7.8:465", "1.2.3.4:49152", 5)) == PacketClass::Smtp);
  CHECK(gui::classify_packet(packet(0, 1, "5.6.7.8:2525", "1.2.3.4:49152", 5)) == PacketClass::Smtp);
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:995", 5)) == PacketClass::Pop3);
  CHECK(gui::classify_packet(packet(0, 1, "5.6.7.8:110", "1.2.3.4:49152", 5)) == PacketClass::Pop3);
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:143", 5)) == PacketClass::Imap);
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:993", 5)) == PacketClass::Imap);
  CHECK(gui::classify_packet(packet(0, 1, "1.2.3.4:49152", "5.6.7.8:7", 5)) == PacketClass::OtherData);
  sim::Record dns;
  dns.kind = sim::RecordKind::Packet;
  dns.protocol = "udp";
  dns.detail = {{"src", "1.2.3.4:40000"}, {"dst", "5.6.7.8:53"}};
  CHECK(gui::classify_packet(mailsim::testing::packet_record(dns)) == PacketClass::Dns);
  CHECK(gui::port_of("1.2.3.4:65536") == std::nullopt);
  CHECK(gui::port_of("1.2.3.4") == std::nullopt);
  CHECK(gui::port_of("1.2.3.4:25") == std::uint16_t{25});
}

TEST_CASE("layout: access networks left, the Internet in the middle, data centres right", "[gui][model]") {
  const auto s = load("blocked-port.json");
  const gui::Layout layout(s.scenario);
  const auto* home = layout.network("home-isp");
  const auto* inet = layout.network(gui::kInternetId);
  const auto* provider = layout.network("provider");
  REQUIRE(home);
  REQUIRE(inet);
  REQUIRE(provider);
  CHECK(home->box.max.x < inet->box.min.x);
  CHECK(inet->box.max.x < provider->box.min.x);
  CHECK(home->has_policy);
  CHECK(home->policy_ids == std::vector<std::string>{"op25b"});
  // Hosts sit inside their network's box, never on top of each other.
  for (const auto& h : layout.hosts()) {
    const auto* n = layout.network(h.network);
    REQUIRE(n);
    CHECK(n->box.contains(h.pos));
    for (const auto& o : layout.hosts()) {
      if (&o != &h) CHECK(gui::length(o.pos - h.pos) >= gui::Layout::kHostSpacing - 1.0f);
    }
  }
  // Stable: the same scenario gives the same picture.
  const gui::Layout again(s.scenario);
  for (std::size_t i = 0; i < layout.hosts().size(); ++i) {
    CHECK(layout.hosts()[i].pos.x == again.hosts()[i].pos.x);
    CHECK(layout.hosts()[i].pos.y == again.hosts()[i].pos.y);
  }
}

TEST_CASE("world view: OP25B blocks show a cross at the border; blocked SYNs stop there", "[gui][model]") {
  const auto s = load("blocked-port.json");
  const gui::TraceModel m(s.scenario, s.trace);
  const auto* home = m.layout().network("home-isp");
  const auto* pc = m.layout().host("shiroyagi-pc");
  REQUIRE(home);
  REQUIRE(pc);

  // Just after the first SYN left (1.000 s): the SYN is between the PC and the border.
  const auto v = m.view_at(1 * kSecond + 10 * kMilli);
  REQUIRE(v.current);
  CHECK(m.records()[*v.current].kind == sim::RecordKind::Policy);
  CHECK(v.acting_host == "shiroyagi-pc");
  REQUIRE(v.packets.size() == 1);
  const auto& syn = v.packets[0];
  CHECK(syn.cls == PacketClass::TcpControl);
  CHECK(syn.label == "SYN");
  CHECK(syn.blocked);
  CHECK(syn.pos.x > pc->pos.x);
  CHECK(syn.pos.x <= home->router.x + 0.01f);
  REQUIRE(v.blocks.size() == 1);
  CHECK(v.blocks[0].rule == "op25b");
  CHECK(v.blocks[0].pos.x == home->router.x);
  CHECK(v.blocks[0].pos.y == home->router.y);
  // The connection is trying.
  REQUIRE(v.connections.size() == 1);
  CHECK(v.connections[0].state == "connecting");
  CHECK(v.connections[0].port == 25);

  // Much later, the cross is gone and the connection timed out.
  const auto later = m.view_at(18 * kSecond);
  CHECK(later.blocks.empty());
  CHECK(later.packets.empty());
}

TEST_CASE("world view: the 587 handshake moves across the Internet and gets established", "[gui][model]") {
  const auto s = load("blocked-port.json");
  const gui::TraceModel m(s.scenario, s.trace);
  const auto* inet = m.layout().network(gui::kInternetId);
  const auto* server = m.layout().host("provider-mail");
  // The SYN to 587 leaves at 20.000 s and arrives 26 ms later: half way it is near the Internet.
  const auto v = m.view_at(20 * kSecond + 13 * kMilli);
  REQUIRE(v.packets.size() == 1);
  CHECK_FALSE(v.packets[0].blocked);
  CHECK(v.packets[0].progress == Approx(0.5f).margin(0.01f));
  CHECK(v.packets[0].pos.x > inet->box.min.x);
  CHECK(v.packets[0].pos.x < inet->box.max.x);
  // After the handshake the connection is established; the EHLO is SMTP data.
  const auto w = m.view_at(20 * kSecond + 60 * kMilli);
  bool established = false;
  for (const auto& c : w.connections) established |= c.port == 587 && c.state == "established";
  CHECK(established);
  const auto x = m.view_at(20 * kSecond + 53 * kMilli);
  bool smtp = false;
  for (const auto& p : x.packets) smtp |= p.cls == PacketClass::Smtp && p.label == "SMTP 19 B";
  CHECK(smtp);
  CHECK(server != nullptr);
  // Transcript: the EHLO is a client line of connection 2.
  bool found = false;
  for (const auto& c : m.connections()) {
    if (c.port != 587) continue;
    REQUIRE_FALSE(c.lines.empty());
    CHECK(c.lines[0].from_client);
    CHECK(c.lines[0].text == "EHLO shiroyagi-pc");
    found = true;
  }
  CHECK(found);
}

TEST_CASE("world view: playback clock walks through simultaneous records", "[gui][model]") {
  const auto s = load("blocked-port.json");
  const gui::TraceModel m(s.scenario, s.trace);
  // Records 0..3 all happen at 1.000 s; each has its own playback moment, in order.
  double last = -1.0;
  for (std::size_t i = 0; i < m.records().size(); ++i) {
    const double p = m.playback_of_record(i);
    REQUIRE(p > last);
    last = p;
    REQUIRE(m.record_at_playback(p) == i);
  }
  CHECK_FALSE(m.record_at_playback(0.0).has_value());
  CHECK(m.view_at_playback(m.pace().duration()).current == m.records().size() - 1);
}

TEST_CASE("world view: a large trace answers seeks like a linear scan", "[gui][model]") {
  const auto scenario = two_networks();
  sim::Trace trace;
  constexpr int kPackets = 100'000;
  for (int i = 0; i < kPackets; ++i) {
    const sim::Time t = static_cast<sim::Time>(i) * 3 * kMilli;
    const sim::Time flight = (i % 7 + 1) * 2 * kMilli;
    trace.add(packet(t, t + flight, "192.0.2.10:49152", i % 2 ? "198.51.100.25:25" : "198.51.100.25:993", i % 3));
  }
  const gui::TraceModel m(scenario, trace);
  REQUIRE(m.records().size() == static_cast<std::size_t>(kPackets));
  for (sim::Time t : {sim::Time{0}, 1 * kSecond + 500, 150 * kSecond + 7, 299 * kSecond + 999 * kMilli}) {
    const auto v = m.view_at(t);
    std::size_t expected = 0;
    for (const auto& r : m.records()) {
      if (r.time <= t && t < r.packet->arrive) ++expected;
    }
    CHECK(v.packets.size() == expected);
    REQUIRE(v.current);
    CHECK(m.records()[*v.current].time <= t);
    if (*v.current + 1 < m.records().size()) CHECK(m.records()[*v.current + 1].time > t);
  }
  // The playback clock is monotonic over the whole trace.
  sim::Time last = -1;
  for (double p = 0.0; p < m.pace().duration(); p += m.pace().duration() / 5000.0) {
    const auto v = m.pace().virtual_at(p);
    REQUIRE(v >= last);
    last = v;
  }
}

TEST_CASE("world view: in-flight SMTP data while the letter waits in the sender's queue", "[gui][model][mail]") {
  auto r = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/mail/whole-journey.json");
  REQUIRE(r.scenario);
  auto run = sim::run_scenario(*r.scenario);
  const gui::TraceModel m(*r.scenario, run.trace);
  // The first data segment from mail.example.com to mx1 (the relay's SMTP session).
  std::optional<std::size_t> seg;
  for (std::size_t i = 0; i < m.records().size() && !seg; ++i) {
    const auto& rec = m.records()[i];
    if (rec.kind == sim::RecordKind::Packet && rec.host == "mail-example" && rec.peer == "mx-hogehoge" &&
        rec.packet->bytes.size() > 0) {
      seg = i;
    }
  }
  REQUIRE(seg);
  const auto& p = m.records()[*seg];
  const auto arrive = p.packet->arrive;
  const sim::Time mid = p.time + (arrive - p.time) / 2;
  const auto v = m.view_at(mid);
  const auto it = std::find_if(v.packets.begin(), v.packets.end(), [&](const gui::InFlight& f) { return f.record == *seg; });
  REQUIRE(it != v.packets.end());
  CHECK(it->cls == PacketClass::Smtp);
  CHECK(it->progress == Approx(0.5f).margin(0.02f));
  // Every item in flight departed at or before now and has not arrived yet.
  for (const auto& f : v.packets) {
    const auto& rec = m.records()[f.record];
    CHECK(rec.time <= mid);
    CHECK(rec.packet->arrive > mid);
  }
  // Meanwhile the letter is in mail.example.com's queue, and the snapshot's mail state is the
  // model's state after the current record.
  const auto* q = v.mail.queue("mail-example");
  REQUIRE(q);
  CHECK(q->entries.size() == 1);
  CHECK(v.mail == m.mail().state_after(v.current));
  // After the last record nothing is in flight and the queue is empty.
  const auto end = m.view_at(m.end_time() + 1);
  CHECK(end.packets.empty());
  CHECK(end.mail.queue("mail-example")->entries.empty());
}

namespace {

// What build() lists, computed the slow way from the records (the definition).
std::vector<gui::ConnectionView> naive_connections(const gui::TraceModel& m, sim::Time t,
                                                   std::optional<std::size_t> current) {
  std::vector<gui::ConnectionView> out;
  for (const auto& ci : m.connections()) {
    if (ci.first > t) break;
    gui::ConnectionView cv;
    cv.conn = ci.conn;
    std::optional<std::size_t> last;
    for (auto rec : ci.state_records) {
      if (!current || rec > *current) break;
      const auto& r = m.records()[rec];
      if (r.kind == sim::RecordKind::Tls) {
        cv.tls = true;
      } else {
        cv.state = r.event;
        last = rec;
      }
    }
    if (!last) continue;
    const auto& s = cv.state;
    cv.finished = s == "closed" || s == "timeout" || s == "refused" || s == "reset" || s == "failed" || s == "no_route";
    if (cv.finished &&
        m.pace().virtual_at(m.playback_of_record(*last) + gui::TraceModel::kEndedShownFor) < t)
      continue;
    out.push_back(std::move(cv));
  }
  return out;
}

}  // namespace

TEST_CASE("world view: connections and packets listed match the records at every moment", "[gui][model]") {
  for (const char* name : {"mail/whole-journey.json", "mail/backup-mx.json", "mail/sending-limits.json"}) {
    INFO(name);
    auto r = sim::load_scenario_file(std::string(MAILSIM_SOURCE_DIR) + "/scenarios/" + name);
    REQUIRE(r.scenario);
    auto run = sim::run_scenario(*r.scenario);
    const gui::TraceModel m(*r.scenario, run.trace);
    REQUIRE(!m.connections().empty());
    const double d = m.pace().duration();
    std::size_t listed = 0;
    for (int k = 0; k <= 600; ++k) {
      const double p = d * k / 600.0;
      const auto v = m.view_at_playback(p);
      const auto want = naive_connections(m, v.time, v.current);
      REQUIRE(v.connections.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(v.connections[i].conn == want[i].conn);
        CHECK(v.connections[i].state == want[i].state);
        CHECK(v.connections[i].tls == want[i].tls);
        CHECK(v.connections[i].finished == want[i].finished);
      }
      listed += want.size();
      std::size_t flying = 0;
      for (std::size_t i = 0; i < m.records().size(); ++i) {
        const auto& rec = m.records()[i];
        if (rec.kind != sim::RecordKind::Packet || !v.current || i > *v.current) continue;
        const auto arrive = std::max(rec.time + 1, rec.packet->path ? rec.packet->arrive : rec.time + 1);
        if (rec.time <= v.time && v.time < arrive) ++flying;
      }
      CHECK(v.packets.size() == flying);
    }
    CHECK(listed > 0);
  }
}

TEST_CASE("world view: one long flight among short ones stays on the map", "[gui][model]") {
  const auto scenario = two_networks();
  sim::Trace trace;
  trace.add(packet(0, 10 * kSecond, "192.0.2.10:49152", "198.51.100.25:25", 5));  // slow
  for (int i = 1; i < 1000; ++i) {
    const sim::Time t = static_cast<sim::Time>(i) * 5 * kMilli;
    trace.add(packet(t, t + kMilli, "192.0.2.10:49152", "198.51.100.25:25", 1));
  }
  const gui::TraceModel m(scenario, trace);
  const auto v = m.view_at(4 * kSecond + 2 * kMilli);  // the slow one and none of the short ones
  REQUIRE(v.packets.size() == 1);
  CHECK(v.packets[0].record == 0);
  CHECK(m.view_at(4 * kSecond).packets.size() == 2);
  CHECK(m.view_at(11 * kSecond).packets.empty());
}
