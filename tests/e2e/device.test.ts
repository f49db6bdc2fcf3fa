import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from './browser';

describe('the lab page in Chromium', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('shows the WebGPU adapter and passes the kernel self-check in the Worker', async () => {
    const page = await lab.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    const architecture = await page.getByTestId('adapter-architecture').textContent();
    expect(architecture?.toLowerCase()).toContain('swiftshader');
    await expect.poll(() => page.getByText('maxStorageBufferBindingSize').count()).toBe(1);

    await page.getByRole('button', { name: 'Check kernels on this GPU' }).click();
    const summary = page.getByTestId('selfcheck-summary');
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toMatch(/^All \d+ kernels match their CPU references\.$/);
    await page.screenshot({ path: 'test-results/device.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explains how to enable WebGPU when the browser has none', async () => {
    const page = await lab.browser.newPage();
    await page.addInitScript(() => {
      Reflect.deleteProperty(Object.getPrototypeOf(navigator) as object, 'gpu');
    });
    await page.goto(lab.url);
    await page.getByRole('heading', { name: 'WebGPU is not available here' }).waitFor({ timeout: 30_000 });
    expect(await page.getByText('--enable-unsafe-webgpu --enable-features=Vulkan').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-results/no-webgpu.png', fullPage: true });
    await page.close();
  });
});
