// How a host's result differs from Node's, as a sentence naming the first differing case and
// value: shared by the test (Bun, Deno) and the workerd worker, which compares inside the host
// because `workerd test` reports only pass or fail. Plain JavaScript with no imports.

/**
 * The first difference of `got` from `want` ({ build, bits: { case name: hex bits } }), or
 * undefined when they are equal.
 */
export function firstDifference(got, want) {
  if (got.build !== want.build) return `the build is ${got.build}, Node's is ${want.build}`;
  const names = [...new Set([...Object.keys(want.bits), ...Object.keys(got.bits)])];
  for (const name of names) {
    const g = got.bits[name];
    const w = want.bits[name];
    if (g === w) continue;
    if (g === undefined || w === undefined)
      return `case ${name}: missing from ${g === undefined ? "the host" : "Node"}`;
    // 8 hex digits a value; g !== w, so some value (or the length) differs
    let i = 0;
    while (g.slice(8 * i, 8 * i + 8) === w.slice(8 * i, 8 * i + 8)) i++;
    const bits = (s) => s.slice(8 * i, 8 * i + 8) || "(none)";
    return `case ${name}: value ${i} has bits ${bits(g)}, Node's ${bits(w)}`;
  }
  return undefined;
}
