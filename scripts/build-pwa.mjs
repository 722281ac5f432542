// npm run build: vendor the browser libraries and build the service worker (no CDN at run time).
//   1. Workbox runtime libraries  -> app/static/workbox/workbox-v<version>/
//   2. idb (UMD), qrcode-generator (ESM), jsQR (UMD) -> app/static/vendor/
//   3. injectManifest sw/sw.js   -> app/static/sw.js (placeholder __WORKBOX_DIR__ filled in)
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { copyWorkboxLibraries, injectManifest } = require('workbox-build');
const config = require('../workbox-config.cjs');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const VENDOR = [
  ['idb/build/umd.js', 'idb.umd.js'],
  ['qrcode-generator/dist/qrcode.mjs', 'qrcode.esm.js'], // .js: served as JavaScript everywhere
  ['jsqr/dist/jsQR.js', 'jsQR.js'],
];

async function copyWorkbox() {
  await rm('app/static/workbox', { recursive: true, force: true });
  await mkdir('app/static/workbox', { recursive: true });
  return copyWorkboxLibraries('app/static/workbox');
}

async function copyVendor() {
  await rm('app/static/vendor', { recursive: true, force: true });
  await mkdir('app/static/vendor', { recursive: true });
  for (const [from, to] of VENDOR) {
    await copyFile(path.join('node_modules', from), path.join('app/static/vendor', to));
  }
}

async function buildServiceWorker(workboxDir) {
  const { count, size, warnings } = await injectManifest(config);
  for (const warning of warnings) console.warn('workbox:', warning);
  const built = await readFile(config.swDest, 'utf8');
  if (!built.includes('__WORKBOX_DIR__')) throw new Error(`${config.swSrc} must load Workbox from /static/workbox/__WORKBOX_DIR__/`);
  await writeFile(config.swDest, built.replaceAll('__WORKBOX_DIR__', workboxDir));
  console.log(`service worker: ${config.swDest} precaches ${count} files (${(size / 1024).toFixed(0)} KiB), workbox ${workboxDir}`);
}

const workboxDir = path.basename(await copyWorkbox());
await copyVendor();
await buildServiceWorker(workboxDir);
