import t from 'tap';
import { pack } from 'msgpackr';
import { decodeEntry, encodeEntry } from '../../src/ledger/codec.js';
import { ENTRY_COMMANDS_MAX } from '../../src/ledger/limits.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { Command, LedgerEntry } from '../../src/ledger/types.js';
import { Rng, adjust, commit, extend, line, release, reserve } from './helpers.js';

t.test('entries round-trip through the codec', (t) => {
  const entry: LedgerEntry = {
    time_ms: 1_700_000_000_123,
    commands: [
      adjust('a1', 'S', 'L', -5, 12),
      adjust('a2', 'S', 'L', 1_000_000_000_000),
      reserve('r1', [line('S', 'L', 1), line('T', 'L', 2)], 60_000, 'ordér'),
      commit('c1', 'r1'),
      commit('c2', 'r1', [line('S', 'L', 1)]),
      release('l1', 'r1', 'why'),
      extend('e1', 'r1', 9_000),
    ],
  };
  t.same(decodeEntry(encodeEntry(entry)), entry);
  t.same(decodeEntry(encodeEntry({ time_ms: 0, commands: [] })), { time_ms: 0, commands: [] });
  t.end();
});

t.test('an encoded entry owns exactly its bytes (the raft log keeps it)', (t) => {
  const a = encodeEntry({ time_ms: 1, commands: [adjust('own-1', 'S', 'L', 1)] });
  const b = encodeEntry({ time_ms: 2, commands: [adjust('own-2', 'S', 'L', 2)] });
  t.equal(a.buffer.byteLength, a.byteLength, 'no shared encoder buffer behind the first');
  t.equal(b.buffer.byteLength, b.byteLength, 'nor behind the second');
  t.not(a.buffer, b.buffer);
  t.same(decodeEntry(a).commands[0], adjust('own-1', 'S', 'L', 1), 'the copy decodes');
  t.end();
});

t.test('decode keeps only the fields of each kind and leaves values to validation', (t) => {
  const bytes = pack({ time_ms: 5, commands: [{ kind: 'release', op_id: 'x', reservation_id: 'r', reason: '', extra: 'junk' }, { kind: 'teleport', op_id: 'y' }, { kind: 'adjust', op_id: 'z', delta: 'many' }] });
  const e = decodeEntry(bytes);
  t.same(e.commands[0], { kind: 'release', op_id: 'x', reservation_id: 'r', reason: '' });
  t.same(e.commands[1], { kind: 'teleport' });
  const out = new Ledger().apply(1, e);
  t.match(out.results, [{ code: 'RESERVATION_NOT_FOUND' }, { code: 'INVALID_ARGUMENT', field: 'kind' }, { code: 'INVALID_ARGUMENT' }]);
  t.end();
});

t.test('garbage is refused with a clear error', (t) => {
  const bad: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /no bytes/],
    ['truncated msgpack', pack({ time_ms: 1, commands: [] }).subarray(0, 5), /not msgpack/],
    ['unknown msgpack type', Uint8Array.from([0xc1]), /ledger entry decode/],
    ['a number', pack(5), /not a map/],
    ['an array', pack([1, 2]), /not a map/],
    ['no time', pack({ commands: [] }), /time_ms/],
    ['negative time', pack({ time_ms: -1, commands: [] }), /time_ms/],
    ['fractional time', pack({ time_ms: 1.5, commands: [] }), /time_ms/],
    ['commands not an array', pack({ time_ms: 1, commands: {} }), /commands is not an array/],
    ['command not a map', pack({ time_ms: 1, commands: [5] }), /commands\[0\]/],
    ['command without kind', pack({ time_ms: 1, commands: [{ op_id: 'x' }] }), /commands\[0\]/],
    ['too many commands', pack({ time_ms: 1, commands: Array.from({ length: ENTRY_COMMANDS_MAX + 1 }, () => ({ kind: 'x' })) }), /limit/],
  ];
  for (const [what, bytes, re] of bad) t.throws(() => decodeEntry(bytes), re, what);
  // Random bytes never decode into something apply would choke on: either a clear error or an entry.
  const rng = new Rng(42);
  for (let i = 0; i < 500; i++) {
    const b = Uint8Array.from({ length: 1 + rng.int(40) }, () => rng.int(256));
    try {
      const e = decodeEntry(b);
      new Ledger().apply(1, e);
    } catch (err) {
      t.match((err as Error).message, /^ledger entry decode: /, 'decode error names itself');
    }
  }
  t.end();
});

t.test('encode refuses entries past the limits', (t) => {
  const many: Command[] = Array.from({ length: ENTRY_COMMANDS_MAX + 1 }, (_, i) => adjust(`a${i}`, 'S', 'L', 1));
  t.throws(() => encodeEntry({ time_ms: 1, commands: many }), /at most/);
  t.throws(() => encodeEntry({ time_ms: -5, commands: [] }), /time_ms/);
  t.end();
});
