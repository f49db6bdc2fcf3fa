#!/usr/bin/env node
// `npm run gpu-kit`: everything the GPU benchmark needs on a bare x86-64 Linux machine with an NVIDIA driver,
// in gpu-kit/ (ignored): lab-gpu-kit.tar.xz (a Node binary and Dawn's addon, each xz-compressed inside; the
// bundled CLI and benchmark; tools/bench_pytorch.py; Debian's Vulkan loader) and run.sh beside it. The npm
// script bundles the CLI and the benchmark first, with their JavaScript dependencies inlined (vite.kit.config.ts). The kit must stay under 64 MiB (what such a machine accepts): checked here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIMIT = 64 * 2 ** 20;
const out = 'gpu-kit';
const stage = join(out, 'stage');
const kit = join(stage, 'lab-gpu-kit');

function log(message) {
  process.stderr.write(`gpu-kit: ${message}\n`);
}

function xz(from, to) {
  try {
    writeFileSync(to, execFileSync('xz', ['-3', '-T0', '-c', from], { maxBuffer: 2 ** 30 }));
  } catch (error) {
    throw new Error(`xz could not compress ${from} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): install xz-utils`);
  }
}

/** Debian's libvulkan1: from apt's cache, else downloaded by apt; its libvulkan.so.1. Null when neither works. */
function vulkanLoader() {
  try {
    return debianVulkanLoader();
  } catch {
    return null; // no apt or dpkg here: the kit then relies on the target's loader (said when building)
  }
}

function debianVulkanLoader() {
  const cache = '/var/cache/apt/archives';
  let deb = existsSync(cache) ? readdirSync(cache).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)) : undefined;
  let dir = cache;
  if (!deb) {
    dir = mkdtempSync(join(tmpdir(), 'gpu-kit-deb-'));
    try {
      execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: dir, stdio: 'ignore' });
      deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
    } catch {
      return null;
    }
  }
  if (!deb) return null;
  const x = mkdtempSync(join(tmpdir(), 'gpu-kit-vk-'));
  execFileSync('dpkg-deb', ['-x', join(dir, deb), x]);
  const lib = join(x, 'usr/lib/x86_64-linux-gnu/libvulkan.so.1');
  return existsSync(lib) ? { path: realpathSync(lib), deb } : null;
}

function build() {
  const bundles = join(out, 'dist');
  if (!existsSync(join(bundles, 'bench.js'))) throw new Error(`${bundles}/bench.js is missing: run \`npm run gpu-kit\` (it bundles the CLI and the benchmark first)`);
  rmSync(stage, { recursive: true, force: true });
  for (const f of ['lab-gpu-kit.tar.xz', 'run.sh']) rmSync(join(out, f), { force: true });
  for (const d of ['bin', 'lib', 'app/dist/cli/assets', 'app/node_modules/webgpu/dist/linux-x64']) mkdirSync(join(kit, d), { recursive: true });
  log(`compressing node ${process.version}`);
  xz(process.execPath, join(kit, 'bin/node.xz'));
  const dawn = 'node_modules/webgpu/dist/linux-x64/dawn.node';
  xz(dawn, join(kit, 'app/node_modules/webgpu/dist/linux-x64/dawn.node.xz'));
  for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join('node_modules/webgpu', f), join(kit, 'app/node_modules/webgpu', f));
  cpSync(bundles, join(kit, 'app/dist/cli'), { recursive: true });
  writeFileSync(join(kit, 'app/package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  copyFileSync('tools/bench_pytorch.py', join(kit, 'bench_pytorch.py'));
  const vk = vulkanLoader();
  if (vk) copyFileSync(vk.path, join(kit, 'lib/libvulkan.so.1'));
  else log('no libvulkan1 .deb in apt\'s cache and apt could not download it: the kit relies on the target\'s Vulkan loader');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  const webgpu = JSON.parse(readFileSync('node_modules/webgpu/package.json', 'utf8')).version;
  writeFileSync(join(kit, 'VERSIONS.json'), `${JSON.stringify({ built: new Date().toISOString(), commit, node: process.version, webgpu, vulkanLoader: vk?.deb ?? null }, null, 2)}\n`);
  execFileSync('tar', ['-cJf', join(out, 'lab-gpu-kit.tar.xz'), '-C', stage, 'lab-gpu-kit'], { env: { ...process.env, XZ_OPT: '-0 -T0' } });
  copyFileSync('tools/gpu_kit/run.sh', join(out, 'run.sh'));
  rmSync(stage, { recursive: true, force: true });
  rmSync(bundles, { recursive: true, force: true });
  const size = statSync(join(out, 'lab-gpu-kit.tar.xz')).size + statSync(join(out, 'run.sh')).size;
  const mib = (size / 2 ** 20).toFixed(1);
  if (size > LIMIT) throw new Error(`the kit is ${mib} MiB, over the 64 MiB a GPU machine accepts`);
  process.stdout.write(`gpu-kit: ${out}/lab-gpu-kit.tar.xz + ${out}/run.sh: ${mib} MiB (limit 64 MiB); commit ${commit}, node ${process.version}, webgpu ${webgpu}\n`);
  process.stdout.write(`on the GPU machine: copy both files, then \`sh run.sh\` (results in ./lab-gpu-results/)\n`);
}

try {
  build();
} catch (error) {
  process.stderr.write(`gpu-kit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
