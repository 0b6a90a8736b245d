// The browser side of core_browser_test.ts: bundled with `deno bundle --platform browser`,
// loaded by a page in headless Chromium; runs the scenario and leaves its promise on the page.
import * as likeness from "../../mod.ts";
import * as tf from "@tensorflow/tfjs";
import { scenario } from "./_scenario.ts";

(globalThis as { likenessResult?: unknown }).likenessResult = scenario(likeness, tf);
