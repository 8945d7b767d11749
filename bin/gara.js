#!/usr/bin/env node
// Package bin: runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('gara: the CLI is not built yet; run `npm run build` first');
    process.exit(2);
  }
  throw error;
});
