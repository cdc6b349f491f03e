// Holds a Web Lock from plain JS (as a tab running the original package would) for `ms` milliseconds.
export function holdLock(name, ms) {
  return new Promise((granted) => {
    navigator.locks.request(name, () => {
      granted();
      return new Promise((r) => setTimeout(r, ms));
    });
  });
}
export async function lockHeld(name) {
  const state = await navigator.locks.query();
  return state.held.some((l) => l.name === name);
}

// Holds the Web Lock `name` from plain JS until `release(name)` is called; resolves once held.
const releases = new Map();
export function holdUntilReleased(name) {
  return new Promise((granted) => {
    navigator.locks.request(name, () => {
      granted();
      return new Promise((r) => releases.set(name, r));
    });
  });
}
export function release(name) {
  const r = releases.get(name);
  if (!r) throw new Error(`plain JS does not hold ${name}`);
  releases.delete(name);
  r();
}
// True when a request for `name` is queued (waiting for the holder).
export async function lockPending(name) {
  const state = await navigator.locks.query();
  return state.pending.some((l) => l.name === name);
}
