// Headless Chromium for the browser tests: Debian's `chromium` package, driven by
// puppeteer-core (nothing downloads a browser). `chromiumMissing()` says why it cannot run.
import puppeteer, { type Browser } from "puppeteer-core";

/** Where Debian's package puts the browser binary (LIKENESS_CHROMIUM overrides). */
export function chromiumPath(): string {
  return Deno.env.get("LIKENESS_CHROMIUM") ?? "/usr/lib/chromium/chromium";
}

/** Why Chromium cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  try {
    if (Deno.statSync(chromiumPath()).isFile) return undefined;
  } catch {
    // reported below
  }
  return `no Chromium at ${chromiumPath()} (install Debian's chromium package)`;
}

/** Starts headless Chromium (no sandbox: CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** Serves the files of `dir` on 127.0.0.1 (module scripts cannot load from file://). */
export function serveFolder(dir: string): Deno.HttpServer<Deno.NetAddr> {
  const types: Record<string, string> = {
    html: "text/html",
    js: "text/javascript",
    wasm: "application/wasm",
    png: "image/png",
    json: "application/json",
  };
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const name = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, "");
    if (name.includes("..") || name === "") return new Response("not found", { status: 404 });
    // Chromium asks for a favicon on its own, sometimes before a test has finished: answer it,
    // so its 404 is not taken for an error of the page under test
    if (name === "favicon.ico") return new Response(null, { status: 204 });
    try {
      const body = await Deno.readFile(`${dir}/${name}`);
      const type = types[name.split(".").pop() ?? ""] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}
