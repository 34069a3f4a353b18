// The security seam for the node, the CLI and the SDK. See docs/security.md.

export { NodeSecurity, type ReloadReport, type SecurityFlags, type SecurityLog } from './node-security.js';
export { accessInterceptor, actingPrincipalOf, principalOf, ON_BEHALF_KEY, PRINCIPAL_KEY } from './interceptor.js';
export { decide, decideOps, type AccessState, type Principal } from './authorizer.js';
export { METHOD_RULES, ruleFor, type MethodRule } from './method-table.js';
export { ROLES, diffRoles, parseRolesFile, type AccessRole, type RoleChange } from './roles.js';
export { hashToken, makeToken, parseTokenFile, tokenFileLine } from './tokens.js';
export { PrincipalLimits, DEFAULT_PRINCIPAL_LIMITS } from './limits.js';
