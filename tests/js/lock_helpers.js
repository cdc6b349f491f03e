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
