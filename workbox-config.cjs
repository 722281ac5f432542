// Workbox injectManifest settings: what the service worker precaches (static assets + the offline page).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Hash of the files an HTML entry is rendered from, so the precached copy updates when they change. */
function revisionOf(patterns) {
  const hash = crypto.createHash('sha256');
  for (const file of patterns.flatMap(expand).sort()) hash.update(file).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function expand(pattern) {
  if (!pattern.includes('*')) return fs.existsSync(pattern) ? [pattern] : [];
  const [root] = pattern.split('*');
  if (!fs.existsSync(root)) return [];
  const suffix = pattern.slice(pattern.lastIndexOf('*') + 1);
  return fs.readdirSync(root, { recursive: true })
    .map((name) => path.join(root, name))
    .filter((file) => file.endsWith(suffix) && fs.statSync(file).isFile());
}

module.exports = {
  swSrc: 'sw/sw.js',
  swDest: 'app/static/sw.js',
  globDirectory: 'app/static/',
  globPatterns: ['css/**/*.css', 'js/**/*.js', 'vendor/**/*.js', 'icons/*.png', 'data/places.*.json'],
  globIgnores: ['sw.js', 'workbox/**'],
  modifyURLPrefix: { '': '/static/' },
  additionalManifestEntries: [
    {
      url: '/offline',
      revision: revisionOf(['app/templates/offline.html', 'app/templates/base.html', 'app/translations/*.po']),
    },
  ],
};
