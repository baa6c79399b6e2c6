#!/usr/bin/env node
// The `compoformer` bin: the built CLI (a committed file, so installs link it before the first build).
await import('../dist/cli.js');
