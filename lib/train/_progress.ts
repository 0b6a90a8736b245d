/**
 * Progress output of the fit loop: a one-line bar redrawn in place on a terminal, plain log
 * lines otherwise (CI, pipes). Writes to stderr so that stdout stays the program's own.
 *
 * @module
 */

/** What the progress display shows for one step. */
export interface ProgressStep {
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch?: number;
  readonly epochs?: number;
  readonly totalSteps?: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
  readonly learningRate: number;
  readonly elapsedMs: number;
}

/** A progress display. */
export interface Progress {
  step(s: ProgressStep): void;
  line(text: string): void;
  finish(): void;
}

/** "1m05s", "12s", "1h02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** A loss or rate printed compactly. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(4);
}

/** The text of one progress line (without bar). */
export function describe(s: ProgressStep): string {
  const epochs = s.epochs !== undefined && Number.isFinite(s.epochs) ? `/${s.epochs}` : "";
  const inEpoch = s.stepsPerEpoch !== undefined
    ? `${s.stepInEpoch}/${s.stepsPerEpoch}`
    : `${s.stepInEpoch}`;
  let eta = "";
  if (s.totalSteps !== undefined && s.step > 0) {
    eta = ` eta ${formatDuration((s.elapsedMs / s.step) * (s.totalSteps - s.step))}`;
  }
  return `epoch ${s.epoch + 1}${epochs} step ${inEpoch} loss ${formatNumber(s.loss)} ${
    Math.round(s.imagesPerSecond)
  } img/s lr ${formatNumber(s.learningRate)} ${formatDuration(s.elapsedMs)}${eta}`;
}

/** A text bar of `width` cells for `fraction` in [0, 1]. */
export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

/** Whether stderr is a terminal (false where it cannot be asked). */
export function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

/**
 * A progress display of `mode`: "bar" redraws one line, "lines" logs every `logEvery` steps,
 * "none" is silent. `write` replaces stderr (tests).
 */
export function createProgress(
  mode: "bar" | "lines" | "none",
  options: { logEvery: number; write?: (text: string) => void },
): Progress {
  const write = options.write ?? writeStderr;
  if (mode === "none") return { step: () => {}, line: () => {}, finish: () => {} };
  if (mode === "lines") {
    return {
      step: (s) => {
        const epochEnd = s.stepsPerEpoch !== undefined && s.stepInEpoch === s.stepsPerEpoch;
        if (s.step % options.logEvery === 0 || epochEnd || s.step === s.totalSteps) {
          write(describe(s) + "\n");
        }
      },
      line: (text) => write(text + "\n"),
      finish: () => {},
    };
  }
  let drawn = false;
  let last = 0;
  return {
    step: (s) => {
      const now = Date.now();
      const end = s.step === s.totalSteps;
      if (drawn && now - last < 100 && !end) return; // at most ~10 redraws a second
      last = now;
      const fraction = s.totalSteps !== undefined
        ? s.step / s.totalSteps
        : s.stepsPerEpoch !== undefined
        ? s.stepInEpoch / s.stepsPerEpoch
        : 0;
      write(`\r\x1b[2K${bar(fraction)} ${describe(s)}`);
      drawn = true;
    },
    line: (text) => {
      write(`${drawn ? "\r\x1b[2K" : ""}${text}\n`);
      drawn = false;
    },
    finish: () => {
      if (drawn) write("\n");
      drawn = false;
    },
  };
}
