// Map layout: the automatic positions, the user's moves (hosts, regions, clamping), packets and
// policy crosses following them, moves across re-runs, the arrangement of a crowded world, and
// how lessons use the wide map panel (hosts in a row, an outer sub-column through a corridor).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "gui/model/layout.hpp"
#include "gui/model/session.hpp"
#include "gui/model/world_view.hpp"
#include "inline_scenarios.hpp"

#include "tests/unit/packet_record.hpp"

using namespace mailsim;
using gui::Layout;
using gui::LayoutMoves;
using gui::Vec2;
using sim::kMilli;
using sim::kSecond;

namespace {

using gui::testing::load_text;
using gui::testing::two_networks;

void check_at(Vec2 p, float x, float y) {
  CHECK(p.x == Approx(x).margin(1e-3));
  CHECK(p.y == Approx(y).margin(1e-3));
}

// A packet from a to n1's router (the two hops only), in flight from `t` for 100 ms.
sim::Record short_packet(sim::Time t) {
  sim::Record r;
  r.time = t;
  r.kind = sim::RecordKind::Packet;
  r.protocol = "tcp";
  r.host = "a";
  r.peer = "b";
  r.detail = {{"arrive", t + 100 * kMilli}, {"src", "192.0.2.10:49152"}, {"dst", "198.51.100.25:25"},
              {"len", 0},                   {"flags", "SYN"},              {"path", {"a", "n1"}}};
  return mailsim::testing::packet_record(std::move(r));
}

sim::Record policy_drop(sim::Time t) {
  sim::Record r;
  r.time = t;
  r.kind = sim::RecordKind::Policy;
  r.event = "drop";
  r.host = "a";
  r.detail = {{"network", "n1"}, {"rule", "op25b"}};
  return r;
}

const std::string kScenarios = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/";

}  // namespace

TEST_CASE("layout: without moves the automatic layout is unchanged", "[gui][layout]") {
  const auto scenario = two_networks();
  Layout layout(scenario);
  const auto* n1 = layout.network("n1");
  const auto* n2 = layout.network("n2");
  const auto* inet = layout.network(gui::kInternetId);
  REQUIRE(n1);
  REQUIRE(n2);
  REQUIRE(inet);
  check_at(n1->box.min, 0, 0);
  check_at(n1->box.max, 320, 234);
  check_at(n1->router, 320, 119);
  check_at(inet->box.min, 400, 0);
  check_at(inet->router, 490, 117);
  check_at(n2->box.min, 660, 0);
  check_at(n2->router, 660, 119);
  check_at(layout.host("a")->pos, 160, 119);  // above the middle of its row: room for its label
  check_at(layout.host("b")->pos, 820, 119);
  CHECK(layout.bounds().max.x == 980.0f);
  CHECK(layout.bounds().max.y == 234.0f);
  CHECK(n1->cell_width == 296.0f);

  // Applying no moves (or clearing them) gives exactly the same picture.
  layout.apply(LayoutMoves{});
  CHECK(layout.host("a")->pos.x == 160.0f);
  CHECK(layout.host("a")->pos.y == 119.0f);
  LayoutMoves moves;
  REQUIRE(layout.move_host(moves, "a", {100, 130}));
  layout.apply(moves);
  moves.clear();
  layout.apply(moves);
  CHECK(layout.host("a")->pos.x == 160.0f);
  CHECK(layout.host("a")->pos.y == 119.0f);
  const Layout again(scenario);
  for (std::size_t i = 0; i < layout.hosts().size(); ++i) {
    CHECK(layout.hosts()[i].pos.x == again.hosts()[i].pos.x);
    CHECK(layout.hosts()[i].pos.y == again.hosts()[i].pos.y);
  }
}

TEST_CASE("layout: a moved host stands where it was put, inside its region", "[gui][layout]") {
  Layout layout(two_networks());
  LayoutMoves moves;
  REQUIRE(layout.move_host(moves, "a", {100, 130}));
  CHECK_FALSE(layout.move_host(moves, "nobody", {0, 0}));
  REQUIRE(moves.hosts.count("a") == 1);
  check_at(moves.hosts.at("a"), -60, 11);  // an offset from the automatic place
  layout.apply(moves);
  check_at(layout.host("a")->pos, 100, 130);
  check_at(layout.host("b")->pos, 820, 119);           // the other host stays
  check_at(layout.network("n1")->router, 320, 119);    // and so does the region
  CHECK(layout.bounds().max.x == 980.0f);              // the fit does not change

  // Dragged past the region's edge: clamped to where its hosts may stand
  // (x 0+40 .. 320-40, y 0+64+36 .. 234-90: its label needs room under it).
  const auto area = Layout::host_area(layout.network("n1")->box);
  check_at(area.min, 40, 100);
  check_at(area.max, 280, 144);
  REQUIRE(layout.move_host(moves, "a", {500, -20}));
  layout.apply(moves);
  check_at(layout.host("a")->pos, 280, 100);
  REQUIRE(layout.move_host(moves, "b", {0, 1000}));  // b's region is the data centre (660..980)
  layout.apply(moves);
  check_at(layout.host("b")->pos, 700, 144);
}

TEST_CASE("layout: a moved region takes its hosts and router along", "[gui][layout]") {
  Layout layout(two_networks());
  LayoutMoves moves;
  REQUIRE(layout.move_host(moves, "a", {100, 130}));
  REQUIRE(layout.move_network(moves, "n1", {-30, 40}));
  CHECK_FALSE(layout.move_network(moves, "nowhere", {0, 0}));
  check_at(moves.networks.at("n1"), -30, 40);
  layout.apply(moves);
  const auto* n1 = layout.network("n1");
  check_at(n1->box.min, -30, 40);
  check_at(n1->box.max, 290, 274);
  check_at(n1->router, 290, 159);
  check_at(layout.host("a")->pos, 70, 170);  // its own move kept, relative to the region
  check_at(layout.host("b")->pos, 820, 119);
  check_at(layout.hop_position("n1"), 290, 159);
  check_at(layout.hop_position("a"), 70, 170);

  // A region cannot be thrown off the map: its centre stays within the automatic bounds.
  REQUIRE(layout.move_network(moves, "n1", {5000, -900}));
  layout.apply(moves);
  check_at(layout.network("n1")->box.min, 820, -117);
  check_at(layout.network("n1")->box.center(), 980, 0);
}

TEST_CASE("layout: a packet in flight and a policy cross follow moves", "[gui][layout]") {
  const auto scenario = two_networks();
  sim::Trace trace;
  trace.add(short_packet(1 * kSecond));
  trace.add(policy_drop(2 * kSecond));
  gui::TraceModel m(scenario, trace);

  // Half way from a (160,119) to n1's router (320,119).
  const sim::Time t = 1 * kSecond + 50 * kMilli;
  const auto before = m.view_at(t);
  REQUIRE(before.packets.size() == 1);
  CHECK(before.packets[0].progress == Approx(0.5));
  check_at(before.packets[0].pos, 240, 119);
  check_at(before.packets[0].dir, 1, 0);

  LayoutMoves moves;
  REQUIRE(m.layout().move_host(moves, "a", {100, 139}));
  m.set_layout_moves(moves);
  const auto after = m.view_at(t);  // the same moment, a different place
  REQUIRE(after.packets.size() == 1);
  CHECK(after.packets[0].progress == Approx(0.5));
  check_at(after.packets[0].pos, 210, 129);
  CHECK(after.packets[0].dir.x == Approx(220.0 / std::sqrt(220.0 * 220.0 + 20.0 * 20.0)));
  CHECK(after.packets[0].dir.y == Approx(-20.0 / std::sqrt(220.0 * 220.0 + 20.0 * 20.0)));

  // The cross sits on n1's router, wherever the region is.
  const auto cross = m.view_at(2 * kSecond);
  REQUIRE(cross.blocks.size() == 1);
  check_at(cross.blocks[0].pos, 320, 119);
  REQUIRE(m.layout().move_network(moves, "n1", {10, 20}));
  m.set_layout_moves(moves);
  const auto moved = m.view_at(2 * kSecond);
  REQUIRE(moved.blocks.size() == 1);
  check_at(moved.blocks[0].pos, 330, 139);
  const auto packet_again = m.view_at(t);  // a (moved with its region) to the moved router
  REQUIRE(packet_again.packets.size() == 1);
  check_at(packet_again.packets[0].pos, 220, 149);

  // Back to the automatic layout.
  m.set_layout_moves(LayoutMoves{});
  check_at(m.view_at(t).packets[0].pos, 240, 119);
}

TEST_CASE("layout: moves survive a re-run of the same file and go with another file", "[gui][layout][session]") {
  gui::Session s;
  std::string error;
  REQUIRE(s.open_file(kScenarios + "mail/whole-journey.json", error));
  gui::TraceModel first(s.scenario(), s.run().trace);
  const auto* pc = first.layout().host("shiroyagi-pc");
  REQUIRE(pc);
  const Vec2 automatic = pc->pos;
  const auto* region = first.layout().region_of(*pc);
  const Vec2 target{region->box.min.x + 50.0f, region->box.max.y - 95.0f};

  // What install_run does: keep the moves for this file, apply them to the new model.
  LayoutMoves moves;
  moves.keep_for(s.scenario().file);
  REQUIRE(first.layout().move_host(moves, "shiroyagi-pc", target));
  first.set_layout_moves(moves);
  check_at(first.layout().host("shiroyagi-pc")->pos, target.x, target.y);

  gui::ComposeCommand c;
  c.device = "shiroyagi-pc";
  c.to = {"kuroyagi@hogehoge.com"};
  c.subject = "Moved";
  c.body = "Still where I put it?\n";
  REQUIRE(s.compose(c, 3 * kSecond).ok);
  gui::TraceModel rerun(s.scenario(), s.run().trace);
  moves.keep_for(s.scenario().file);
  REQUIRE_FALSE(moves.empty());
  rerun.set_layout_moves(moves);
  check_at(rerun.layout().host("shiroyagi-pc")->pos, target.x, target.y);

  // Another lesson: the moves are dropped, its layout is the automatic one.
  REQUIRE(s.open_file(kScenarios + "basics/blocked-port.json", error));
  gui::TraceModel other(s.scenario(), s.run().trace);
  moves.keep_for(s.scenario().file);
  CHECK(moves.empty());
  CHECK(moves.file == s.scenario().file);
  other.set_layout_moves(moves);
  const Layout fresh(s.scenario());
  REQUIRE(other.layout().hosts().size() == fresh.hosts().size());
  for (std::size_t i = 0; i < fresh.hosts().size(); ++i) {
    CHECK(other.layout().hosts()[i].pos.x == fresh.hosts()[i].pos.x);
    CHECK(other.layout().hosts()[i].pos.y == fresh.hosts()[i].pos.y);
  }
  // Back to the first lesson: it starts afresh too.
  REQUIRE(s.open_file(kScenarios + "mail/whole-journey.json", error));
  moves.keep_for(s.scenario().file);
  CHECK(moves.empty());
  CHECK(automatic.x == Layout(s.scenario()).host("shiroyagi-pc")->pos.x);
}

TEST_CASE("layout: a crowded world is arranged in grids and sub-columns, landscape", "[gui][layout]") {
  // 12 access networks of 20 devices, 12 data centres of one server each.
  std::string nets;
  std::string hosts;
  for (int i = 0; i < 12; ++i) {
    const auto k = std::to_string(i);
    nets += std::string(nets.empty() ? "" : ",") + R"({"id": "isp)" + k + R"(", "kind": "access", "cidr": "10.)" + k +
            R"(.0.0/16"}, {"id": "dc)" + k + R"(", "kind": "datacenter", "cidr": "172.16.)" + k + R"(.0/24"})";
    hosts += std::string(hosts.empty() ? "" : ",") + R"({"id": "mail)" + k +
             R"(", "kind": "mail_server", "network": "dc)" + k + R"(", "ip": "172.16.)" + k + R"(.25"})";
    for (int d = 0; d < 20; ++d) {
      hosts += R"(, {"id": "dev)" + k + "-" + std::to_string(d) + R"(", "kind": "pc", "network": "isp)" + k +
               R"(", "ip": "10.)" + k + "." + std::to_string(d / 200) + "." + std::to_string(d % 200 + 1) + R"("})";
    }
  }
  const auto scenario =
      load_text(R"({"mailsim": 1, "title": {"en": "t", "ja": "t"}, "networks": [)" + nets + R"(], "hosts": [)" + hosts +
                R"(], "timeline": []})");
  const Layout layout(scenario);
  REQUIRE(layout.hosts().size() == 252);
  // One column per side would be 12 * (64 + 20 * 170) high: now the picture is wider than high.
  CHECK(layout.bounds().width() > layout.bounds().height());
  CHECK(layout.bounds().height() < Layout::kCrowdedHeight);
  const auto* isp = layout.network("isp0");
  REQUIRE(isp);
  CHECK(isp->cell_width == Layout::kGridCell - 10.0f);
  CHECK(layout.network("dc0")->cell_width == Layout::kNetworkWidth - 24.0f);
  // Every host inside its own region, hosts of a region a grid cell apart, regions apart.
  for (const auto& h : layout.hosts()) {
    const auto* n = layout.network(h.network);
    REQUIRE(n);
    CHECK(layout.region_of(h) == n);
    CHECK(Layout::host_area(n->box).contains(h.pos));
    for (const auto& o : layout.hosts()) {
      if (&o != &h && o.network == h.network) CHECK(gui::length(o.pos - h.pos) >= Layout::kGridCell - 1.0f);
    }
  }
  for (const auto& n : layout.networks()) {
    for (const auto& o : layout.networks()) {
      if (&n == &o) continue;
      const bool apart = n.box.max.x <= o.box.min.x || o.box.max.x <= n.box.min.x || n.box.max.y <= o.box.min.y ||
                         o.box.max.y <= n.box.min.y;
      CHECK(apart);
    }
  }
  // Access networks still left of the Internet, data centres right of it.
  const auto* inet = layout.network(gui::kInternetId);
  CHECK(layout.network("isp11")->box.max.x < inet->box.min.x);
  CHECK(layout.network("dc11")->box.min.x > inet->box.max.x);
}

TEST_CASE("layout: a host stands above the middle of its row, with room under it for its label", "[gui][layout]") {
  // The label (name and IP) goes under the icon and keeps its type size however small the map
  // is drawn: the icon stands kHostRise above the row's middle, and a drag keeps it there.
  gui::Session s;
  std::string error;
  REQUIRE(s.open_file(kScenarios + "mail/whole-journey.json", error));
  Layout layout(s.scenario());
  for (const auto& h : layout.hosts()) {
    INFO(h.id);
    const auto* region = layout.region_of(h);
    const float below = region->box.max.y - h.pos.y;
    CHECK(below >= Layout::kHostSpacing * 0.5f + Layout::kHostRise - 1e-3f);
    const float in_row = std::fmod(h.pos.y - region->box.min.y - Layout::kHeader, Layout::kHostSpacing);
    CHECK(in_row == Approx(Layout::kHostSpacing * 0.5f - Layout::kHostRise));
    CHECK(Layout::host_area(region->box).contains(h.pos));  // a drag starts where the host is
  }
  // Dragged down past the region: the host stops kHostBottom above its region's bottom.
  LayoutMoves moves;
  const auto* pc = layout.host("shiroyagi-pc");
  REQUIRE(pc);
  const auto box = layout.region_of(*pc)->box;
  REQUIRE(layout.move_host(moves, "shiroyagi-pc", {pc->pos.x, box.max.y + 500.0f}));
  layout.apply(moves);
  CHECK(layout.host("shiroyagi-pc")->pos.y == Approx(box.max.y - Layout::kHostBottom));
}


namespace {

Layout lesson(const std::string& file) {
  gui::Session s;
  std::string error;
  INFO(file << ": " << error);
  REQUIRE(s.open_file(kScenarios + file, error));
  return Layout(s.scenario());
}

const char* const kLessons[] = {
    "basics/blocked-port.json",        "basics/tcp-connection.json",        "dns/delegation.json",
    "dns/nxdomain.json",               "mail/auth-wrong-password.json",     "mail/backup-mx.json",
    "mail/cross-domain.json",          "mail/host-unknown.json",            "mail/mailbox-full.json",
    "mail/message-too-large.json",     "mail/mx-loops-back.json",           "mail/op25b-submission.json",
    "mail/relay-denied.json",          "mail/smarthost-loop.json",
    "mail/relay-service.json",         "mail/same-domain.json",             "mail/sending-limits.json",
    "mail/tls-eavesdropper.json",      "mail/user-unknown.json",            "mail/whole-journey.json",
    "receiving/imap-mailbox-full.json", "receiving/imap-two-devices.json",  "receiving/pc-breaks.json",
    "receiving/pop3-download-and-delete.json", "receiving/pop3-leave-on-server.json"};

// Does the segment a-b pass through the rectangle r (sampled finely enough for world units)?
bool crosses(Vec2 a, Vec2 b, const gui::Rect& r) {
  for (int i = 1; i < 400; ++i) {
    const float t = static_cast<float>(i) / 400.0f;
    if (r.contains(a + (b - a) * t)) return true;
  }
  return false;
}

// Where a host's label goes, in world units: under its icon, as wide as its cell.
gui::Rect label_area(const Layout& layout, const gui::HostPlace& h) {
  const float half = std::min(layout.region_of(h)->cell_width, 200.0f) * 0.5f;
  return {{h.pos.x - half, h.pos.y + Layout::kIconSize * 0.4f},
          {h.pos.x + half, h.pos.y + Layout::kHostSpacing * 0.5f + Layout::kHostRise - 20.0f}};
}

}  // namespace

TEST_CASE("layout: a network of 3 hosts in a lesson stands in a row under its router", "[gui][layout]") {
  // imap-two-devices: three devices in the home ISP (left), one server in the data centre.
  const Layout layout = lesson("receiving/imap-two-devices.json");
  const auto* isp = layout.network("home-isp");
  REQUIRE(isp);
  CHECK(isp->row);
  check_at(isp->box.min, 0, 0);
  check_at(isp->box.max, 760, 313);  // 3 cells of kRowCell and margins; 64 + 10 + 124 + 115 high
  check_at(isp->router, 760, 74);    // the border facing the Internet, just under the title strip
  CHECK(isp->cell_width == Layout::kRowCell - 16.0f);
  // Side by side in file order, one cell apart, at one height.
  check_at(layout.host("kuroyagi-pc")->pos, 140, 198);
  check_at(layout.host("shiroyagi-pc")->pos, 380, 198);
  check_at(layout.host("shiroyagi-phone")->pos, 620, 198);
  // The link to a farther host passes at least kRowClear above a nearer host's icon, so it
  // never reaches the labels under the icons.
  for (const char* far : {"kuroyagi-pc", "shiroyagi-pc"}) {
    for (const char* nearer : {"shiroyagi-pc", "shiroyagi-phone"}) {
      const Vec2 f = layout.host(far)->pos;
      const Vec2 n = layout.host(nearer)->pos;
      if (n.x <= f.x) continue;
      const float t = (n.x - f.x) / (isp->router.x - f.x);
      const float y = f.y + (isp->router.y - f.y) * t;
      CHECK(n.y - y >= Layout::kRowClear - 1e-3f);
    }
  }
  // The one-host data centre keeps its column shape; the Internet's router sits between.
  const auto* provider = layout.network("provider");
  CHECK_FALSE(provider->row);
  check_at(provider->box.min, 1100, 39.5f);
  check_at(provider->router, 1100, 158.5f);
  check_at(layout.network(gui::kInternetId)->router, 930, 156.5f);
  CHECK(layout.bounds().max.x == 1420.0f);
  CHECK(layout.bounds().max.y == 313.0f);

  // Dragging within the wider region: clamped to its own host area.
  const auto area = Layout::host_area(isp->box);
  check_at(area.min, 40, 100);
  check_at(area.max, 720, 223);
  Layout moved = layout;
  LayoutMoves moves;
  REQUIRE(moved.move_host(moves, "kuroyagi-pc", {700, 400}));
  moved.apply(moves);
  check_at(moved.host("kuroyagi-pc")->pos, 700, 223);
  REQUIRE(moved.move_network(moves, "home-isp", {10, 20}));
  moved.apply(moves);
  check_at(moved.network("home-isp")->router, 770, 94);
  check_at(moved.host("kuroyagi-pc")->pos, 710, 243);
  check_at(moved.host("shiroyagi-phone")->pos, 630, 218);
}

TEST_CASE("layout: sending-limits uses the width: an outer region linked through a corridor", "[gui][layout]") {
  // Before: one column per side, 980 x 1142 (the right column: 3 + 1 + 1 hosts stacked).
  const Layout layout = lesson("mail/sending-limits.json");
  const auto b = layout.bounds();
  CHECK(b.width() == 1380.0f);
  CHECK(b.height() == 574.0f);
  CHECK(b.width() / b.height() > 2.0f);
  CHECK(b.width() / b.height() > 980.0f / 1142.0f * 2.5f);
  CHECK(layout.reference_scale() > 1.5f * 0.215f);

  const auto* inet = layout.network(gui::kInternetId);
  const auto* example = layout.network("example");
  const auto* hogehoge = layout.network("hogehoge");
  const auto* relay = layout.network("relay-dc");
  check_at(inet->router, 490, 289);
  // example.com's provider (3 hosts) in the outer sub-column, its router level with the Internet's.
  check_at(example->box.min, 1060, 0);
  check_at(example->box.max, 1380, 574);
  check_at(example->router, 1060, 289);
  check_at(layout.host("mail-example")->pos, 1220, 289);
  // The other two above and below a corridor the link runs through.
  check_at(hogehoge->box.min, 660, 5);
  check_at(hogehoge->box.max, 980, 239);
  check_at(hogehoge->router, 660, 124);
  check_at(relay->box.min, 660, 339);
  check_at(relay->router, 660, 458);
  CHECK(relay->box.min.y - hogehoge->box.max.y == Layout::kCorridor);
  check_at(layout.network("home-isp")->box.min, 0, 172);
  check_at(layout.network("home-isp")->router, 320, 291);
  for (const auto& n : layout.networks()) {
    if (n.id != "example" && n.id != gui::kInternetId) CHECK_FALSE(crosses(example->router, inet->router, n.box));
  }
}

TEST_CASE("layout: lessons that read well in one column per side keep it", "[gui][layout]") {
  for (const char* file : {"mail/whole-journey.json", "mail/same-domain.json", "basics/tcp-connection.json",
                           "basics/blocked-port.json", "mail/mailbox-full.json"}) {
    INFO(file);
    const Layout layout = lesson(file);
    CHECK(layout.bounds().width() == 980.0f);
    for (const auto& n : layout.networks()) {
      CHECK_FALSE(n.row);
      if (n.kind != "internet") CHECK(n.box.width() == Layout::kNetworkWidth);
    }
  }
  check_at(lesson("mail/whole-journey.json").network("example")->box.min, 660, 0);
  CHECK(lesson("mail/whole-journey.json").bounds().height() == 688.0f);
}

TEST_CASE("layout: the crowded lessons get a larger scale", "[gui][layout]") {
  // The scale at which each fits the reference panel, before (one column per side) and now.
  const std::pair<const char*, float> before[] = {{"mail/sending-limits.json", 0.215f},
                                                  {"dns/delegation.json", 0.277f},
                                                  {"mail/relay-denied.json", 0.277f},
                                                  {"mail/backup-mx.json", 0.277f},
                                                  {"mail/relay-service.json", 0.247f},
                                                  {"receiving/imap-two-devices.json", 0.393f}};
  for (const auto& [file, scale] : before) {
    INFO(file);
    const Layout layout = lesson(file);
    CHECK(layout.reference_scale() > scale * Layout::kBetterBy);
    CHECK(layout.bounds().width() > layout.bounds().height() * 2.0f);
  }
  const Layout delegation = lesson("dns/delegation.json");
  CHECK(delegation.network("dns-operators")->row);
  CHECK(delegation.network("hogehoge")->row);
  CHECK_FALSE(delegation.network("home-isp")->row);
  check_at(delegation.host("root-server")->pos, 800, 150);
  check_at(delegation.network("dns-operators")->router, 660, 74);
}

TEST_CASE("layout: the arrangement depends on the scenario only, and links cross no labels", "[gui][layout]") {
  for (const char* file : kLessons) {
    INFO(file);
    const Layout layout = lesson(file);
    const Layout again = lesson(file);
    REQUIRE(layout.hosts().size() == again.hosts().size());
    for (std::size_t i = 0; i < layout.hosts().size(); ++i) {
      CHECK(layout.hosts()[i].pos.x == again.hosts()[i].pos.x);
      CHECK(layout.hosts()[i].pos.y == again.hosts()[i].pos.y);
    }
    for (std::size_t i = 0; i < layout.networks().size(); ++i) {
      CHECK(layout.networks()[i].box.min.x == again.networks()[i].box.min.x);
      CHECK(layout.networks()[i].box.min.y == again.networks()[i].box.min.y);
    }
    const auto* inet = layout.network(gui::kInternetId);
    for (const auto& n : layout.networks()) {
      if (n.kind == "internet") continue;
      // Routers on the border facing the Internet; regions apart; hosts where a drag may start.
      CHECK(n.router.x == (n.column == 0 ? n.box.max.x : n.box.min.x));
      CHECK(n.router.y >= n.box.min.y + Layout::kHeader);
      CHECK(n.router.y <= n.box.max.y);
      CHECK((n.column == 0 ? n.box.max.x < inet->box.min.x : n.box.min.x > inet->box.max.x));
      for (const auto& o : layout.networks()) {
        if (&o == &n || o.kind == "internet") continue;
        const bool apart = n.box.max.x <= o.box.min.x || o.box.max.x <= n.box.min.x || n.box.max.y <= o.box.min.y ||
                           o.box.max.y <= n.box.min.y;
        CHECK(apart);
      }
    }
    for (const auto& h : layout.hosts()) {
      INFO(h.id);
      const auto* region = layout.region_of(h);
      CHECK(Layout::host_area(region->box).contains(h.pos));
      // In a row, a host's link to its router crosses no other host's label (in a column, the
      // map slides a label clear of a link passing by it).
      for (const auto& o : layout.hosts()) {
        if (&o == &h || !region->row) continue;
        INFO(o.id);
        if (layout.region_of(o) == region) CHECK_FALSE(crosses(h.pos, region->router, label_area(layout, o)));
      }
    }
    // No region's link to the Internet crosses a host's label (nor, through a corridor, a region).
    for (const auto& n : layout.networks()) {
      if (n.kind == "internet") continue;
      for (const auto& o : layout.hosts()) CHECK_FALSE(crosses(n.router, inet->router, label_area(layout, o)));
      for (const auto& o : layout.networks()) {
        if (&o != &n && o.kind != "internet") CHECK_FALSE(crosses(n.router, inet->router, o.box));
      }
    }
  }
}
