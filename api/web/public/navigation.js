// Which navigation is current. Every page load takes a ticket; a response that comes back after the user
// has moved on (a later navigation, a reload of the same page) is stale and must not be drawn.
let seq = 0;

/** Starts a navigation; returns stale(), true once a later navigation has started. */
export function beginNavigation() {
  const mine = ++seq;
  return () => mine !== seq;
}

/** For background work on the page shown now (a live redraw): stale once any navigation starts. */
export function currentNavigation() {
  const mine = seq;
  return () => mine !== seq;
}
