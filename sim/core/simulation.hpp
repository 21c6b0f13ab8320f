// One simulated world: the event core, random source, trace, topology and transport.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/event_core.hpp"
#include "sim/core/network.hpp"
#include "sim/core/random.hpp"
#include "sim/core/trace.hpp"
#include "sim/core/transport.hpp"

namespace mailsim::sim {

namespace faults {
class FaultEngine;
}

class Simulation;

// Something that runs on a host (a server, a mail client, a resolver). Apps talk only to
// the Simulation they were added to.
class App {
 public:
  explicit App(std::string host) : host_(std::move(host)) {}
  virtual ~App() = default;
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  // Called once when the world starts (time 0): bind ports, schedule timers.
  virtual void start(Simulation& sim) = 0;
  const std::string& host() const { return host_; }

 private:
  std::string host_;
};

class Simulation {
 public:
  explicit Simulation(std::uint64_t seed, TransportSettings settings = {});
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  EventCore& core() { return core_; }
  Random& random() { return rng_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  Network& network() { return net_; }
  TransportLayer& transport() { return transport_; }
  Time now() const { return core_.now(); }

  // Adds an app; it starts when start() is called (or at once if the world already started).
  App& add_app(std::unique_ptr<App> app);
  void start();

  // Appends a record stamped with the current time.
  Record& record(Record r);

  // The run's fault plan (sim/faults/fault_plan.hpp; null: none). Kept here so every app of
  // the world finds it; set before the world starts.
  faults::FaultEngine* faults() const { return faults_.get(); }
  void set_faults(std::shared_ptr<faults::FaultEngine> f) { faults_ = std::move(f); }

 private:
  EventCore core_;
  Random rng_;
  Trace trace_;
  Network net_;
  TransportLayer transport_;
  std::vector<std::unique_ptr<App>> apps_;
  std::shared_ptr<faults::FaultEngine> faults_;
  bool started_ = false;
};

}  // namespace mailsim::sim
