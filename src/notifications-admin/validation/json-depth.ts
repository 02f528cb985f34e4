import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

/**
 * How deep a request body may nest arrays and objects. The module's bodies
 * nest two levels; the limit only has to stop bodies that would overflow the
 * stack of any recursive walk after parsing (class-transformer's among them):
 * 64 KiB of JSON can nest 32,000 levels, and V8's JSON.parse takes them all.
 */
export const MAX_JSON_DEPTH = 32;

/** Iterative, so that measuring the depth cannot itself overflow the stack. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) {
      continue;
    }
    if (next.depth > maxDepth) {
      return true;
    }
    for (const child of Object.values(next.value)) {
      pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/**
 * The shared check of every JSON body the module validates (a host's own body
 * parser lets any depth through): ValidationFailed, before anything walks it.
 */
export function requireShallowJson(body: unknown): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new ApiException(
      ErrorName.ValidationFailed,
      `request body must not nest arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
}
