// Small worlds for simulator tests: a home ISP with a dynamic pool and a data centre.
#pragma once
#include "sim/core/simulation.hpp"

namespace mailsim::test {

inline void two_networks(sim::Simulation& s, sim::Time internet = 20 * sim::kMilli) {
  using namespace mailsim::sim;
  NetworkInfo isp;
  isp.id = "isp";
  isp.kind = "access";
  isp.cidr = *Cidr::parse("192.0.2.0/24");
  isp.dynamic_pool = *Cidr::parse("192.0.2.128/25");
  isp.latency = 5 * kMilli;
  NetworkInfo dc;
  dc.id = "dc";
  dc.kind = "datacenter";
  dc.cidr = *Cidr::parse("198.51.100.0/24");
  dc.latency = 1 * kMilli;
  s.network().add_network(isp);
  s.network().add_network(dc);
  s.network().set_internet_latency(internet);
  s.network().add_host(HostInfo{"pc", "pc", "PC", "", "isp", *Ipv4::parse("192.0.2.130")});
  s.network().add_host(HostInfo{"isp-mail", "mail_server", "ISP mail", "", "isp", *Ipv4::parse("192.0.2.25")});
  s.network().add_host(HostInfo{"server", "mail_server", "Server", "", "dc", *Ipv4::parse("198.51.100.25")});
}

}  // namespace mailsim::test
