// A limited drop, end to end through the SDK (the README's "Drop walkthrough"): 100 units,
// 1,000 buyers, at most 2 units per customer, a wait-list for everyone who comes too late.
// Then checkout: some buyers pay, the rest abandon their carts, and the freed units go to
// the wait-list strictly first come, first served. The script checks what it shows and
// exits 1 if the ledger broke a promise (oversell, a customer above the limit, a grant out
// of queue order).
//
//   npm run demo:drop -- [--endpoints host:port,...] [--json]
//
// It needs a running cluster (npm start) and raises its cluster version to 4 (commerce).

import { Command } from 'commander';
import { StockraftClient, type ReservationView, type WriteResult } from '../src/client/index.js';

export const DROP_UNITS = 100;
export const DROP_BUYERS = 1_000;
export const DROP_LIMIT = 2;
const CONCURRENCY = 50;
const WAIT_MS = 10 * 60_000;
const TTL_MS = 15 * 60_000;
const COMMERCE_VERSION = 4;
const VERSION_ATTEMPTS = 40;
const VERSION_RETRY_MS = 250;
/** Every tenth buyer comes back for one more unit: the limit answers. */
const GREEDY_EVERY = 10;
/** Of the buyers who got units, this share pays; the rest abandon their carts. */
const PAY_PERCENT = 70;

export interface DropSummary {
  readonly sku: string;
  readonly units: number;
  readonly buyers: number;
  readonly granted_at_once: number;
  readonly units_granted_at_once: number;
  readonly waiting: number;
  readonly refused_customer_limit: number;
  readonly limit_example: string;
  readonly paid: number;
  readonly units_paid: number;
  readonly abandoned: number;
  readonly granted_from_wait_list: number;
  readonly still_waiting: number;
  readonly on_hand: number;
  readonly reserved: number;
  readonly problems: readonly string[];
}

/** Runs `work` over `items` with at most `n` calls in flight. */
async function pool<T, R>(items: readonly T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

async function raiseClusterVersion(client: StockraftClient): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.setClusterVersion(COMMERCE_VERSION);
      return;
    } catch (err) {
      // Refused until every member has announced that it applies version 4.
      if (attempt >= VERSION_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, VERSION_RETRY_MS));
    }
  }
}

function viewOf(r: WriteResult): ReservationView | null {
  return r.code === 'OK' ? r.reservation : null;
}

export async function runDrop(client: StockraftClient, sku: string): Promise<DropSummary> {
  const location = 'web';
  const problems: string[] = [];
  await raiseClusterVersion(client);
  await client.setSkuPolicy({ sku, customer_limit: DROP_LIMIT, customer_window_ms: 0 });
  await client.setPositionPolicy({ sku, location, backorder_limit: 0, low_stock_threshold: 10 });
  await client.adjust({ sku, location, delta: DROP_UNITS, reason: 'drop stock' });

  // 1,000 buyers at once, each for 1 or 2 units, each willing to wait.
  const buyers = Array.from({ length: DROP_BUYERS }, (_, i) => ({ customer_id: `buyer-${i}`, quantity: 1 + (i % 2) }));
  const first = await pool(buyers, CONCURRENCY, (b) =>
    client.reserve({ reservation_id: `${sku}-${b.customer_id}`, lines: [{ sku, location, quantity: b.quantity }], ttl_ms: TTL_MS, customer_id: b.customer_id, wait_ms: WAIT_MS }),
  );
  const pending = first.filter((r) => viewOf(r)?.state === 'PENDING');
  const waiting = first.filter((r) => viewOf(r)?.state === 'WAITING');
  const unitsGranted = pending.reduce((n, r) => n + (viewOf(r)?.lines[0]?.quantity ?? 0), 0);
  if (unitsGranted > DROP_UNITS) problems.push(`oversold: ${unitsGranted} units granted of ${DROP_UNITS}`);

  // Greedy buyers come back for one more: a buyer already at 2 is refused with the numbers.
  const greedy = buyers.filter((_, i) => i % GREEDY_EVERY === 1);
  const again = await pool(greedy, CONCURRENCY, (b) => client.reserve({ lines: [{ sku, location, quantity: 1 }], ttl_ms: TTL_MS, customer_id: b.customer_id, wait_ms: WAIT_MS }));
  const refused = again.filter((r) => r.code === 'CUSTOMER_LIMIT');
  let limit_example = '';
  for (const r of refused) {
    if (r.code !== 'CUSTOMER_LIMIT') continue;
    if (limit_example === '') limit_example = `${r.customer_id}: limit ${r.limit}, used ${r.used}, requested ${r.requested}, remaining ${r.remaining}`;
    if (r.used + r.requested <= r.limit || r.remaining !== Math.max(0, r.limit - r.used)) problems.push(`CUSTOMER_LIMIT values do not add up: ${JSON.stringify(r)}`);
  }
  if (again.some((r) => r.code === 'OK')) problems.push('a buyer at the limit got another unit');

  // Checkout: 70% of the carts pay, the rest are abandoned and go to the wait-list.
  const payCount = Math.floor((pending.length * PAY_PERCENT) / 100);
  await pool(pending.slice(0, payCount), CONCURRENCY, (r) => client.commit({ reservation_id: r.id }));
  await pool(pending.slice(payCount), CONCURRENCY, (r) => client.release({ reservation_id: r.id, reason: 'cart abandoned' }));

  // Who got the freed units: the wait-list in arrival order, a prefix of it.
  const queue = waiting.map((r) => viewOf(r)!).sort((a, b) => (a.queue_position ?? 0) - (b.queue_position ?? 0));
  const now = await pool(queue, CONCURRENCY, (v) => client.getReservation(v.reservation_id));
  const grantedFlags = now.map((v) => v?.state === 'PENDING');
  const grantedCount = grantedFlags.filter(Boolean).length;
  const firstWaiting = grantedFlags.indexOf(false);
  if (firstWaiting >= 0 && grantedFlags.slice(firstWaiting).some(Boolean)) problems.push('a later waiter was granted while an earlier one still waits');

  const p = await client.getPosition(sku, location);
  if (p === null) throw new Error(`${sku}@${location} not found`);
  if (p.reserved > p.on_hand) problems.push(`reserved ${p.reserved} above on_hand ${p.on_hand}`);
  return {
    sku,
    units: DROP_UNITS,
    buyers: DROP_BUYERS,
    granted_at_once: pending.length,
    units_granted_at_once: unitsGranted,
    waiting: waiting.length,
    refused_customer_limit: refused.length,
    limit_example,
    paid: payCount,
    units_paid: pending.slice(0, payCount).reduce((n, r) => n + (viewOf(r)?.lines[0]?.quantity ?? 0), 0),
    abandoned: pending.length - payCount,
    granted_from_wait_list: grantedCount,
    still_waiting: queue.length - grantedCount,
    on_hand: p.on_hand,
    reserved: p.reserved,
    problems,
  };
}

function printSummary(s: DropSummary): void {
  const lines = [
    `drop ${s.sku}: ${s.units} units, ${s.buyers} buyers, limit ${DROP_LIMIT} per customer`,
    `  granted at once:       ${s.granted_at_once} buyers, ${s.units_granted_at_once} units`,
    `  on the wait-list:      ${s.waiting} buyers`,
    `  came back for more:    ${s.refused_customer_limit} refused CUSTOMER_LIMIT (e.g. ${s.limit_example || '-'})`,
    `  checkout:              ${s.paid} paid (${s.units_paid} units), ${s.abandoned} abandoned`,
    `  granted from the list: ${s.granted_from_wait_list} (first come, first served), ${s.still_waiting} still waiting`,
    `  position now:          on_hand ${s.on_hand}, reserved ${s.reserved}`,
    s.problems.length === 0 ? 'no oversell, no customer above the limit, grants in queue order' : `PROBLEMS:\n  ${s.problems.join('\n  ')}`,
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<number> {
  const o = new Command()
    .name('demo:drop')
    .option('--endpoints <list>', 'host:port,...', process.env['STOCKRAFT_ENDPOINTS'] ?? '127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403')
    .option('--sku <sku>', 'the SKU to drop (a new one per run keeps runs apart)', `drop-${Date.now().toString(36)}`)
    .option('--json', 'print the summary as JSON')
    .parse()
    .opts<{ endpoints: string; sku: string; json?: boolean }>();
  const client = new StockraftClient({ endpoints: o.endpoints.split(','), deadline_ms: 20_000 });
  try {
    const s = await runDrop(client, o.sku);
    if (o.json === true) console.log(JSON.stringify(s));
    else printSummary(s);
    return s.problems.length === 0 ? 0 : 1;
  } finally {
    client.close();
  }
}

if ((process.argv[1] ?? '').endsWith('/examples/drop.js')) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`demo:drop: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
