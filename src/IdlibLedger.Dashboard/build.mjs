// Bundles src/main.ts (with Leaflet's and the page's CSS) into dist/, names the bundles by content hash so that they
// can be cached for good, and writes dist/index.html pointing at them. Nothing is fetched at run time.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';

const dist = 'dist';
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const result = await build({
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['es2022'],
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(dist, file).split(path.sep).join('/'));
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (!script || !style) {
  throw new Error(`the bundle lacks a script or a stylesheet: ${outputs.join(', ')}`);
}

const page = await readFile('src/index.html', 'utf8');
await writeFile(path.join(dist, 'index.html'), page.replace('%STYLE%', `/${style}`).replace('%SCRIPT%', `/${script}`));
await cp('src/favicon.svg', path.join(dist, 'favicon.svg'));
console.log(`dashboard: ${outputs.filter((file) => !file.endsWith('.map')).join(', ')} -> ${dist}/`);
