/**
 * Real-browser harness: Debian's Chromium driven by playwright-core, WebGPU on SwiftShader, against the Vite
 * dev server or a production build of the page (WebGPU needs a secure context: http://127.0.0.1 is one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Skips zero-initializing workgroup memory: SwiftShader then compiles tiled kernels in milliseconds, not seconds.
  '--enable-dawn-features=disable_workgroup_init',
];

export interface Lab {
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export interface LabOptions {
  /**
   * Serve a production build (`vite build` + `vite preview`) instead of the dev server: what users get, and the
   * only fair place to time the main thread (React's development build is several times slower).
   */
  readonly production?: boolean;
}

interface Served {
  readonly url: string;
  close(): Promise<void>;
}

async function devServer(): Promise<Served> {
  const server = await createServer({ server: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite dev server did not report a URL');
  return { url, close: () => server.close() };
}

async function productionServer(): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), 'lab-e2e-dist-'));
  // vitest sets NODE_ENV=test, which would make the build pick React's development bundle and JSX runtime.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'error', mode: 'production', build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096 } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await preview({ logLevel: 'error', preview: { port: 0, host: '127.0.0.1' }, build: { outDir } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview server did not report a URL');
  return {
    url,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const served = options.production ? await productionServer() : await devServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    url: served.url,
    browser,
    async close() {
      await browser.close();
      await served.close();
    },
  };
}

/** A production build served, and one page at 1280×800 whose uncaught errors are collected (tests expect none). */
export interface LabPage {
  readonly lab: Lab;
  readonly page: Page;
  readonly errors: string[];
}

export async function openLabPage(): Promise<LabPage> {
  const lab = await startLab({ production: true });
  const page = await lab.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { lab, page, errors };
}
