// Known-bad builds: switches that make every stockd of a run misbehave on purpose, through
// environment variables stockd honours only with --test-hooks. A run with one must come
// out invalid under the fault it targets; that is how a checker is shown to catch it.
//   wall-clock-stamping: the leader stamps entries with its wall clock (with the test
//     offset), as stockd did before log time followed the monotonic clock. With the clock
//     nemesis, a forward jump expires reservations early and a backward one stalls expiry.

export const KNOWN_BAD = ['wall-clock-stamping'] as const;
export type KnownBad = (typeof KNOWN_BAD)[number];

const ENV: Record<KnownBad, Readonly<Record<string, string>>> = {
  'wall-clock-stamping': { STOCKRAFT_TEST_WALL_CLOCK_STAMPING: '1' },
};

export function parseKnownBad(text: string): KnownBad[] {
  const out = new Set<KnownBad>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(KNOWN_BAD as readonly string[]).includes(name)) throw new Error(`--known-bad: unknown "${name}"; known: ${KNOWN_BAD.join(', ')}`);
    out.add(name as KnownBad);
  }
  return [...out];
}

/** Environment every stockd of the run starts with. */
export function knownBadEnv(list: readonly KnownBad[]): Record<string, string> {
  return Object.assign({}, ...list.map((k) => ENV[k])) as Record<string, string>;
}
