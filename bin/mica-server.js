#!/usr/bin/env -S node --max-semi-space-size=2
// The V8 flag above keeps young-generation GC pauses short with big keyspaces (README "Latency under load").
// `node bin/mica-server.js` bypasses this line and runs with V8's defaults.
import '../dist/src/main.js';
