// How the sidecar keeps its idle footprint small: glibc's malloc defaults suit a busy server,
// not a process that answers a few requests a second and sleeps in between.
#pragma once

namespace peerscout {

// One malloc arena for every thread. glibc gives each thread that allocates an arena of its
// own (up to 8 per core); each keeps the high-water mark of what its thread once held, so a
// source thread that parsed a large payload, or a serving thread that rendered a body, keeps
// that memory after it is freed. The threads here allocate rarely (a render per version, not
// per request), so they never contend on one arena. Call before any thread starts.
void UseOneMallocArena();

// Gives the pages malloc holds free back to the kernel, also from the middle of the heap
// (the automatic trim only releases its top). Costs a walk of the heap: for after a change.
void ReturnFreeMemory();

}  // namespace peerscout
