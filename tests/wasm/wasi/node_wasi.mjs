// Runs a WASI command under Node.js's built-in WASI (node:wasi, preview1), the reference for the
// differential tests: node node_wasi.mjs [--dir HOST:GUEST]... [--env K=V]... FILE.wasm [ARGS...]
// stdio is inherited; the process exits with the guest's exit code.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
  const opt = argv.shift();
  const val = argv.shift();
  if (opt === '--dir') {
    const i = val.indexOf(':');
    const host = i < 0 ? val : val.slice(0, i);
    preopens[i < 0 ? val : val.slice(i + 1)] = host;
  } else if (opt === '--env') {
    const i = val.indexOf('=');
    env[val.slice(0, i)] = val.slice(i + 1);
  } else {
    throw new Error(`unknown option ${opt}`);
  }
}
const file = argv[0];
const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const imports = wasi.getImportObject();
imports.wasi_unstable = imports.wasi_snapshot_preview1;
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
