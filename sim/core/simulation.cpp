// One simulated world.
#include "sim/core/simulation.hpp"

namespace mailsim::sim {

Simulation::Simulation(std::uint64_t seed, TransportSettings settings)
    : rng_(seed), transport_(core_, trace_, net_, rng_, settings) {}

App& Simulation::add_app(std::unique_ptr<App> app) {
  apps_.push_back(std::move(app));
  App& a = *apps_.back();
  if (started_) a.start(*this);
  return a;
}

void Simulation::start() {
  if (started_) return;
  started_ = true;
  for (std::size_t i = 0; i < apps_.size(); ++i) apps_[i]->start(*this);
}

Record& Simulation::record(Record r) {
  r.time = core_.now();
  return trace_.add(std::move(r));
}

}  // namespace mailsim::sim
