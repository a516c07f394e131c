/** ACL users, rules, the permission check and the ACL LOG (Redis 7.0's acl.c). */
export { Acl, type AclHooks, type PermResult } from './acl.js';
export { AclUser, USER_FLAG_NAMES, hashPassword } from './user.js';
export { Selector, ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_AUTH, ACL_DENIED_CHANNEL, channelAllowed, type FoundKey } from './selector.js';
export { ACL_CATEGORY_NAMES, categoryBit, type AclCommand } from './commandIndex.js';
export { AclLog, LOG_CTX_TOPLEVEL, LOG_CTX_MULTI, LOG_CTX_LUA, REASON_NAMES, CONTEXT_NAMES, type AclLogEntry } from './log.js';
