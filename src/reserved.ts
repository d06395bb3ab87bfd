/**
 * Names that JavaScript objects treat specially: as a key they would be dropped or change an
 * object's prototype instead of holding a value. A user's key, field or profile name that is one
 * of them is refused with a clear error rather than silently lost.
 */
export const reservedNames: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export const isReservedName = (name: string): boolean => reservedNames.includes(name);

/** The sentence errors end with. */
export const reservedRule = `${reservedNames.join(', ')} are reserved names`;
