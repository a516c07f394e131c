/** Lua scripting: the interpreter thread, the script cache, and the conversions of results to replies. */
export { LuaEngine, type ScriptHost, type RunOutcome, type CompiledUnit } from './engine.js';
export {
  ScriptCache, parseShebang, sha1hex, makeCachedScript, scriptStartRefusal, type CachedScript, SCRIPT_FLAG_NO_WRITES, SCRIPT_FLAG_ALLOW_OOM,
  SCRIPT_FLAG_ALLOW_STALE, SCRIPT_FLAG_NO_CLUSTER, SCRIPT_FLAG_ALLOW_CROSS_SLOT, SCRIPT_FLAG_EVAL_COMPAT,
} from './scripts.js';
export { writeScriptResult, errorText } from './luaToResp.js';
export type { ReplyValue } from './protocol.js';
export { ACL_CHECK_MARK } from './protocol.js';
export { RecentStrings } from './fastCall.js';
export {
  FunctionRegistry, FUNCTION_FLAGS, parseLibraryHeader, loadChunk, callChunk, isValidFunctionName, functionUnit, libraryKey, type Library,
  type LuaFunction,
} from './functions.js';
