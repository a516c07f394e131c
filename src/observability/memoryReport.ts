/**
 * The server's memory figures in one structure (Redis's redisMemOverhead), and the INFO memory section built
 * from it with Redis 7.0.15's field names and order, followed by Mica's V8 heap figures.
 *
 * Mapping from Redis's allocator to V8 (see ARCHITECTURE.md "Memory"): used_memory is the memory model's
 * estimate (engine/memory.ts), not a malloc counter. allocator_allocated is V8's live heap plus off-heap
 * buffers (heapUsed + external), allocator_active the heap V8 has reserved plus those buffers (heapTotal +
 * external), allocator_resident the physical heap pages plus buffers; rss is the process's resident set.
 */

export interface MemoryReport {
  used: number;
  peak: number;
  startup: number;
  rss: number;
  clientsNormal: number;
  clientsReplicas: number;
  replicationBacklog: number;
  aofBuffer: number;
  luaCaches: number;
  functionsCaches: number;
  /** Per non-empty database: its keys, and the dictionary's share of the bytes (main table, TTL arrays). */
  dbs: { id: number; keys: number; overheadMain: number; overheadExpires: number }[];
  overheadTotal: number;
  keysCount: number;
  dataset: number;
  /** Bytes of values being freed in the background (counted in used). */
  lazyfreePendingObjects: number;
  lazyfreedObjects: number;
  maxmemory: number;
  policy: string;
  notCountedForEvict: number;
  totalSystemMemory: number;
  heap: {
    used: number;
    total: number;
    physical: number;
    limit: number;
    external: number;
    arrayBuffers: number;
    gcCount: number;
    gcPauseMaxMs: number;
    gcPauseTotalMs: number;
  };
}

/** Allocator figures derived from the heap, shared by INFO and MEMORY STATS. */
export function allocatorFigures(r: MemoryReport): {
  allocated: number; active: number; resident: number;
  fragRatio: number; fragBytes: number; rssRatio: number; rssBytes: number;
  rssOverheadRatio: number; rssOverheadBytes: number; fragmentation: number; fragmentationBytes: number;
} {
  const allocated = r.heap.used + r.heap.external;
  const active = r.heap.total + r.heap.external;
  const resident = r.heap.physical + r.heap.external;
  return {
    allocated, active, resident,
    fragRatio: active / Math.max(1, allocated), fragBytes: active - allocated,
    rssRatio: resident / Math.max(1, active), rssBytes: resident - active,
    rssOverheadRatio: r.rss / Math.max(1, resident), rssOverheadBytes: r.rss - resident,
    fragmentation: r.rss / Math.max(1, r.used), fragmentationBytes: r.rss - r.used,
  };
}

/** Redis's bytesToHuman: B, K, M, G, T, P with two decimals. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let v = n / 1024;
  for (let i = 0; i < units.length; i++) {
    if (v < 1024 || i === units.length - 1) return `${v.toFixed(2)}${units[i]}`;
    v /= 1024;
  }
  return `${n}B`;
}

const fixed2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '0.00');

/** The INFO memory section's fields. */
export function infoMemoryFields(r: MemoryReport): (readonly [string, string | number])[] {
  const a = allocatorFigures(r);
  const startup = r.startup;
  const datasetBase = r.used - startup;
  return [
    ['used_memory', r.used],
    ['used_memory_human', bytesToHuman(r.used)],
    ['used_memory_rss', r.rss],
    ['used_memory_rss_human', bytesToHuman(r.rss)],
    ['used_memory_peak', r.peak],
    ['used_memory_peak_human', bytesToHuman(r.peak)],
    ['used_memory_peak_perc', fixed2(r.peak > 0 ? (r.used / r.peak) * 100 : 0) + '%'],
    ['used_memory_overhead', r.overheadTotal],
    ['used_memory_startup', startup],
    ['used_memory_dataset', r.dataset],
    ['used_memory_dataset_perc', fixed2(datasetBase > 0 ? (r.dataset / datasetBase) * 100 : 0) + '%'],
    ['allocator_allocated', a.allocated],
    ['allocator_active', a.active],
    ['allocator_resident', a.resident],
    ['total_system_memory', r.totalSystemMemory],
    ['total_system_memory_human', bytesToHuman(r.totalSystemMemory)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', r.maxmemory],
    ['maxmemory_human', bytesToHuman(r.maxmemory)],
    ['maxmemory_policy', r.policy],
    ['allocator_frag_ratio', fixed2(a.fragRatio)],
    ['allocator_frag_bytes', a.fragBytes],
    ['allocator_rss_ratio', fixed2(a.rssRatio)],
    ['allocator_rss_bytes', a.rssBytes],
    ['rss_overhead_ratio', fixed2(a.rssOverheadRatio)],
    ['rss_overhead_bytes', a.rssOverheadBytes],
    ['mem_fragmentation_ratio', fixed2(a.fragmentation)],
    ['mem_fragmentation_bytes', a.fragmentationBytes],
    ['mem_not_counted_for_evict', r.notCountedForEvict],
    ['mem_replication_backlog', r.replicationBacklog],
    ['mem_total_replication_buffers', r.replicationBacklog],
    ['mem_clients_slaves', r.clientsReplicas],
    ['mem_clients_normal', r.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', r.aofBuffer],
    ['mem_allocator', 'v8-' + process.versions.v8],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', r.lazyfreePendingObjects],
    ['lazyfreed_objects', r.lazyfreedObjects],
    // Mica's own: the V8 heap as V8 reports it, and garbage-collection pauses since start.
    ['v8_heap_used', r.heap.used],
    ['v8_heap_used_human', bytesToHuman(r.heap.used)],
    ['v8_heap_total', r.heap.total],
    ['v8_heap_physical', r.heap.physical],
    ['v8_heap_limit', r.heap.limit],
    ['v8_heap_limit_human', bytesToHuman(r.heap.limit)],
    ['v8_external', r.heap.external],
    ['v8_array_buffers', r.heap.arrayBuffers],
    ['v8_gc_count', r.heap.gcCount],
    ['v8_gc_pause_total_ms', Math.round(r.heap.gcPauseTotalMs)],
    ['v8_gc_pause_max_ms', fixed2(r.heap.gcPauseMaxMs)],
  ];
}
