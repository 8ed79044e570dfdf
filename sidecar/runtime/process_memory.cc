#include "sidecar/runtime/process_memory.h"

#include <malloc.h>

namespace peerscout {

void UseOneMallocArena() { mallopt(M_ARENA_MAX, 1); }

void ReturnFreeMemory() { malloc_trim(0); }

}  // namespace peerscout
