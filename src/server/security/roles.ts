// Roles and the principal -> roles mapping file. A role grants a fixed set of capabilities;
// the method table (method-table.ts) says which capability each gRPC method needs.
//
// Roles file format, one principal per line, '#' starts a comment:
//   <principal> <role> [<role> ...]
// e.g.  `orders-service order`  or  `ops-alice admin`.

export const ROLES = ['reader', 'order', 'stock', 'admin'] as const;
export type AccessRole = (typeof ROLES)[number];

/** What a method needs. 'peer' is held only by cluster members (node certificates). */
export type Capability = 'read' | 'order' | 'stock' | 'admin' | 'peer';

const GRANTS: Readonly<Record<AccessRole, readonly Capability[]>> = {
  reader: ['read'],
  order: ['read', 'order'],
  stock: ['read', 'stock'],
  admin: ['read', 'order', 'stock', 'admin'],
};

/** The least role that grants a capability: what a PERMISSION_DENIED message names. */
export const ROLE_FOR: Readonly<Record<Exclude<Capability, 'peer'>, AccessRole>> = {
  read: 'reader',
  order: 'order',
  stock: 'stock',
  admin: 'admin',
};

export function isAccessRole(s: string): s is AccessRole {
  return (ROLES as readonly string[]).includes(s);
}

export function rolesGrant(roles: readonly AccessRole[], cap: Capability): boolean {
  return roles.some((r) => GRANTS[r].includes(cap));
}

/** Principal names: what a certificate CN or a token file line may name. */
export const PRINCIPAL_RE = /^[A-Za-z0-9._@:-]{1,128}$/;
export const ROLES_FILE_BYTES_MAX = 1024 * 1024;
export const ROLES_FILE_PRINCIPALS_MAX = 10_000;

export type RolesMap = ReadonlyMap<string, readonly AccessRole[]>;

export class ConfigFileError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConfigFileError';
  }
}

/** Splits a config file into (line number, fields) pairs, skipping blanks and comments. */
export function configLines(text: string, file: string, bytes_max: number): Array<{ line: number; fields: string[] }> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > bytes_max) throw new ConfigFileError(file, 0, `file is ${bytes} bytes, limit ${bytes_max}`);
  const out: Array<{ line: number; fields: string[] }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const body = (lines[i] ?? '').replace(/#.*$/, '').trim();
    if (body === '') continue;
    out.push({ line: i + 1, fields: body.split(/\s+/) });
  }
  return out;
}

export function parseRolesFile(text: string, file = 'roles'): RolesMap {
  const map = new Map<string, AccessRole[]>();
  for (const { line, fields } of configLines(text, file, ROLES_FILE_BYTES_MAX)) {
    const [principal, ...roles] = fields;
    if (principal === undefined || !PRINCIPAL_RE.test(principal)) {
      throw new ConfigFileError(file, line, `principal must match ${PRINCIPAL_RE.source}, got '${principal ?? ''}'`);
    }
    if (roles.length === 0) throw new ConfigFileError(file, line, `principal '${principal}' has no roles (one or more of ${ROLES.join(', ')})`);
    if (map.has(principal)) throw new ConfigFileError(file, line, `principal '${principal}' is listed twice`);
    const parsed: AccessRole[] = [];
    for (const raw of roles) {
      // Accept "order,reader" as well as "order reader".
      for (const r of raw.split(',').filter((x) => x !== '')) {
        if (!isAccessRole(r)) throw new ConfigFileError(file, line, `unknown role '${r}' (known: ${ROLES.join(', ')})`);
        if (!parsed.includes(r)) parsed.push(r);
      }
    }
    map.set(principal, parsed);
    if (map.size > ROLES_FILE_PRINCIPALS_MAX) {
      throw new ConfigFileError(file, line, `more than ${ROLES_FILE_PRINCIPALS_MAX} principals`);
    }
  }
  return map;
}

export interface RoleChange {
  readonly principal: string;
  readonly before: readonly AccessRole[];
  readonly after: readonly AccessRole[];
}

/** What a reload changed, in principal order: the audit trail records each. */
export function diffRoles(before: RolesMap, after: RolesMap): RoleChange[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: RoleChange[] = [];
  for (const principal of names) {
    const b = [...(before.get(principal) ?? [])].sort();
    const a = [...(after.get(principal) ?? [])].sort();
    if (b.join(',') !== a.join(',')) changes.push({ principal, before: b, after: a });
  }
  return changes;
}
