/** Shown when no WebGPU adapter is available: how to turn it on, per platform. */
export function EnableWebGpu({ message }: { readonly message: string }) {
  return (
    <section className="card warn" aria-labelledby="enable-title">
      <h2 id="enable-title">WebGPU is not available here</h2>
      <p className="muted">{message}</p>
      <p>The lab trains on your GPU through WebGPU. To enable it:</p>
      <ul>
        <li>
          Use <strong>Chrome or Edge 113 or newer</strong> (WebGPU is on by default on Windows, macOS and ChromeOS).
        </li>
        <li>
          On <strong>Linux</strong>, start Chrome with{' '}
          <code>google-chrome --enable-unsafe-webgpu --enable-features=Vulkan</code>, or turn on{' '}
          <code>chrome://flags/#enable-unsafe-webgpu</code> and <code>chrome://flags/#enable-vulkan</code>, then
          restart the browser. Without a GPU driver, add <code>--use-webgpu-adapter=swiftshader</code> to try the lab
          on the CPU (very slow).
        </li>
        <li>
          Open the lab from <code>http://localhost</code>, <code>http://127.0.0.1</code> or <code>https://</code>:
          browsers only expose WebGPU in secure contexts.
        </li>
        <li>
          Check <code>chrome://gpu</code>: the line “WebGPU” should say “Hardware accelerated”.
        </li>
      </ul>
    </section>
  );
}
