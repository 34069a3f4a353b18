import t from 'tap';
import { MinHeap } from '../../src/util/min-heap.js';

t.test('pops in the order of `before`, ties broken by the tie-breaker', (t) => {
  interface Item { key: number; tie: number }
  const before = (a: Item, b: Item): boolean => a.key < b.key || (a.key === b.key && a.tie < b.tie);
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  for (let round = 0; round < 50; round += 1) {
    const heap = new MinHeap<Item>(before);
    const items: Item[] = [];
    for (let i = 0; i < 200; i += 1) {
      const item = { key: next() % 20, tie: i };
      items.push(item);
      heap.push(item);
      if (next() % 4 === 0) {
        const popped = heap.pop();
        const expected = items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).shift();
        t.same(popped, expected);
      }
    }
    const rest: Item[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) rest.push(item);
    items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    t.same(rest, items, `round ${round}`);
    t.equal(heap.size, 0);
  }
  t.end();
});
