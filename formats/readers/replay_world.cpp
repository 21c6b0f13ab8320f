// The world of a replay: hosts and networks from the capture, the trace as the run.
#include "formats/readers/replay_world.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mailsim::formats {

ReplayWorld replay_world(const ReplayTrace& replay, const std::string& source_path, const std::string& format) {
  ReplayWorld w;
  auto& sc = w.scenario;
  const std::string base = std::filesystem::path(source_path).filename().string();
  sc.file = source_path;
  sc.name = std::filesystem::path(source_path).stem().string();
  sc.title = {fmt::format("Replay of {} ({})", base, format), fmt::format("{} の再生（{}）", base, format)};
  // Who served: the peer of each connection's first record (the client opens it).
  std::set<std::string> servers;
  std::map<std::string, std::string> protocol_of;
  for (const auto& r : replay.trace.records()) {
    if (r.kind == sim::RecordKind::Connection && !r.peer.empty()) servers.insert(r.peer);
    if (r.kind == sim::RecordKind::Packet && servers.count(r.peer) == 0 && servers.count(r.host) == 0 &&
        r.protocol == "dns")
      servers.insert(r.peer);  // the first DNS datagram goes to the server
    if ((r.kind == sim::RecordKind::Protocol || r.kind == sim::RecordKind::Dns) && !r.protocol.empty()) {
      if (servers.count(r.host)) protocol_of.try_emplace(r.host, r.protocol);
      if (servers.count(r.peer)) protocol_of.try_emplace(r.peer, r.protocol);
    }
  }
  std::size_t conns = 0;
  for (const auto& r : replay.trace.records())
    if (r.kind == sim::RecordKind::Connection && r.event != "closed") ++conns;
  sc.description = {
      fmt::format("A recorded session read by mailsim replay from {}: {} host(s), {} connection(s). Nothing here "
                  "was simulated; every line is the recording's, explained as in the lessons.",
                  base, replay.hosts.size(), conns),
      fmt::format("mailsim replay が {} から読んだ記録です（ホスト {} 台、接続 {} 本）。シミュレーションではなく、"
                  "記録された行をレッスンと同じように説明します。",
                  base, replay.hosts.size(), conns)};
  sim::NetworkInfo clients, servers_net;
  clients.id = "recorded-clients";
  clients.kind = "access";
  clients.name = "Clients (recorded)";
  clients.name_ja = "クライアント（記録）";
  clients.cidr = *sim::Cidr::parse("192.0.2.0/24");
  servers_net.id = "recorded-servers";
  servers_net.kind = "datacenter";
  servers_net.name = "Servers (recorded)";
  servers_net.name_ja = "サーバー（記録）";
  servers_net.cidr = *sim::Cidr::parse("198.51.100.0/24");
  sc.networks = {clients, servers_net};
  std::uint32_t next_client = 10, next_server = 10;
  for (const auto& h : replay.hosts) {
    sim::HostSpec spec;
    const bool server = servers.count(h.id) > 0;
    spec.info.id = h.id;
    const auto proto = protocol_of.count(h.id) ? protocol_of[h.id] : std::string();
    spec.info.kind = !server ? "pc" : proto == "dns" ? "dns_server" : proto.empty() ? "server" : "mail_server";
    spec.info.name = h.name.empty() ? h.address : fmt::format("{} ({})", h.name, h.address);
    spec.info.network = server ? servers_net.id : clients.id;
    const std::uint32_t n = server ? next_server++ : next_client++;
    spec.info.ip.value = (server ? servers_net.cidr.base.value : clients.cidr.base.value) + std::min<std::uint32_t>(n, 254);
    sc.hosts.push_back(std::move(spec));
  }
  sim::Time end = 0;
  for (const auto& r : replay.trace.records()) end = std::max(end, r.time);
  sc.run_for = end + sim::kSecond;
  w.run.trace = replay.trace;
  w.run.end_time = end;
  return w;
}

bool looks_like_capture(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t i = 0;
  if (head.rfind("\xEF\xBB\xBF", 0) == 0) i = 3;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
  // A scenario is one JSON object; a trace (JSON Lines) is an object per line, so it is told
  // apart by the format detector.
  if (i < head.size() && head[i] == '{') {
    // A trace's first line is one whole object with a "kind"; a scenario has no top-level kind.
    const auto eol = head.find('\n', i);
    if (eol == std::string::npos) return false;
    const auto first = nlohmann::json::parse(head.substr(i, eol - i), nullptr, false);
    return first.is_object() && first.contains("kind") && first["kind"].is_string();
  }
  return !detect_format(head).empty();
}

std::optional<ReplayWorld> open_replay_file(const std::string& path, std::string& error, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    error = path + ": no such file";
    return std::nullopt;
  }
  if (size > max_bytes) {
    error = fmt::format("{}: larger than {} bytes", path, max_bytes);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  const auto read = read_capture(s.str());
  if (!read.capture) {
    error = path + ": " + read.error;
    return std::nullopt;
  }
  const auto rt = to_trace(*read.capture, std::filesystem::path(path).filename().string());
  return replay_world(rt, path, read.capture->format);
}

}  // namespace mailsim::formats
