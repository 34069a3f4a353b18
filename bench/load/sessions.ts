// Chooses the session for a point's system.
import type { PointSpec } from './spec.js';
import type { Session } from './session.js';
import { echoSession } from '../targets/echo-session.js';
import { etcdSession } from '../targets/etcd-session.js';

export async function makeSession(spec: PointSpec): Promise<Session> {
  switch (spec.system) {
    case 'echo':
      return echoSession(spec);
    case 'etcd':
      return etcdSession(spec);
    case 'stockraft':
      if (spec.workload === 'sdk-batch') return (await import('../targets/sdk-session.js')).sdkSession(spec);
      return (await import('../targets/stockraft-session.js')).stockraftSession(spec);
  }
}
