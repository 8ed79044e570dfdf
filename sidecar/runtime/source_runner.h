// Runs each source on its own thread and carries its reports to the registry, with a log
// line for each new problem (prefixed by the source's name, as go-discover's providers do).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/core/registry.h"
#include "sidecar/core/source.h"

namespace peerscout {

struct RunnableSource {
  std::string name;
  std::shared_ptr<Source> source;
};

class SourceRunner {
 public:
  explicit SourceRunner(Registry& registry) : registry_(registry) {}
  ~SourceRunner() { StopAll(); }

  void StartAll(std::vector<RunnableSource> sources);
  // Requests every source to stop and waits for their threads.
  void StopAll();

 private:
  Registry& registry_;
  std::vector<std::jthread> threads_;
};

}  // namespace peerscout
