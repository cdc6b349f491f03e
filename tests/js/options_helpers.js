// JS side of tests/web_options.rs: option objects built the way apps build them (getters, Maps,
// Headers, BigInt, prototypes), constructors and methods called from JS with the exception caught,
// and a recorder of the exact strings written to `document.cookie`.

// `new Class(arg)` from JS, `Class` being the exported class of `instance`:
// `{ value }` or `{ error }` (whatever was thrown).
export function tryConstruct(instance, arg) {
  try {
    return { value: new instance.constructor(arg) };
  } catch (error) {
    return { error };
  }
}

// `target[method](...args)` from JS: `{ value }` or `{ error }`; a returned promise is awaited, so a
// rejection is an `error` too.
export async function tryCall(target, method, args) {
  try {
    return { value: await target[method](...args) };
  } catch (error) {
    return { error };
  }
}

// `{ ...fields, [key]: <getter that throws> }`.
export function throwingGetter(fields, key) {
  const o = { ...fields };
  Object.defineProperty(o, key, {
    enumerable: true,
    get() { throw new Error(`getter of ${key} threw`); },
  });
  return o;
}

// `{ ...fields, [key]: <getter that returns value> }` (a getter is read like a field).
export function getterOf(fields, key, value) {
  const o = { ...fields };
  Object.defineProperty(o, key, { enumerable: true, get() { return value; } });
  return o;
}

// An object whose `fields` are inherited (on its prototype), not its own.
export function inherited(fields) {
  return Object.create(fields);
}

// `{ ...fields, [key]: value }` for values JSON cannot write (BigInt, NaN, functions, Symbols…).
export function withField(fields, key, value) {
  return { ...fields, [key]: value };
}

export function bigint(text) { return BigInt(text); }
export function symbol() { return Symbol("s"); }
export function func() { return () => "fn"; }
export function mapOf(pairs) { return new Map(pairs); }
export function headersOf(pairs) { return new Headers(pairs); }
export function typeName(value) { return value === null ? "null" : typeof value; }
export function isInstance(value, name) { return value instanceof globalThis[name]; }

// Every string the page writes to `document.cookie` from now on (an own property of `document`
// shadows the prototype's accessor, which still does the write).
const cookieWrites = [];
let cookieHooked = false;
export function recordCookieWrites() {
  cookieWrites.length = 0;
  if (cookieHooked) return;
  cookieHooked = true;
  const proto = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  Object.defineProperty(document, "cookie", {
    configurable: true,
    get() { return proto.get.call(document); },
    set(v) { cookieWrites.push(v); proto.set.call(document, v); },
  });
}
export function cookieLog() { return cookieWrites.slice(); }
