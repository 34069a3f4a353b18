import t from 'tap';
import { readFileSync } from 'node:fs';

t.test('package metadata names the project and the supported Node', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    engines: { node: string };
  };
  t.equal(pkg.name, 'stockraft');
  t.equal(pkg.engines.node, '>=20');
  t.end();
});
