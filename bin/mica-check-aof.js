#!/usr/bin/env node
import '../dist/src/checkAof.js';
