import t from 'tap';
import { cutsFor, majorityConnected, ringCuts, type FaultState } from '../../jepsen-style-tests/topology.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
const base = (over: Partial<FaultState> = {}): FaultState => ({
  nodes: five,
  voters: new Set(five),
  down: new Set(),
  paused: new Set(),
  cut: new Set(),
  ...over,
});

t.test('majority with faults', (t) => {
  t.equal(majorityConnected(base()), true, 'healthy');
  t.equal(majorityConnected(base({ down: new Set(['n1', 'n2']) })), true, 'two of five down');
  t.equal(majorityConnected(base({ down: new Set(['n1', 'n2']), paused: new Set(['n3']) })), false, 'three of five gone');
  t.equal(majorityConnected(base({ cut: cutsFor(five, [['n1', 'n2'], ['n3', 'n4', 'n5']]) })), true, 'majority side exists');
  t.equal(majorityConnected(base({ cut: cutsFor(five, [['n1', 'n2'], ['n3', 'n4'], ['n5']]) })), false, 'no side has three');
  t.equal(majorityConnected(base({ cut: cutsFor(five, [['n1', 'n2'], ['n4', 'n5']], ['n3']) })), true, 'the bridge reaches all');
  t.equal(majorityConnected(base({ cut: ringCuts(five) })), true, 'a ring node and its neighbours are three');
  t.equal(majorityConnected(base({ voters: new Set(['n1', 'n2', 'n3']), down: new Set(['n1', 'n2']) })), false, 'voters shrank');
  t.end();
});

t.test('ring cuts leave exactly the neighbours', (t) => {
  const cuts = ringCuts(five);
  t.notOk(cuts.has('n1>n2'));
  t.notOk(cuts.has('n1>n5'));
  t.ok(cuts.has('n1>n3'));
  t.ok(cuts.has('n3>n1'));
  t.equal(cuts.size, 5 * 2);
  t.end();
});
