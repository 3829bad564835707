import { Worker } from 'node:worker_threads';
import { inflateAndDigest, type SmallInflation } from './entry-stream.js';

/** One small entry for the worker: its compressed bytes and how far it may inflate. */
export interface InflateJob {
  compressed: Buffer;
  method: number;
  /** Most bytes out (see smallInflateBound); one more is reported as overBound. */
  bound: number;
  withSha256: boolean;
}

const SHA256_BYTES = 32;
const WORKER_YOUNG_GENERATION_MB = 4;
/** Per job in a request's layout: start, length, method, bound, withSha256. */
const JOB_FIELDS = 5;
/** Per job in a reply's layout: status, output start, output length, CRC-32. */
const RESULT_FIELDS = 4;
const STATUS_INFLATED = 0;
const STATUS_OVER_BOUND = 1;
const STATUS_FAILED = 2;

interface InflateRequest {
  id: number;
  input: Uint8Array;
  layout: Float64Array;
}

interface InflateReply {
  id: number;
  output: Uint8Array;
  layout: Float64Array;
  sha256: Uint8Array;
  /** Per job, the inflater's error when it failed. */
  errors: ({ code?: string; message: string } | null)[];
}

/**
 * The worker's body, run from its source text (so it needs no file of its own beside the
 * compiled code or the TypeScript under test): inflates and digests a batch of entries
 * with inflateAndDigest and sends back the bytes, CRC-32s and SHA-256s in three buffers.
 * It sees nothing of this module: the layout sizes and statuses below are spelled out.
 */
function inflateWorkerMain(inflate: typeof inflateAndDigest): void {
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const codecs = { zlib: process.getBuiltinModule('node:zlib'), crypto: process.getBuiltinModule('node:crypto') };
  parentPort!.on('message', ({ id, input, layout }: InflateRequest) => {
    const count = layout.length / 5;
    const inflations = [];
    let outputBytes = 0;
    for (let job = 0; job < count; job++) {
      const at = job * 5;
      const compressed = Buffer.from(input.buffer, input.byteOffset + layout[at]!, layout[at + 1]!);
      const inflation = inflate(codecs, compressed, layout[at + 2]!, layout[at + 3]!, layout[at + 4] === 1);
      if ('inflated' in inflation) outputBytes += inflation.inflated.length;
      inflations.push(inflation);
    }
    const output = Buffer.allocUnsafeSlow(outputBytes);
    const results = new Float64Array(count * 4);
    const sha256 = new Uint8Array(count * 32);
    const errors: InflateReply['errors'] = [];
    let written = 0;
    inflations.forEach((inflation, job) => {
      const at = job * 4;
      errors.push(null);
      if ('overBound' in inflation) {
        results[at] = 1;
      } else if ('error' in inflation) {
        const { code, message } = inflation.error as { code?: string; message?: string };
        results[at] = 2;
        errors[job] = { code, message: String(message ?? inflation.error) };
      } else {
        results[at + 1] = written;
        results[at + 2] = inflation.inflated.length;
        results[at + 3] = inflation.crc;
        written += inflation.inflated.copy(output, written);
        if (inflation.sha256) sha256.set(inflation.sha256, job * 32);
      }
    });
    const reply: InflateReply = { id, output, layout: results, sha256, errors };
    parentPort!.postMessage(reply, [output.buffer, results.buffer, sha256.buffer]);
  });
}

/**
 * Inflates, CRCs and hashes small entries on a worker thread, so that reading a big
 * archive uses a second core: verifyAll parses the JSON of one batch on the main thread
 * while the worker inflates the next (JSON.parse alone costs about as much as all of
 * Info-ZIP's `unzip -t`). One worker per process, started on first use; it keeps the
 * process alive only while a batch is out.
 */
export class InflateWorker {
  private static current: InflateWorker | undefined;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(reply: InflateReply): void; reject(error: Error): void }>();
  private nextId = 0;

  private constructor() {
    const source = `(${inflateWorkerMain.toString()})(${inflateAndDigest.toString()})`;
    // A small young generation: the worker's garbage is mostly zlib's output buffers, kept
    // outside the heap and freed only by a scavenge, which a roomy young generation puts
    // off for tens of MB of them.
    this.worker = new Worker(source, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.worker.unref();
    this.worker.on('message', (reply: InflateReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      if (InflateWorker.current === this) InflateWorker.current = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the inflate worker exited (code ${code})`)));
  }

  static shared(): InflateWorker {
    InflateWorker.current ??= new InflateWorker();
    return InflateWorker.current;
  }

  /** Each job's inflation, in order (an inflater error is one of the results, not a rejection). */
  async inflate(jobs: readonly InflateJob[]): Promise<SmallInflation[]> {
    let inputBytes = 0;
    for (const job of jobs) inputBytes += job.compressed.length;
    // Copied into a buffer of its own so it can be moved to the worker rather than cloned.
    const input = Buffer.allocUnsafeSlow(inputBytes);
    const layout = new Float64Array(jobs.length * JOB_FIELDS);
    let at = 0;
    jobs.forEach((job, index) => {
      layout.set([at, job.compressed.length, job.method, job.bound, job.withSha256 ? 1 : 0], index * JOB_FIELDS);
      at += job.compressed.copy(input, at);
    });
    const id = this.nextId++;
    const replied = new Promise<InflateReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.ref();
    const request: InflateRequest = { id, input, layout };
    this.worker.postMessage(request, [input.buffer, layout.buffer]);
    const reply = await replied;
    return jobs.map((job, index) => resultOf(reply, index, job.withSha256));
  }
}

function resultOf({ output, layout, sha256, errors }: InflateReply, index: number, withSha256: boolean): SmallInflation {
  const at = index * RESULT_FIELDS;
  const status = layout[at];
  if (status === STATUS_OVER_BOUND) return { overBound: true };
  if (status === STATUS_FAILED) {
    const { code, message } = errors[index]!;
    return { error: Object.assign(new Error(message), code === undefined ? {} : { code }) };
  }
  if (status !== STATUS_INFLATED) throw new Error(`the inflate worker answered status ${status}`);
  return {
    inflated: Buffer.from(output.buffer, output.byteOffset + layout[at + 1]!, layout[at + 2]!),
    crc: layout[at + 3]!,
    sha256: withSha256 ? Buffer.from(sha256.buffer, sha256.byteOffset + index * SHA256_BYTES, SHA256_BYTES) : undefined,
  };
}
