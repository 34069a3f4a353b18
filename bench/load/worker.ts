// A load-generator process, forked by the driver. It runs `clients` closed loops against
// one system, first for the warm-up (not recorded), then for the measured duration, and
// answers with an encoded latency histogram and counts. Progress goes to the driver once a
// second.
import { encodeHistogram } from '../lib/hist.js';
import { CLIENTS_PER_WORKER_MAX, DURATION_MS_MAX, type DriverToWorker, type PointSpec, type WorkerToDriver } from './spec.js';
import { Refusal, type Session } from './session.js';
import { makeSession } from './sessions.js';
import { MeasuredWindow } from './window.js';

/** After a transport error a client pauses this long, so a down server is not spun on. */
const ERROR_PAUSE_MS = 20;

function send(m: WorkerToDriver): void {
  if (process.send) process.send(m);
}

function checkSpec(spec: PointSpec): void {
  if (!Number.isInteger(spec.clients) || spec.clients < 1 || spec.clients > CLIENTS_PER_WORKER_MAX) {
    throw new Error(`clients: must be an integer in 1..${CLIENTS_PER_WORKER_MAX}, got ${spec.clients}`);
  }
  for (const [field, v] of [['warmup_ms', spec.warmup_ms], ['duration_ms', spec.duration_ms]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > DURATION_MS_MAX) throw new Error(`${field}: must be an integer in 0..${DURATION_MS_MAX}, got ${v}`);
  }
}

async function run(spec: PointSpec, session: Session): Promise<void> {
  const w = new MeasuredWindow();
  let stopping = false;
  /** Every completed call, warm-up included: only for the progress line. */
  let completed = 0;

  const loop = async (client: number): Promise<void> => {
    // Bounded by `stopping`, which the timer below sets after warm-up + duration.
    while (!stopping) {
      const t0 = process.hrtime.bigint();
      try {
        const u = await session.op(client);
        completed += 1;
        w.completed(Number(process.hrtime.bigint() - t0) / 1000, u);
      } catch (err) {
        if (err instanceof Refusal) w.refused();
        else {
          w.failed(err instanceof Error ? err.message : String(err));
          await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
        }
      }
    }
  };

  const progress = setInterval(() => send({ type: 'progress', measuring: w.measuring, ops: completed, units: w.units, errors: w.errors }), 1000);
  const loops: Promise<void>[] = [];
  for (let c = 0; c < spec.clients; c++) loops.push(loop(spec.worker_index * CLIENTS_PER_WORKER_MAX + c));
  await new Promise((r) => setTimeout(r, spec.warmup_ms));
  w.start();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, spec.duration_ms));
  const cpu = process.cpuUsage(cpu0);
  w.stop();
  stopping = true;
  await Promise.all(loops);
  clearInterval(progress);
  send({
    type: 'result',
    result: {
      worker_index: spec.worker_index,
      hist_b64: encodeHistogram(w.hist),
      ops: w.ops,
      units: w.units,
      errors: w.errors,
      error_samples: w.error_samples,
      refusals: w.refusals,
      cpu_ms: (cpu.user + cpu.system) / 1000,
    },
  });
}

let session: Session | null = null;
let spec: PointSpec | null = null;

process.on('message', (raw: unknown) => {
  const m = raw as DriverToWorker;
  void (async () => {
    try {
      if (m.type === 'setup') {
        checkSpec(m.spec);
        spec = m.spec;
        session = await makeSession(m.spec);
        send({ type: 'ready' });
      } else if (m.type === 'start') {
        if (session === null || spec === null) throw new Error('start before setup');
        await run(spec, session);
        await session.close();
        process.exit(0);
      } else if (m.type === 'stop') {
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
