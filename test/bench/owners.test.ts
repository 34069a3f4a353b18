import t from 'tap';
import { profileOwners } from '../../bench/profile/owners.js';

// root -> edge.answer (project) -> respond (library) -> write (library); root -> gc; idle
const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'answer', url: 'file:///repo/dist/src/server/edge.js', lineNumber: 99 }, children: [3] },
    { id: 3, callFrame: { functionName: 'respond', url: 'file:///repo/node_modules/@grpc/grpc-js/build/src/server.js', lineNumber: 1 }, children: [4] },
    { id: 4, callFrame: { functionName: 'write', url: 'node:internal/http2/core', lineNumber: 1 } },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    { id: 6, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
  ],
  samples: [2, 3, 4, 5, 6, 4],
  timeDeltas: [1000, 1000, 2000, 3000, 10000, 4000],
};

t.test('library time lands on the nearest project frame; idle is left out', (t) => {
  const r = profileOwners(profile, Number.POSITIVE_INFINITY, 10);
  t.equal(r.busy_ms, 11, 'busy: every sample but the idle one');
  t.same(
    r.owners.map((o) => [o.name, o.busy_ms]),
    [
      ['server/edge.js:answer', 8],
      ['(library/runtime) (garbage collector)', 3],
    ],
    'respond and write under answer count for answer',
  );
  t.end();
});

t.test('a tail window counts only the last samples', (t) => {
  const r = profileOwners(profile, 14, 10);
  t.equal(r.busy_ms, 4, 'only the last sample (4 ms) is busy within the last 14 ms');
  t.same(r.owners.map((o) => o.name), ['server/edge.js:answer']);
  t.end();
});
