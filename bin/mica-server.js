#!/bin/sh
':' //; exec node --min-semi-space-size=16 "$0" "$@"
// Run as a program, this file is a shell script whose second line restarts it under node with the flags V8
// must have before the heap exists (server/v8Flags.ts, NODE_START_FLAGS); exec keeps the process and its pid.
// To node, that line is a string and a comment. `env -S` in the first line would do the same on Debian and
// macOS, but BusyBox's env (Alpine, node:alpine images) has no -S.
import '../dist/src/main.js';
